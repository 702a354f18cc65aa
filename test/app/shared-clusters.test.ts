// Shared clusters: created once per name, reused, awaited before the job, never owned, collected when idle.
import * as E from 'fp-ts/lib/Either.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Manager } from '../../src/app/manager.js';
import { makeVirtualClock, type VirtualClock } from '../../src/adapters/clock/index.js';
import { makeMemoryCluster, type MemoryCluster } from '../../src/adapters/memory/index.js';
import { startOperators, type Operators } from '../../src/adapters/operators/index.js';
import { makeMemoryStateStore } from '../../src/adapters/state-store/memory.js';
import type { KubeObject } from '../../src/domain/kubernetes.js';
import * as PI from '../../src/domain/phase-info.js';
import { fromPlugins } from '../../src/domain/registry.js';
import type { StateStore } from '../../src/ports/state-store.js';
import { configWith, counting, NAMESPACE, type Counting } from './harness.js';
import {
  CLUSTER,
  clusterOperator,
  IDLE_TTL,
  JOB,
  jobOperator,
  task,
  toyPlugin,
} from './toy-shared-cluster.js';

let clock: VirtualClock;
let memory: MemoryCluster;
let cluster: Counting;
let operators: Operators;
let store: StateStore;
let manager: Manager;

const newManager = async (): Promise<Manager> => {
  const registry = fromPlugins([toyPlugin]);
  if (E.isLeft(registry)) throw new Error('registry');
  const m = new Manager({ cluster, clock, registry: registry.right, config: configWith(true), store });
  await m.start();
  return m;
};

const clusters = async (): Promise<KubeObject[]> => {
  const r = await memory.list(CLUSTER, { namespace: NAMESPACE })();
  if (E.isLeft(r)) throw new Error(r.left.message);
  return [...r.right.items];
};

const jobs = async (): Promise<KubeObject[]> => {
  const r = await memory.list(JOB, { namespace: NAMESPACE })();
  if (E.isLeft(r)) throw new Error(r.left.message);
  return [...r.right.items];
};

/** Operators re-reconcile only on changes: poke jobs so the simulated time-based status moves on. */
const tick = async (ms: number): Promise<void> => {
  for (let t = 0; t < ms; t += 1000) {
    await clock.advance(1000);
    for (const j of await jobs()) {
      await memory.patch(
        { ...JOB, namespace: NAMESPACE, name: j.metadata?.name ?? '' },
        {
          type: 'merge',
          body: { metadata: { annotations: { tick: String(clock.now()) } } },
        },
      )();
    }
  }
};

beforeEach(async () => {
  clock = makeVirtualClock({ auto: false });
  memory = makeMemoryCluster({
    clock,
    namespaces: [NAMESPACE],
    kinds: [
      { ...CLUSTER, plural: 'toyclusters', statusSubresource: true },
      { ...JOB, plural: 'toyjobs', statusSubresource: true },
    ],
  });
  cluster = counting(memory);
  operators = startOperators({ cluster: memory, clock, operators: [clusterOperator, jobOperator] });
  await operators.ready();
  store = makeMemoryStateStore();
  manager = await newManager();
});

afterEach(async () => {
  await manager.stop();
  await operators.stop();
  memory.close();
  clock.dispose();
});

const run = async (ids: ReadonlyArray<string>): Promise<ReadonlyArray<PI.PhaseInfo>> => {
  const finals = Promise.all(ids.map((id) => manager.awaitFinal(id)));
  let done = false;
  void finals.then(() => (done = true));
  for (let i = 0; i < 40 && !done; i++) await tick(1000);
  if (!done) throw new Error(`tasks ${ids.join(', ')} did not finish in 40 simulated seconds`);
  return finals;
};

describe('shared clusters', () => {
  it('creates one cluster for tasks with the same cluster spec, and runs each job on it once it is ready', async () => {
    manager.submit('a', task('a', { shared: true, size: 2 }));
    manager.submit('b', task('b', { shared: true, size: 2 }));
    const finals = await run(['a', 'b']);
    expect(finals.map((f) => f.phase)).toEqual(['Success', 'Success']);
    const cs = await clusters();
    expect(cs.map((c) => c.metadata?.name)).toEqual(['toy-2']);
    const js = await jobs();
    expect(js.map((j) => (j as { spec?: { cluster?: string } }).spec?.cluster)).toEqual(['toy-2', 'toy-2']);
  });

  it('never owns the cluster: no owner reference, no finalizer; the job is owned as usual', async () => {
    manager.submit('a', task('a', { shared: true }));
    await run(['a']);
    const [c] = await clusters();
    expect(c?.metadata?.ownerReferences ?? []).toEqual([]);
    expect(c?.metadata?.finalizers ?? []).toEqual([]);
    expect(c?.metadata?.labels?.['kubetasks.dev/shared-cluster']).toBe('true');
  });

  it('reports WaitingForResources while the cluster is not ready, before the job exists', async () => {
    const phases: string[] = [];
    manager.subscribe((u) => phases.push(`${u.phaseInfo.phase}:${u.phaseInfo.reason}`));
    manager.submit('a', task('a', { shared: true }));
    await run(['a']);
    expect(phases[0]).toMatch(/^WaitingForResources:waiting for shared cluster jobs\/toy-1/);
  });

  it('collects the cluster after it has been idle for the TTL, and not before', async () => {
    manager.submit('a', task('a', { shared: true }));
    await run(['a']);
    await clock.advance(IDLE_TTL - 10_000);
    expect(await clusters()).toHaveLength(1);
    await clock.advance(20_000);
    expect(await clusters()).toHaveLength(0);
  });

  it('reuses an idle cluster for a new task and cancels its collection', async () => {
    manager.submit('a', task('a', { shared: true }));
    await run(['a']);
    await clock.advance(IDLE_TTL / 2);
    manager.submit('b', task('b', { shared: true }));
    await run(['b']);
    expect(cluster.creates.get('toy-1')).toBe(1);
    await clock.advance(IDLE_TTL / 2 + 1000);
    expect(await clusters()).toHaveLength(1);
  });

  it('keeps tasks without a shared cluster apart', async () => {
    manager.submit('a', task('a', {}));
    const [f] = await run(['a']);
    expect(f?.phase).toBe('Success');
    expect(await clusters()).toHaveLength(0);
  });

  it('fails the try of tasks on a failed cluster as a system failure, deletes it, and gives up past the budget', async () => {
    manager.submit('a', task('a', { shared: true, failCluster: true }));
    const [f] = await run(['a']);
    expect(f?.phase).toBe('PermanentFailure');
    expect(f?.error?.message).toContain('SharedClusterFailed');
  });

  it('resumes after a restart: a waiting or running task keeps its cluster, which is not collected under it', async () => {
    manager.submit('a', task('a', { shared: true }));
    await tick(2000);
    await manager.stop();
    manager = await newManager();
    await clock.advance(IDLE_TTL * 2);
    const [f] = await run(['a']);
    expect(f?.phase).toBe('Success');
    expect(cluster.creates.get('toy-1')).toBe(1);
  });
});
