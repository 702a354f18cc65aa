// The TaskExecution status function: never backwards, conditions in metav1.Condition's shape, final is final.
import { describe, expect, it } from 'vitest';
import { test, fc } from '@fast-check/vitest';
import * as PI from '../../src/domain/phase-info.js';
import { parseInstant } from '../../src/domain/time.js';
import {
  CONDITION_REASON,
  MESSAGE_LIMIT,
  nextStatus,
  progressKey,
  rejectedStatus,
  showsLess,
  SUCCEEDED,
  TaskExecutionStatusC,
  type StatusUpdate,
  type TaskExecutionStatus,
} from '../../src/domain/task-execution-status.js';
import { arbPhaseInfo } from '../../src/testing/arbitraries.js';
import * as O from 'fp-ts/lib/Option.js';
import * as E from 'fp-ts/lib/Either.js';

const T0 = Date.UTC(2026, 11, 7, 12, 0, 0);

const arbUpdate: fc.Arbitrary<StatusUpdate> = fc.record({
  phaseInfo: arbPhaseInfo,
  attempt: fc.nat(3),
  final: fc.boolean(),
  at: fc.integer({ min: T0, max: T0 + 3_600_000 }),
  generation: fc.nat(3),
});

/** Updates in time order, as the manager emits them. */
const arbUpdates = fc.array(arbUpdate, { maxLength: 25 }).map((us) => [...us].sort((a, b) => a.at - b.at));

const fold = (us: ReadonlyArray<StatusUpdate>): TaskExecutionStatus[] =>
  us.reduce<TaskExecutionStatus[]>((acc, u) => [...acc, nextStatus(acc[acc.length - 1] ?? {}, u)], [{}]);

const cmp = (a: readonly number[], b: readonly number[]): number => {
  for (let i = 0; i < a.length; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
};

const wellFormed = (s: TaskExecutionStatus): void => {
  expect(E.isRight(TaskExecutionStatusC.decode(TaskExecutionStatusC.encode(s)))).toBe(true);
  if (s.phase === undefined) return;
  const conditions = s.conditions ?? [];
  expect(conditions.filter((c) => c.type === SUCCEEDED)).toHaveLength(1);
  for (const c of conditions) {
    expect(['True', 'False', 'Unknown']).toContain(c.status);
    expect(c.reason).toMatch(CONDITION_REASON);
    expect(c.message.length).toBeLessThanOrEqual(MESSAGE_LIMIT);
    expect(O.isSome(parseInstant(c.lastTransitionTime))).toBe(true);
  }
};

describe('showsLess', () => {
  test.prop([arbUpdates])(
    'no status nextStatus reaches shows less than one before it; none shows less than itself',
    (us) => {
      const ss = fold(us);
      for (let i = 0; i < ss.length; i++) {
        expect(showsLess(ss[i]!, ss[i]!)).toBe(false);
        for (let j = 0; j < i; j++) expect(showsLess(ss[i]!, ss[j]!)).toBe(false);
      }
    },
  );

  it.each([
    [
      'Running shows less than the outcome',
      { phase: 'Running' },
      { phase: 'Success', completionTime: 'x' },
      true,
    ],
    [
      'an outcome never shows less',
      { phase: 'Success', completionTime: 'x' },
      { phase: 'Running', attempt: 3 },
      false,
    ],
    [
      'an earlier attempt shows less',
      { phase: 'Running', attempt: 0 },
      { phase: 'Queued', attempt: 1 },
      true,
    ],
    ['a later phase does not', { phase: 'Running' }, { phase: 'Queued' }, false],
    [
      'a lower phase version shows less',
      { phase: 'Running', phaseVersion: 0 },
      { phase: 'Running', phaseVersion: 1 },
      true,
    ],
    ['nothing shows less than a phase', {}, { phase: 'Queued' }, true],
  ] as const)('%s', (_, a, b, expected) => {
    expect(showsLess(a as TaskExecutionStatus, b as TaskExecutionStatus)).toBe(expected);
  });
});

describe('nextStatus', () => {
  test.prop([arbUpdates])('the status never goes backwards: (attempt, phase, version) only grows', (us) => {
    const ss = fold(us);
    for (let i = 1; i < ss.length; i++) {
      expect(cmp(progressKey(ss[i]!), progressKey(ss[i - 1]!))).toBeGreaterThanOrEqual(0);
    }
  });

  test.prop([arbUpdates])(
    'every status is well-formed (its codec accepts it, conditions as metav1)',
    (us) => {
      for (const s of fold(us)) wellFormed(s);
    },
  );

  test.prop([arbUpdates])('once completionTime is written nothing changes', (us) => {
    const ss = fold(us);
    const i = ss.findIndex((s) => s.completionTime !== undefined);
    if (i >= 0) for (const s of ss.slice(i)) expect(s).toEqual(ss[i]);
  });

  test.prop([arbUpdates])('lastTransitionTime moves only when the condition status changes', (us) => {
    const ss = fold(us);
    for (let i = 1; i < ss.length; i++) {
      const a = ss[i - 1]!.conditions?.find((c) => c.type === SUCCEEDED);
      const b = ss[i]!.conditions?.find((c) => c.type === SUCCEEDED);
      if (a !== undefined && b !== undefined && a.status === b.status)
        expect(b.lastTransitionTime).toBe(a.lastTransitionTime);
    }
  });

  test.prop([arbUpdates, fc.jsonValue()])('the state is kept as it is', (us, state) => {
    const start: TaskExecutionStatus = { state: { opaque: state } };
    const end = us.reduce(nextStatus, start);
    expect(end.state).toEqual({ opaque: state });
  });

  it('a pod task from Queued to Success: Unknown, then True with completion time', () => {
    const q = nextStatus(
      {},
      { phaseInfo: PI.queued(T0, 0, 'task submitted'), attempt: 0, final: false, at: T0 },
    );
    expect(q).toMatchObject({ phase: 'Queued', attempt: 0, startTime: '2026-12-07T12:00:00Z' });
    expect(q.conditions).toEqual([
      {
        type: 'Succeeded',
        status: 'Unknown',
        reason: 'Queued',
        message: 'task submitted',
        lastTransitionTime: '2026-12-07T12:00:00Z',
      },
    ]);
    const done = nextStatus(q, { phaseInfo: PI.success(), attempt: 0, final: true, at: T0 + 5000 });
    expect(done).toMatchObject({ phase: 'Success', completionTime: '2026-12-07T12:00:05Z' });
    expect(done.conditions?.[0]).toMatchObject({
      status: 'True',
      lastTransitionTime: '2026-12-07T12:00:05Z',
    });
  });

  it('a failure carries the error code as the reason and the error without its message', () => {
    const f = nextStatus(
      {},
      { phaseInfo: PI.failure('OOMKilled', 'out of memory'), attempt: 1, final: true, at: T0 },
    );
    expect(f).toMatchObject({
      phase: 'PermanentFailure',
      reason: 'OOMKilled',
      message: 'out of memory',
      error: { code: 'OOMKilled', kind: 'USER' },
      attempt: 1,
    });
    expect(f.conditions?.[0]?.status).toBe('False');
  });

  it('a retryable failure is not final: the next attempt starts over from Queued', () => {
    const r = nextStatus(
      {},
      { phaseInfo: PI.retryableFailure('Error', 'exit 1'), attempt: 0, final: false, at: T0 },
    );
    expect(r.completionTime).toBeUndefined();
    expect(r.conditions?.[0]?.status).toBe('Unknown');
    const q = nextStatus(r, { phaseInfo: PI.queued(T0, 0, 'again'), attempt: 1, final: false, at: T0 + 1 });
    expect(q).toMatchObject({ phase: 'Queued', attempt: 1 });
    expect(q.error).toBeUndefined();
  });

  it('rejectedStatus is a final, permanent USER failure', () => {
    const s = rejectedStatus('BadTaskExecution', 'spec.task.type: missing', T0, 2);
    expect(s).toMatchObject({
      phase: 'PermanentFailure',
      error: { code: 'BadTaskExecution', kind: 'USER' },
      message: 'spec.task.type: missing',
      observedGeneration: 2,
    });
    wellFormed(s);
    expect(nextStatus(s, { phaseInfo: PI.success(), attempt: 0, final: true, at: T0 })).toBe(s);
  });
});
