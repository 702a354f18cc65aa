// Shared pieces of the real-cluster lifecycle tests: a wall-clock platform config, pod tasks, a fast kubelet.
import * as E from 'fp-ts/lib/Either.js';
import { systemClock } from '../../src/adapters/clock/system.js';
import { startKubelet, type Kubelet } from '../../src/adapters/kubelet/index.js';
import { FINALIZER } from '../../src/domain/object-metadata.js';
import {
  defaultPlatformConfig,
  type ExecutorConfig,
  type PlatformConfig,
} from '../../src/domain/platform-config.js';
import type { TaskExecution } from '../../src/domain/task.js';
import type { ClusterPort } from '../../src/ports/cluster.js';

/** Finalizers on; short grace periods and resync, since these tests run on the wall clock. */
export const wallClockConfig = (executor: Partial<ExecutorConfig> = {}): PlatformConfig => ({
  ...defaultPlatformConfig,
  plugins: {
    k8s: {
      ...defaultPlatformConfig.plugins.k8s,
      'inject-finalizer': true,
      'image-pull-backoff-grace-period': 3000,
    },
  },
  executor: {
    ...defaultPlatformConfig.executor,
    'resync-period': 1000,
    'system-failure-backoff': { 'base-duration': 200, 'max-duration': 1000, jitter: 0.2 },
    ...executor,
  },
});

/** A small container task whose pod follows the simulated kubelet's `scenario`. */
export const podTask = (o: {
  readonly namespace: string;
  readonly run: string;
  readonly action: string;
  readonly scenario: string;
  readonly retries?: number;
}): TaskExecution => ({
  task: {
    id: { name: o.action },
    type: 'container',
    metadata: { retries: o.retries ?? 0 },
    container: {
      image: 'busybox:1.36',
      command: ['true'],
      resources: { requests: { cpu: '10m', memory: '16Mi' } },
    },
  },
  execution: {
    id: { run: o.run, action: o.action },
    namespace: o.namespace,
    annotations: { 'kubetasks.dev/scenario': o.scenario },
  },
});

/** A simulated kubelet for one namespace with stage durations of a few hundred milliseconds. */
export const startFastKubelet = async (cluster: ClusterPort, namespace: string): Promise<Kubelet> => {
  const kubelet = startKubelet({
    cluster,
    clock: systemClock,
    namespace,
    durations: { pendingMs: 200, runMs: 300, initMs: 100 },
    backoffMs: 500,
    terminationMs: 100,
  });
  await kubelet.ready();
  return kubelet;
};

/** Pods of the namespace that still carry kubetasks' finalizer (none may, once tasks are done). */
export const podsWithOurFinalizer = async (cluster: ClusterPort, namespace: string): Promise<string[]> => {
  const r = await cluster.list({ apiVersion: 'v1', kind: 'Pod' }, { namespace })();
  if (E.isLeft(r)) throw new Error(r.left.message);
  return r.right.items
    .filter((p) => p.metadata?.finalizers?.includes(FINALIZER) === true)
    .map((p) => p.metadata?.name ?? '');
};
