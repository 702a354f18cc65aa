// With delete-resource-on-finalize, a settled task has no pod left: settled means the DELETE took effect, not sent.
import { afterEach, describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { pipe } from 'fp-ts/lib/function.js';
import { makeVirtualClock, type VirtualClock } from '../../src/adapters/clock/index.js';
import { startKubelet, type Kubelet } from '../../src/adapters/kubelet/index.js';
import { makeMemoryCluster, type MemoryCluster } from '../../src/adapters/memory/index.js';
import { Manager } from '../../src/app/manager.js';
import { isSettled } from '../../src/domain/lifecycle/step.js';
import type { KubeObject } from '../../src/domain/kubernetes.js';
import type { PlatformConfig } from '../../src/domain/platform-config.js';
import { builtInRegistry } from '../../src/plugins/index.js';
import type { ClusterPort } from '../../src/ports/cluster.js';
import type { Clock } from '../../src/ports/clock.js';
import { connection } from '../support/connection.js';
import { configWith, NAMESPACE, podTask } from './harness.js';

/** The pod tasks' config of deploy/config.yaml in the bench: our finalizer, and finished pods deleted. */
export const deletingConfig = (): PlatformConfig => {
  const base = configWith(true);
  return { ...base, plugins: { k8s: { ...base.plugins.k8s, 'delete-resource-on-finalize': true } } };
};

/**
 * DELETEs wait `ms` in the client before they are handed to the connection, as requests do behind the real
 * adapter's cap on requests in flight: a process that stops meanwhile never sends them.
 */
const deletesQueued = (inner: ClusterPort, clock: Clock, ms: number): ClusterPort => ({
  ...inner,
  delete: (ref, opts) =>
    pipe(
      TE.fromTask(clock.sleep(ms)),
      TE.flatMap(() => inner.delete(ref, opts)),
    ),
});

/** The pods of the namespace, by name, with what the bench reported of the three left behind. */
export const podsIn = async (cluster: ClusterPort): Promise<KubeObject[]> => {
  const r = await cluster.list({ apiVersion: 'v1', kind: 'Pod' }, { namespace: NAMESPACE })();
  if (E.isLeft(r)) throw new Error(r.left.message);
  return [...r.right.items];
};

interface Bench {
  readonly clock: VirtualClock;
  readonly memory: MemoryCluster;
  readonly kubelet: Kubelet;
  readonly manager: Manager;
  /** The process's connection: cut, nothing more is sent (the bench's `cluster.close()` and exit). */
  readonly cut: () => void;
}

let open: Bench | undefined;
afterEach(async () => {
  if (open === undefined) return;
  await open.manager.stop();
  await open.kubelet.stop();
  open.memory.close();
  open.clock.dispose();
  open = undefined;
});

/** The manager as bench/support/manager-process.ts runs it: no state store, DELETEs slow to leave the client. */
const bench = async (deleteQueuedMs: number): Promise<Bench> => {
  // Time moves only when the test advances it, so a DELETE held in the client stays held until then.
  const clock = makeVirtualClock();
  const memory = makeMemoryCluster({ clock, namespaces: [NAMESPACE] });
  const kubelet = startKubelet({ cluster: memory, clock });
  await kubelet.ready();
  const registry = builtInRegistry();
  if (E.isLeft(registry)) throw new Error('registry');
  const conn = connection(memory);
  const manager = new Manager({
    cluster: deletesQueued(conn.port, clock, deleteQueuedMs),
    clock,
    registry: registry.right,
    config: deletingConfig(),
    random: () => 0.5,
  });
  await manager.start();
  open = { clock, memory, kubelet, manager, cut: conn.cut };
  return open;
};

const settled = (b: Bench, id: string): boolean => {
  const s = b.manager.state(id);
  return s !== undefined && isSettled(s);
};

/** Advances virtual time until every task is settled; fails after ten simulated minutes. */
const untilSettled = async (b: Bench, ids: ReadonlyArray<string>): Promise<void> => {
  for (let t = 0; t < 600_000; t += 50) {
    if (ids.every((id) => settled(b, id))) return;
    await b.clock.advance(50);
  }
  throw new Error('the tasks never settled');
};

describe('delete-resource-on-finalize: a settled task leaves no pod behind', () => {
  it('is not settled while its DELETE has not taken effect', async () => {
    const b = await bench(5_000);
    b.manager.submit('t0', podTask('a0', 'succeed'));
    await untilSettled(b, ['t0']);
    // The moment the bench's loop sees every task settled, it stops the manager: the pod must be gone by then.
    expect((await podsIn(b.memory)).map((p) => p.metadata?.name)).toEqual([]);
  });

  it('the bench run: stopped and disconnected once all settled, no pod is left (3 of 1,000 were)', async () => {
    const b = await bench(2_000);
    const ids = Array.from({ length: 5 }, (_, i) => `t${i}`);
    ids.forEach((id, i) => b.manager.submit(id, podTask(`a${i}`, 'succeed')));
    await untilSettled(b, ids);
    await b.manager.stop();
    b.cut();
    await b.clock.advance(60_000);
    // Before the fix: every pod left with phase Succeeded, our finalizer removed and no deletionTimestamp.
    const left = (await podsIn(b.memory)).map((p) => ({
      name: p.metadata?.name,
      phase: (p as { status?: { phase?: string } }).status?.phase,
      finalizers: p.metadata?.finalizers ?? [],
      deleting: p.metadata?.deletionTimestamp !== undefined,
    }));
    expect(left).toEqual([]);
  });
});
