// Shared clusters under random interleavings: tasks on shared, private or failing clusters, aborts, a crash and
// restart, a lost write answer; every task ends as expected and every cluster is collected once nobody needs it.
import * as E from 'fp-ts/lib/Either.js';
import { afterEach, describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { Manager, type TaskUpdate } from '../../src/app/manager.js';
import { makeVirtualClock, type VirtualClock } from '../../src/adapters/clock/index.js';
import { makeMemoryCluster, type MemoryCluster } from '../../src/adapters/memory/index.js';
import { startOperators, type Operators } from '../../src/adapters/operators/index.js';
import { makeMemoryStateStore } from '../../src/adapters/state-store/memory.js';
import type { KubeObject } from '../../src/domain/kubernetes.js';
import type { Phase } from '../../src/domain/phase.js';
import { fromPlugins } from '../../src/domain/registry.js';
import type { GroupVersionKind } from '../../src/domain/kubernetes.js';
import { statusError } from '../../src/ports/cluster-error.js';
import { configWith, counting, NAMESPACE } from './harness.js';
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

let world: ToyWorld | undefined;
afterEach(async () => {
  if (world === undefined) return;
  await world.manager.stop();
  await world.operators.stop();
  world.memory.close();
  world.clock.dispose();
  world = undefined;
});

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
    ],
    { numRuns: runs },
  )(
    'every task ends once as expected; every cluster is gone once idle past its TTL; no job keeps a finalizer',
    async (plans, crashAt, loseAt) => {
      const clock = makeVirtualClock({ auto: false });
      const memory = makeMemoryCluster({
        clock,
        namespaces: [NAMESPACE],
        kinds: [
          { ...CLUSTER, plural: 'toyclusters', statusSubresource: true },
          { ...JOB, plural: 'toyjobs', statusSubresource: true },
        ],
      });
      const cluster = counting(memory);
      const operators = startOperators({ cluster: memory, clock, operators: [clusterOperator, jobOperator] });
      await operators.ready();
      const store = makeMemoryStateStore();
      const updates: TaskUpdate[] = [];
      const registry = fromPlugins([toyPlugin]);
      if (E.isLeft(registry)) throw new Error('registry');
      const newManager = async (): Promise<Manager> => {
        const m = new Manager({ cluster, clock, registry: registry.right, config: configWith(true), store });
        m.subscribe((u) => updates.push(u));
        await m.start();
        return m;
      };
      const w: ToyWorld = { clock, memory, operators, manager: await newManager() };
      world = w;

      let writes = 0;
      let crashed = false;
      cluster.beforeWrite = () => {
        writes++;
        if (writes === crashAt && !crashed) {
          crashed = true;
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
        w.manager = await newManager();
        for (const id of aborted) w.manager.abort(id, 'user');
      };
      const allDone = () => ids.every((id) => w.manager.state(id)?.stage._tag === 'Done');
      let now = 0;
      for (; now <= 120_000 && !(allDone() && !crashed); now += 1000) {
        await recover();
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
      await w.manager.idle();

      for (const [i, p] of plans.entries()) {
        const id = ids[i]!;
        const final = w.manager.current(id)?.phase;
        expect(expected(p), `${id} ${JSON.stringify(p)} ended ${final}`).toContain(final);
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
        await w.manager.idle();
      }
      expect((await list(memory, CLUSTER)).map((c) => c.metadata?.name)).toEqual([]);
    },
  );
});
