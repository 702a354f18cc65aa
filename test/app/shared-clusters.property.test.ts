// Shared clusters under random interleavings: tasks on shared, private or failing clusters, aborts, a crash and
// restart, a lost write answer, API faults; every task ends as expected and every cluster is collected once nobody
// needs it.
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { Manager, type TaskUpdate } from '../../src/app/manager.js';
import { makeVirtualClock, type VirtualClock } from '../../src/adapters/clock/index.js';
import { makeMemoryCluster, withFaults, type MemoryCluster } from '../../src/adapters/memory/index.js';
import { startOperators, type Operators } from '../../src/adapters/operators/index.js';
import { makeMemoryStateStore } from '../../src/adapters/state-store/memory.js';
import type { KubeObject } from '../../src/domain/kubernetes.js';
import type { Phase } from '../../src/domain/phase.js';
import { isSettled } from '../../src/domain/lifecycle/step.js';
import { fromPlugins } from '../../src/domain/registry.js';
import type { GroupVersionKind } from '../../src/domain/kubernetes.js';
import { statusError } from '../../src/domain/api-error.js';
import { arbRules } from './fault-arbitraries.js';
import { configWith, counting, NAMESPACE, processes } from './harness.js';
import {
  CLUSTER,
  clusterOperator,
  IDLE_TTL,
  JOB,
  jobOperator,
  task,
  toyPlugin,
} from './toy-shared-cluster.js';

interface Plan {
  /** 0: its own job only; 1 and 2: a shared cluster of that size; 3: a shared cluster that fails. */
  readonly size: number;
  readonly abortAt?: number;
}

const arbPlan: fc.Arbitrary<Plan> = fc
  .record({
    size: fc.integer({ min: 0, max: 3 }),
    abortAt: fc.option(fc.integer({ min: 0, max: 8000 }), { nil: undefined }),
  })
  .map(({ abortAt, size }) => (abortAt === undefined ? { size } : { size, abortAt }));

const expected = (p: Plan): ReadonlyArray<Phase> => [
  p.size === 3 ? 'PermanentFailure' : 'Success',
  ...(p.abortAt === undefined ? [] : (['Aborted'] as const)),
];

interface ToyWorld {
  readonly clock: VirtualClock;
  readonly memory: MemoryCluster;
  readonly operators: Operators;
  manager: Manager;
}

const list = async (memory: MemoryCluster, kind: GroupVersionKind): Promise<KubeObject[]> => {
  const r = await memory.list(kind, { namespace: NAMESPACE })();
  if (E.isLeft(r)) throw new Error(r.left.message);
  return [...r.right.items];
};

/** Each run drives a world for minutes of virtual time: a tenth of the global count (KUBETASKS_RUNS raises it). */
const runs = Math.max(10, Math.round((fc.readConfigureGlobal().numRuns ?? 100) / 10));

describe('shared clusters under random interleavings', () => {
  test.prop(
    [
      fc.array(arbPlan, { minLength: 1, maxLength: 4 }),
      fc.option(fc.integer({ min: 1, max: 16 }), { nil: undefined }),
      fc.option(fc.integer({ min: 1, max: 16 }), { nil: undefined }),
      fc.option(
        fc.record({ seed: fc.integer(), rules: arbRules, until: fc.integer({ min: 0, max: 20_000 }) }),
        {
          nil: undefined,
        },
      ),
    ],
    { numRuns: runs },
  )(
    'every task ends once as expected; every cluster is gone once idle past its TTL; no job keeps a finalizer',
    async (plans, crashAt, loseAt, faults) => {
      const clock = makeVirtualClock({ auto: false });
      const memory = makeMemoryCluster({
        clock,
        namespaces: [NAMESPACE],
        kinds: [
          { ...CLUSTER, plural: 'toyclusters', statusSubresource: true },
          { ...JOB, plural: 'toyjobs', statusSubresource: true },
        ],
      });
      // Faults hit the manager's calls only; the simulated operators talk to the cluster directly.
      const faulty =
        faults === undefined
          ? undefined
          : withFaults(memory, { seed: faults.seed, rules: faults.rules, clock });
      const cluster = counting(faulty ?? memory);
      const operators = startOperators({ cluster: memory, clock, operators: [clusterOperator, jobOperator] });
      await operators.ready();
      const store = makeMemoryStateStore();
      const updates: TaskUpdate[] = [];
      const registry = fromPlugins([toyPlugin]);
      if (E.isLeft(registry)) throw new Error('registry');
      const procs = processes(
        { cluster, clock, registry: registry.right, config: configWith(true), store },
        updates,
      );
      const newManager = (): Promise<Manager> => procs.start();
      const kill = procs.kill;
      /** Awaits work that may wait on the clock (slow calls under faults): the clock moves until it is done. */
      const settled = async <A>(work: Promise<A>): Promise<A> => {
        let done = false;
        const r = work.finally(() => (done = true));
        for (let i = 0; i < 600 && !done; i++) await clock.advance(100);
        return r;
      };
      const w: ToyWorld = { clock, memory, operators, manager: await settled(newManager()) };
      try {
        let writes = 0;
        let crashed = false;
        cluster.beforeWrite = () => {
          writes++;
          if (writes === crashAt && !crashed) {
            crashed = true;
            // The process dies: its connection is cut (a write on its way may still land).
            kill();
            void w.manager.stop();
          }
        };
        cluster.loseAnswer = () =>
          writes === loseAt
            ? statusError('Timeout', 'the server was unable to return a response in time')
            : undefined;

        const ids = plans.map((_, i) => `t${i}`);
        plans.forEach((p, i) => {
          const custom = p.size === 0 ? {} : { shared: true, size: p.size, failCluster: p.size === 3 };
          expect(w.manager.submit(ids[i]!, task(`a${i}`, custom))).toEqual(E.right(undefined));
        });
        const aborted = new Set<string>();
        // A new process on the same store after the crash; the aborts the dead one took are asked again.
        const recover = async (): Promise<void> => {
          if (!crashed) return;
          crashed = false;
          w.manager = await settled(newManager());
          for (const id of aborted) w.manager.abort(id, 'user');
        };
        const allSettled = () =>
          ids.every((id) => {
            const st = w.manager.state(id);
            return st !== undefined && isSettled(st);
          });
        let now = 0;
        for (; now <= 180_000 && !(allSettled() && !crashed); now += 1000) {
          await recover();
          if (faults !== undefined && now >= faults.until) faulty?.setRules([]);
          plans.forEach((p, i) => {
            const id = ids[i]!;
            if (p.abortAt !== undefined && p.abortAt <= now && !aborted.has(id)) {
              aborted.add(id);
              w.manager.abort(id, 'user');
            }
          });
          await clock.advance(1000);
          // The toy operator moves a job on only when it changes: touch every job, as the existing tests do.
          for (const j of await list(memory, JOB))
            await memory.patch(
              { ...JOB, namespace: NAMESPACE, name: j.metadata?.name ?? '' },
              { type: 'merge', body: { metadata: { annotations: { tick: String(clock.now()) } } } },
            )();
        }
        faulty?.setRules([]);
        await settled(w.manager.idle());
        expect(allSettled(), JSON.stringify(ids.map((id) => w.manager.state(id)))).toBe(true);

        for (const [i, p] of plans.entries()) {
          const id = ids[i]!;
          const info = w.manager.current(id);
          const final = info?.phase;
          // Under API faults a task may also run out of its system-failure budget, and must then say so.
          const systemFailure =
            faults !== undefined && final === 'PermanentFailure' && info?.error?.kind === 'SYSTEM';
          expect(
            systemFailure || expected(p).includes(final as Phase),
            `${id} ${JSON.stringify(p)} ended ${JSON.stringify(info)}`,
          ).toBe(true);
          const finals = updates.filter((u) => u.taskId === id && u.final).map((u) => u.phaseInfo.phase);
          expect(new Set(finals)).toEqual(new Set([final]));
        }
        const jobFinalizers = (await list(memory, JOB)).filter(
          (j) => (j.metadata?.finalizers ?? []).length > 0,
        );
        expect(jobFinalizers.map((j) => j.metadata?.name)).toEqual([]);
        // Past the idle TTL (and the retry of a refused delete), nothing needs a cluster: all are collected.
        for (let t = 0; t < 6 && (crashed || (await list(memory, CLUSTER)).length > 0); t++) {
          // The crash may come with a collection's delete.
          await recover();
          await clock.advance(IDLE_TTL + 2000);
          await settled(w.manager.idle());
        }
        expect((await list(memory, CLUSTER)).map((c) => c.metadata?.name)).toEqual([]);
      } finally {
        // Stopping may wait on slow calls, which need the clock.
        await settled(w.manager.stop());
        await operators.stop();
        memory.close();
        clock.dispose();
      }
    },
  );
});
