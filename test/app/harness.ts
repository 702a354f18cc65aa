// A test world for the plugin manager: virtual clock, in-memory cluster, simulated kubelet, counting wrapper.
import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { pipe } from 'fp-ts/lib/function.js';
import { Manager, type ManagerOptions, type TaskUpdate } from '../../src/app/manager.js';
import { makeVirtualClock, type VirtualClock } from '../../src/adapters/clock/index.js';
import { startKubelet, type Kubelet } from '../../src/adapters/kubelet/index.js';
import {
  makeMemoryCluster,
  withFaults,
  type FaultOptions,
  type FaultyCluster,
  type MemoryCluster,
} from '../../src/adapters/memory/index.js';
import { makeMemoryStateStore } from '../../src/adapters/state-store/memory.js';
import type { KubeObject } from '../../src/domain/kubernetes.js';
import { defaultPlatformConfig, type PlatformConfig } from '../../src/domain/platform-config.js';
import type { TaskExecution } from '../../src/domain/task.js';
import type { Registry } from '../../src/domain/registry.js';
import { builtInRegistry } from '../../src/plugins/index.js';
import type { ClusterPort } from '../../src/ports/cluster.js';
import type { ApiError } from '../../src/domain/api-error.js';
import type { Logger } from '../../src/ports/logger.js';
import type { Metrics } from '../../src/ports/metrics.js';
import type { StateStore } from '../../src/ports/state-store.js';
import { connection } from '../support/connection.js';

export const NAMESPACE = 'jobs';

export const podTask = (
  action: string,
  scenario: string,
  extra: Partial<TaskExecution['execution']> = {},
  retries = 0,
): TaskExecution => ({
  task: {
    id: { name: action },
    type: 'container',
    metadata: { retries },
    container: {
      image: 'busybox:1.36',
      command: ['sh', '-c', 'echo hi'],
      resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '64Mi' } },
    },
  },
  execution: {
    id: { run: 'r1', action },
    namespace: NAMESPACE,
    annotations: { 'kubetasks.dev/scenario': scenario },
    ...extra,
  },
});

export const configWith = (
  finalizer: boolean,
  patch: Partial<PlatformConfig['executor']> = {},
): PlatformConfig => ({
  ...defaultPlatformConfig,
  plugins: { k8s: { ...defaultPlatformConfig.plugins.k8s, 'inject-finalizer': finalizer } },
  executor: { ...defaultPlatformConfig.executor, ...patch },
});

/**
 * Counts calls by verb and records successful creates by name; can run a hook before every write, and lose the
 * answer of a write the server committed (`loseAnswer` returns the error the caller gets instead).
 */
export interface Counting extends ClusterPort {
  readonly calls: Map<string, number>;
  readonly creates: Map<string, number>;
  beforeWrite: (() => void) | undefined;
  loseAnswer: ((verb: string) => ApiError | undefined) | undefined;
}

export const counting = (inner: ClusterPort): Counting => {
  const calls = new Map<string, number>();
  const creates = new Map<string, number>();
  const bump = (verb: string): void => void calls.set(verb, (calls.get(verb) ?? 0) + 1);
  // Asked when the write is sent (like beforeWrite), applied when the server has committed it.
  const answer = (verb: string) => {
    const lost = self.loseAnswer?.(verb);
    return <A>(te: TE.TaskEither<ApiError, A>): TE.TaskEither<ApiError, A> =>
      lost === undefined ? te : () => te().then((r) => (E.isRight(r) ? E.left(lost) : r));
  };
  const self: Counting = {
    ...inner,
    calls,
    creates,
    beforeWrite: undefined,
    loseAnswer: undefined,
    get: (ref) => (bump('get'), inner.get(ref)),
    list: (gvk, sel) => (bump('list'), inner.list(gvk, sel)),
    watch: (gvk, opts) => (bump('watch'), inner.watch(gvk, opts)),
    create: (o: KubeObject) => {
      bump('create');
      self.beforeWrite?.();
      return pipe(
        inner.create(o),
        TE.map((created) => {
          const name = created.metadata?.name ?? '';
          creates.set(name, (creates.get(name) ?? 0) + 1);
          return created;
        }),
        answer('create'),
      );
    },
    patch: (ref, p) => (bump('patch'), self.beforeWrite?.(), pipe(inner.patch(ref, p), answer('patch'))),
    update: (o) => (bump('update'), self.beforeWrite?.(), pipe(inner.update(o), answer('update'))),
    delete: (ref, opts) => (
      bump('delete'),
      self.beforeWrite?.(),
      pipe(inner.delete(ref, opts), answer('delete'))
    ),
  };
  return self;
};

/**
 * Starts managers one after another over the same ports, each on its own connection and publishing to `updates`;
 * `kill` cuts the connection of the latest one (a process dying).
 */
export const processes = (
  base: Omit<ManagerOptions, 'cluster' | 'random'> & { readonly cluster: ClusterPort },
  updates: TaskUpdate[],
): { readonly start: (config?: PlatformConfig) => Promise<Manager>; readonly kill: () => void } => {
  let kill = (): void => undefined;
  return {
    start: async (config = base.config) => {
      let n = 0;
      const conn = connection(base.cluster);
      kill = conn.cut;
      const m = new Manager({ ...base, cluster: conn.port, config, random: () => (n++ % 10) / 10 });
      m.subscribe((u) => updates.push(u));
      await m.start();
      return m;
    },
    kill: () => kill(),
  };
};

export interface World {
  readonly clock: VirtualClock;
  readonly memory: MemoryCluster;
  readonly cluster: Counting;
  readonly kubelet: Kubelet;
  readonly store: StateStore;
  /** The fault layer between the manager and the cluster, when the world was made with `faults`. */
  readonly faulty?: FaultyCluster;
  manager: Manager;
  readonly updates: TaskUpdate[];
  readonly newManager: (config?: PlatformConfig) => Promise<Manager>;
  /** The current manager's process dies: its connection is cut and its timers stop; the store keeps what it has. */
  readonly crash: () => void;
  readonly close: () => Promise<void>;
}

export interface WorldOptions {
  readonly store?: StateStore;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
  /** Faults on the manager's calls (the kubelet's own calls are never faulted); the world's clock drives latency. */
  readonly faults?: Omit<FaultOptions, 'clock'>;
  /** The plugins (the built-in ones when absent). */
  readonly registry?: Registry;
}

export const makeWorld = async (
  config: PlatformConfig = configWith(true),
  options: WorldOptions = {},
): Promise<World> => {
  const clock = makeVirtualClock({ auto: true });
  const memory = makeMemoryCluster({ clock, namespaces: [NAMESPACE] });
  const faulty = options.faults === undefined ? undefined : withFaults(memory, { ...options.faults, clock });
  const cluster = counting(faulty ?? memory);
  const kubelet = startKubelet({ cluster: memory, clock });
  await kubelet.ready();
  const store = options.store ?? makeMemoryStateStore();
  const registry = options.registry === undefined ? builtInRegistry() : E.right(options.registry);
  if (E.isLeft(registry)) throw new Error('registry');
  const updates: TaskUpdate[] = [];
  const procs = processes(
    {
      cluster,
      clock,
      registry: registry.right,
      config,
      store,
      ...(options.logger === undefined ? {} : { logger: options.logger }),
      ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
    },
    updates,
  );
  const newManager = procs.start;
  const world: World = {
    clock,
    memory,
    cluster,
    kubelet,
    store,
    ...(faulty === undefined ? {} : { faulty }),
    manager: await newManager(),
    updates,
    newManager,
    crash: () => {
      procs.kill();
      void world.manager.stop();
    },
    close: async () => {
      await world.manager.stop();
      await kubelet.stop();
      memory.close();
      clock.dispose();
    },
  };
  return world;
};

/** Pods of the namespace that still carry kubetasks' finalizer. */
export const leakedFinalizers = async (cluster: ClusterPort): Promise<string[]> => {
  const r = await cluster.list({ apiVersion: 'v1', kind: 'Pod' }, { namespace: NAMESPACE })();
  if (E.isLeft(r)) throw new Error(r.left.message);
  return r.right.items
    .filter((p) => p.metadata?.finalizers?.includes('kubetasks.dev/resource') === true)
    .map((p) => p.metadata?.name ?? '');
};
