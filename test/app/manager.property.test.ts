// The plugin manager under random interleavings: several tasks, aborts at random times, a crash before a random
// write and a restart, a write whose answer is lost, random API faults; every task ends as expected, once, and
// leaves nothing behind.
import { describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { makeMemoryStateStore } from '../../src/adapters/state-store/memory.js';
import type { StateStore } from '../../src/ports/state-store.js';
import { isSettled } from '../../src/domain/lifecycle/step.js';
import type { Phase } from '../../src/domain/phase.js';
import { statusError } from '../../src/domain/api-error.js';
import type { FaultRule } from '../../src/adapters/memory/index.js';
import { arbRules } from './fault-arbitraries.js';
import { leakedFinalizers, makeWorld, NAMESPACE, podTask, type World, type WorldOptions } from './harness.js';

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

interface Trouble {
  /** The process dies as this write is sent (counting from 1), and a new one starts on the same store. */
  readonly crashAt?: number;
  /** The server commits this write but its answer times out (the caller cannot tell whether it happened). */
  readonly loseAt?: number;
  /** Random API faults on the manager's calls, switched off after this many virtual ms so everything can settle. */
  readonly faults?: {
    readonly seed: number;
    readonly rules: ReadonlyArray<FaultRule>;
    readonly until: number;
  };
  /** The state store refuses puts at random (write-ahead: those steps run no command), until this many ms. */
  readonly storeFaults?: { readonly seed: number; readonly probability: number; readonly until: number };
}

/** A store that refuses puts with the given probability while `failing` (a seeded draw, so a run replays). */
const flakyStore = (
  inner: StateStore,
  seed: number,
  probability: number,
): { readonly store: StateStore; readonly stop: () => void; readonly refused: () => number } => {
  let x = seed >>> 0 || 1;
  let failing = true;
  let refused = 0;
  const draw = (): number => {
    // xorshift32: a tiny deterministic generator, enough to spread failures.
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 2 ** 32;
  };
  return {
    store: {
      ...inner,
      put: (record) =>
        failing && draw() < probability
          ? (refused++, TE.left({ _tag: 'StateStoreError', message: 'the disk is full' }))
          : inner.put(record),
    },
    stop: () => void (failing = false),
    refused: () => refused,
  };
};

/** A fresh world per run, closed whatever the outcome. */
const runAndCheck = async (plans: ReadonlyArray<Plan>, trouble: Trouble): Promise<void> => {
  const flaky =
    trouble.storeFaults === undefined
      ? undefined
      : flakyStore(makeMemoryStateStore(), trouble.storeFaults.seed, trouble.storeFaults.probability);
  const options: WorldOptions = {
    ...(trouble.faults === undefined
      ? {}
      : { faults: { seed: trouble.faults.seed, rules: trouble.faults.rules } }),
    ...(flaky === undefined ? {} : { store: flaky.store }),
  };
  const w = await makeWorld(undefined, options);
  try {
    await drive(w, plans, trouble, flaky?.stop);
  } finally {
    await w.close();
  }
};

/** Drives one world through the plans and the trouble, then checks the laws. */
const drive = async (
  w: World,
  plans: ReadonlyArray<Plan>,
  trouble: Trouble,
  storeRecovers: () => void = () => undefined,
): Promise<void> => {
  let writes = 0;
  let crashed = false;
  w.cluster.beforeWrite = () => {
    writes++;
    if (writes === trouble.crashAt && !crashed) {
      crashed = true;
      w.crash();
    }
  };
  w.cluster.loseAnswer = () =>
    writes === trouble.loseAt
      ? statusError('Timeout', 'the server was unable to return a response in time')
      : undefined;
  const ids = plans.map((_, i) => `t${i}`);
  plans.forEach((p, i) => {
    expect(w.manager.submit(ids[i]!, podTask(`a${i}`, p.scenario, {}, p.retries))).toEqual(
      E.right(undefined),
    );
  });
  const aborted = new Set<string>();
  // Settled: final, and every object cleaned up (a refused finalizer removal is retried after the final answer).
  const allSettled = () =>
    ids.every((id) => {
      const st = w.manager.state(id);
      return st !== undefined && isSettled(st);
    });
  for (let now = 0; now <= HORIZON && !(allSettled() && !crashed); now += STEP) {
    if (crashed) {
      crashed = false;
      w.manager = await w.newManager();
      // A submit the dead process never stored (its store refused the write) is sent again, as a controller
      // re-sends what it has no durable answer for; the aborts the dead process took are asked again.
      plans.forEach((p, i) => {
        const id = ids[i]!;
        if (w.manager.state(id) === undefined)
          w.manager.submit(id, podTask(`a${i}`, p.scenario, {}, p.retries));
      });
      for (const id of aborted) w.manager.abort(id, 'user');
    }
    if (trouble.faults !== undefined && now >= trouble.faults.until) w.faulty?.setRules([]);
    if (trouble.storeFaults !== undefined && now >= trouble.storeFaults.until) storeRecovers();
    plans.forEach((p, i) => {
      const id = ids[i]!;
      if (p.abortAt !== undefined && p.abortAt <= now && !aborted.has(id)) {
        aborted.add(id);
        w.manager.abort(id, 'user');
      }
    });
    await w.clock.advance(STEP);
  }
  w.faulty?.setRules([]);
  storeRecovers();
  await w.manager.idle();

  for (const [i, p] of plans.entries()) {
    const id = ids[i]!;
    const finals = w.updates.filter((u) => u.taskId === id && u.final).map((u) => u.phaseInfo.phase);
    const info = w.manager.current(id);
    const final = info?.phase;
    const allowed = [natural[p.scenario], ...(p.abortAt === undefined ? [] : ['Aborted'])];
    // Under API faults a task may also run out of its system-failure budget, and must then say so.
    const systemFailure =
      trouble.faults !== undefined && final === 'PermanentFailure' && info?.error?.kind === 'SYSTEM';
    expect(
      systemFailure || allowed.includes(final),
      `${id} ${JSON.stringify(p)} ended ${JSON.stringify(info)}`,
    ).toBe(true);
    // Once final, always the same final: a restart may repeat it, never change it.
    expect(new Set(finals), `${id} finals ${finals.join(',')}`).toEqual(new Set([final]));
    // Nothing follows the final answer.
    expect(w.updates.filter((u) => u.taskId === id).at(-1)?.final).toBe(true);
  }
  // A write the dead process sent may still land, late (slow calls): then a deleted object can come back, and
  // the law is that it is cleaned up again, not that it was created once.
  if (trouble.crashAt === undefined || trouble.faults === undefined)
    expect([...w.cluster.creates].filter(([, n]) => n > 1)).toEqual([]);
  expect(await leakedFinalizers(w.memory)).toEqual([]);
  // An aborted task leaves no pod behind, not even one a dead process's late create brought back.
  await w.clock.advance(60_000);
  await w.manager.idle();
  const pods = await w.memory.list({ apiVersion: 'v1', kind: 'Pod' }, { namespace: NAMESPACE })();
  const names = E.isRight(pods) ? pods.right.items.map((p) => p.metadata?.name ?? '') : [];
  for (const [i, id] of ids.entries())
    if (w.manager.current(id)?.phase === 'Aborted')
      expect(names.filter((n) => n.startsWith(`r1-a${i}-`))).toEqual([]);
  for (const id of ids) expect(await w.manager.forget(id)).toBe(true);
  const stored = await w.store.list()();
  expect(E.isRight(stored) && stored.right.tasks.length).toBe(0);
};

const arbWrite = fc.option(fc.integer({ min: 1, max: 14 }), { nil: undefined });
const arbPlans = fc.array(arbPlan, { minLength: 1, maxLength: 4 });

describe('manager under random interleavings', () => {
  test.prop([arbPlans, arbWrite, arbWrite], { numRuns: runs })(
    'every task ends once, as its scenario or an abort decides; nothing created twice or left behind',
    async (plans, crashAt, loseAt) => {
      await runAndCheck(plans, {
        ...(crashAt === undefined ? {} : { crashAt }),
        ...(loseAt === undefined ? {} : { loseAt }),
      });
    },
  );

  test.prop([arbPlans, arbWrite, fc.integer(), arbRules, fc.integer({ min: 0, max: 60_000 })], {
    numRuns: runs,
  })(
    'under random API faults, and once they stop: the same, or a SYSTEM failure past the budget',
    async (plans, crashAt, seed, rules, until) => {
      await runAndCheck(plans, {
        ...(crashAt === undefined ? {} : { crashAt }),
        faults: { seed, rules, until },
      });
    },
  );

  test.prop(
    [
      arbPlans,
      arbWrite,
      fc.integer(),
      fc.double({ min: 0.05, max: 0.5, noNaN: true }),
      fc.integer({ min: 0, max: 60_000 }),
    ],
    {
      numRuns: runs,
      examples: [
        // Found by a soak: after the crash the resumed create of r1-a0-0-s2 and the removal of the finalizer of
        // the same (preempted) pod went out together; the removal freed the name and the create made a second pod.
        [
          [
            { scenario: 'preempted', retries: 0 },
            { scenario: 'succeed', retries: 0, abortAt: 0 },
          ],
          9,
          1017920607,
          0.30725042079575365,
          3001,
        ],
      ],
    },
  )(
    'with a state store that refuses writes at random, and once it recovers: the same',
    async (plans, crashAt, seed, probability, until) => {
      await runAndCheck(plans, {
        ...(crashAt === undefined ? {} : { crashAt }),
        storeFaults: { seed, probability, until },
      });
    },
  );
});
