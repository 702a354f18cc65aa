// The plugin manager under random interleavings: several tasks, aborts at random times, a crash before a random
// write and a restart, a write whose answer is lost; every task ends as expected, once, and leaves nothing behind.
import { afterEach, describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import * as E from 'fp-ts/lib/Either.js';
import type { Phase } from '../../src/domain/phase.js';
import { statusError } from '../../src/ports/cluster-error.js';
import { leakedFinalizers, makeWorld, podTask, type World } from './harness.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

/** What a scenario ends with when nobody aborts it (stuck-pending never ends on its own). */
const natural: Readonly<Record<string, Phase | undefined>> = {
  succeed: 'Success',
  'exit:1': 'PermanentFailure',
  oom: 'PermanentFailure',
  preempted: 'PermanentFailure',
  'stuck-pending': undefined,
};

interface Plan {
  readonly scenario: string;
  readonly retries: number;
  /** Virtual ms after submit at which the task is aborted (re-sent after a restart, as a controller would). */
  readonly abortAt?: number;
}

const arbPlan: fc.Arbitrary<Plan> = fc
  .record({
    scenario: fc.constantFrom(...Object.keys(natural)),
    retries: fc.integer({ min: 0, max: 2 }),
    abortAt: fc.option(fc.integer({ min: 0, max: 8000 }), { nil: undefined }),
  })
  // A task that cannot end on its own is always aborted at some point.
  .map(({ abortAt, ...p }) => {
    const at = abortAt ?? (natural[p.scenario] === undefined ? 3000 : undefined);
    return at === undefined ? p : { ...p, abortAt: at };
  });

const STEP = 250;
const HORIZON = 30 * 60_000;

/**
 * Property runs each build a world and drive it for up to 30 virtual minutes, so they cost far more than a pure
 * law's: a fixed share of the global count (KUBETASKS_RUNS raises it for a soak).
 */
const runs = Math.max(10, Math.round((fc.readConfigureGlobal().numRuns ?? 100) / 5));

describe('manager under random interleavings', () => {
  test.prop(
    [
      fc.array(arbPlan, { minLength: 1, maxLength: 4 }),
      fc.option(fc.integer({ min: 1, max: 14 }), { nil: undefined }),
      fc.option(fc.integer({ min: 1, max: 14 }), { nil: undefined }),
    ],
    { numRuns: runs },
  )(
    'every task ends once, as its scenario or an abort decides; nothing created twice or left behind',
    async (plans, crashAt, loseAt) => {
      const w = await makeWorld();
      world = w;
      let writes = 0;
      let crashed = false;
      w.cluster.beforeWrite = () => {
        writes++;
        if (writes === crashAt && !crashed) {
          crashed = true;
          // The process dies before this write reaches the server: only what the store holds survives.
          void w.manager.stop();
        }
      };
      // The server commits write `loseAt` but its answer times out (the caller cannot tell whether it happened).
      w.cluster.loseAnswer = () =>
        writes === loseAt
          ? statusError('Timeout', 'the server was unable to return a response in time')
          : undefined;
      const ids = plans.map((_, i) => `t${i}`);
      plans.forEach((p, i) => {
        expect(w.manager.submit(ids[i]!, podTask(`a${i}`, p.scenario, {}, p.retries))).toEqual(
          E.right(undefined),
        );
      });
      const aborted = new Set<string>();
      let restarted = false;
      const allFinal = () => ids.every((id) => w.manager.state(id)?.stage._tag === 'Done');
      for (let now = 0; now <= HORIZON && !(allFinal() && !crashed); now += STEP) {
        if (crashed && !restarted) {
          restarted = true;
          crashed = false;
          w.manager = await w.newManager();
          // The aborts the dead process took are asked again.
          for (const id of aborted) w.manager.abort(id, 'user');
        }
        plans.forEach((p, i) => {
          const id = ids[i]!;
          if (p.abortAt !== undefined && p.abortAt <= now && !aborted.has(id)) {
            aborted.add(id);
            w.manager.abort(id, 'user');
          }
        });
        await w.clock.advance(STEP);
      }
      await w.manager.idle();

      for (const [i, p] of plans.entries()) {
        const id = ids[i]!;
        const finals = w.updates.filter((u) => u.taskId === id && u.final).map((u) => u.phaseInfo.phase);
        const final = w.manager.current(id)?.phase;
        const allowed = [natural[p.scenario], ...(p.abortAt === undefined ? [] : ['Aborted'])];
        expect(allowed, `${id} ${JSON.stringify(p)} ended ${final}`).toContain(final);
        // Once final, always the same final: a restart may repeat it, never change it.
        expect(new Set(finals), `${id} finals ${finals.join(',')}`).toEqual(new Set([final]));
        // Nothing follows the final answer.
        const last = w.updates.filter((u) => u.taskId === id).at(-1);
        expect(last?.final).toBe(true);
      }
      expect([...w.cluster.creates].filter(([, n]) => n > 1)).toEqual([]);
      expect(await leakedFinalizers(w.memory)).toEqual([]);
      for (const id of ids) expect(await w.manager.forget(id)).toBe(true);
      const stored = await w.store.list()();
      expect(E.isRight(stored) && stored.right.tasks.length).toBe(0);
    },
  );
});
