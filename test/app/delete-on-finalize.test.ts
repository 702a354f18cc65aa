// With delete-resource-on-finalize, a settled task has no pod left: settled means the DELETE took effect, not sent.
import { afterEach, describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { pipe } from 'fp-ts/lib/function.js';
import { makeVirtualClock, type VirtualClock } from '../../src/adapters/clock/index.js';
import { startKubelet, type Kubelet } from '../../src/adapters/kubelet/index.js';
import {
  makeMemoryCluster,
  withFaults,
  type FaultRule,
  type MemoryCluster,
} from '../../src/adapters/memory/index.js';
import { makeWatchStream } from '../../src/adapters/memory/watch.js';
import { Manager } from '../../src/app/manager.js';
import { isSettled } from '../../src/domain/lifecycle/step.js';
import type { KubeObject } from '../../src/domain/kubernetes.js';
import type { PlatformConfig } from '../../src/domain/platform-config.js';
import { builtInRegistry } from '../../src/plugins/index.js';
import type { ClusterPort } from '../../src/ports/cluster.js';
import type { Clock } from '../../src/ports/clock.js';
import { connection } from '../support/connection.js';
import { arbRules } from './fault-arbitraries.js';
import { configWith, leakedFinalizers, NAMESPACE, podTask } from './harness.js';

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
  /** Stops injecting API faults. */
  readonly calmDown: () => void;
}

const close = async (b: Bench): Promise<void> => {
  await b.manager.stop();
  await b.kubelet.stop();
  b.memory.close();
  b.clock.dispose();
};

let open: Bench | undefined;
afterEach(async () => {
  if (open !== undefined) await close(open);
  open = undefined;
});

/**
 * The manager as bench/support/manager-process.ts runs it: no state store, DELETEs slow to leave the client; with
 * `faults`, API faults between the connection and the server (the kubelet's own calls are never faulted).
 */
const bench = async (
  deleteQueuedMs: number,
  faults?: { readonly seed: number; readonly rules: ReadonlyArray<FaultRule> },
): Promise<Bench> => {
  // Time moves only when the test advances it, so a DELETE held in the client stays held until then.
  const clock = makeVirtualClock();
  const memory = makeMemoryCluster({ clock, namespaces: [NAMESPACE] });
  const kubelet = startKubelet({ cluster: memory, clock });
  await kubelet.ready();
  const registry = builtInRegistry();
  if (E.isLeft(registry)) throw new Error('registry');
  // The faults start once the manager has started: its first lists would wait for virtual time nobody advances.
  const faulty =
    faults === undefined ? undefined : withFaults(memory, { seed: faults.seed, rules: [], clock });
  const conn = connection(faulty ?? memory);
  const manager = new Manager({
    cluster: deletesQueued(conn.port, clock, deleteQueuedMs),
    clock,
    registry: registry.right,
    config: deletingConfig(),
    random: () => 0.5,
  });
  await manager.start();
  faulty?.setRules(faults?.rules ?? []);
  return {
    clock,
    memory,
    kubelet,
    manager,
    cut: conn.cut,
    calmDown: () => faulty?.setRules([]),
  };
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
    const b = (open = await bench(5_000));
    b.manager.submit('t0', podTask('a0', 'succeed'));
    await untilSettled(b, ['t0']);
    // The moment the bench's loop sees every task settled, it stops the manager: the pod must be gone by then.
    expect((await podsIn(b.memory)).map((p) => p.metadata?.name)).toEqual([]);
  });

  it('the bench run: stopped and disconnected once all settled, no pod is left (3 of 1,000 were)', async () => {
    const b = (open = await bench(2_000));
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

/** A connection whose pod watch (and list) never shows the pod `name`: its whole life fell in a watch gap. */
const blindTo = (inner: ClusterPort, name: string): ClusterPort => ({
  ...inner,
  list: (gvk, sel) =>
    pipe(
      inner.list(gvk, sel),
      TE.map((l) => ({ ...l, items: l.items.filter((o) => o.metadata?.name !== name) })),
    ),
  watch: (gvk, opts) =>
    pipe(
      inner.watch(gvk, opts),
      TE.map((upstream) => {
        const { stream, sink } = makeWatchStream(() => {
          upstream.stop();
        });
        void (async () => {
          for await (const ev of upstream) {
            if (sink.ended()) return;
            if (
              (ev.type === 'ADDED' || ev.type === 'MODIFIED' || ev.type === 'DELETED') &&
              ev.object.metadata?.name === name
            )
              continue;
            sink.push(ev);
          }
          sink.end();
        })();
        return stream;
      }),
    ),
});

describe('an object the watch never showed', () => {
  it('deleted by an abort, it is looked up after the resync period, and the task settles', async () => {
    const clock = makeVirtualClock();
    const memory = makeMemoryCluster({ clock, namespaces: [NAMESPACE] });
    const kubelet = startKubelet({ cluster: memory, clock });
    await kubelet.ready();
    const registry = builtInRegistry();
    if (E.isLeft(registry)) throw new Error('registry');
    const manager = new Manager({
      cluster: blindTo(memory, 'r1-a0-0'),
      clock,
      registry: registry.right,
      config: configWith(true),
      random: () => 0.5,
    });
    await manager.start();
    open = { clock, memory, kubelet, manager, cut: () => undefined, calmDown: () => undefined };
    manager.submit('t0', podTask('a0', 'stuck-pending'));
    await clock.advance(2_000);
    manager.abort('t0', 'user');
    await clock.advance(2_000);
    expect(manager.current('t0')?.phase).toBe('Aborted');
    expect((await podsIn(memory)).map((p) => p.metadata?.name)).toEqual([]);
    // No watch event will ever say the pod went: the finished task looks in the cache at its next resync.
    for (let t = 0; t < 60_000 && !settled(open, 't0'); t += 1_000) await clock.advance(1_000);
    expect(manager.state('t0')?.owned).toMatchObject([{ _tag: 'Gone' }]);
    expect(await manager.forget('t0')).toBe(true);
  });
});

const natural = ['succeed', 'exit:1', 'oom', 'preempted'] as const;

interface Plan {
  readonly scenario: (typeof natural)[number] | 'stuck-pending';
  readonly retries: number;
  /** Virtual ms after submit at which the task is aborted. */
  readonly abortAt?: number;
}

const arbPlan: fc.Arbitrary<Plan> = fc
  .record({
    scenario: fc.constantFrom(...natural, 'stuck-pending' as const),
    retries: fc.integer({ min: 0, max: 1 }),
    abortAt: fc.option(fc.integer({ min: 0, max: 6000 }), { nil: undefined }),
  })
  // A task that cannot end on its own is always aborted at some point.
  .map(({ abortAt, ...p }) => {
    const at = abortAt ?? (p.scenario === 'stuck-pending' ? 2000 : undefined);
    return at === undefined ? p : { ...p, abortAt: at };
  });

/** Faults a real API server shows, plus what this bug is about: finalizer patches that conflict, slow DELETEs. */
const arbFaults = fc.record({
  seed: fc.integer(),
  rules: fc
    .tuple(
      arbRules,
      fc.oneof(fc.constant(0), fc.double({ min: 0.1, max: 0.6, noNaN: true })),
      fc.integer({ min: 1, max: 3000 }),
      fc.double({ min: 0.1, max: 1, noNaN: true }),
    )
    .map(([random, conflicts, slowest, slowShare]): FaultRule[] => [
      ...random,
      { verbs: ['patch'], probability: conflicts, error: 'Conflict' },
      { verbs: ['delete'], probability: slowShare, latencyMs: [0, slowest] },
    ]),
  until: fc.integer({ min: 0, max: 60_000 }),
});

/** Property runs each drive a world for virtual minutes: a share of the global count (KUBETASKS_RUNS raises it). */
const runs = Math.max(10, Math.round((fc.readConfigureGlobal().numRuns ?? 100) / 5));

/** Runs the plans until every task is settled and forgotten, checking each as it settles; then stops the process. */
const drive = async (b: Bench, plans: ReadonlyArray<Plan>, faultsUntil: number): Promise<void> => {
  const ids = plans.map((_, i) => `t${i}`);
  plans.forEach((p, i) => b.manager.submit(ids[i]!, podTask(`a${i}`, p.scenario, {}, p.retries)));
  const forgotten = new Set<string>();
  const aborted = new Set<string>();
  for (let now = 0; forgotten.size < ids.length; now += 250) {
    if (now > 30 * 60_000)
      throw new Error(`not settled: ${ids.filter((id) => !forgotten.has(id)).join(',')}`);
    if (now >= faultsUntil) b.calmDown();
    plans.forEach((p, i) => {
      const id = ids[i]!;
      if (p.abortAt !== undefined && p.abortAt <= now && !aborted.has(id)) {
        aborted.add(id);
        b.manager.abort(id, 'user');
      }
    });
    await b.clock.advance(250);
    const pods = (await podsIn(b.memory)).map((p) => p.metadata?.name ?? '');
    for (const [i, id] of ids.entries()) {
      if (forgotten.has(id) || !settled(b, id)) continue;
      // Settled: every pod the task made (each try's) is gone; a caller may forget the task now.
      expect(
        pods.filter((n) => n.startsWith(`r1-a${i}-`)),
        `${id} ${JSON.stringify(plans[i])}`,
      ).toEqual([]);
      expect(await b.manager.forget(id)).toBe(true);
      forgotten.add(id);
    }
  }
  // As the bench's manager process ends: stopped, its connection closed, whatever it had not sent is lost.
  await b.manager.stop();
  b.cut();
  await b.clock.advance(60_000);
  expect((await podsIn(b.memory)).map((p) => p.metadata?.name)).toEqual([]);
  expect(await leakedFinalizers(b.memory)).toEqual([]);
};

describe('delete-resource-on-finalize under interleavings and API faults', () => {
  test.prop(
    [fc.array(arbPlan, { minLength: 1, maxLength: 4 }), fc.integer({ min: 0, max: 1500 }), arbFaults],
    { numRuns: runs },
  )(
    'a task is settled only with none of its pods left; forgotten at once, then the process stopped, none is left',
    async (plans, deleteQueuedMs, faults) => {
      const b = await bench(deleteQueuedMs, faults);
      // Each run closes its own world (afterEach comes once, after them all).
      try {
        await drive(b, plans, faults.until);
      } finally {
        await close(b);
      }
    },
  );
});
