// Phase: Flyte's ordinal order and predicates, as an exact table and as laws.
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import * as O from 'fp-ts/lib/Option.js';
import * as _ from '../../src/domain/phase.js';
import { arbPhase } from '../../src/testing/arbitraries.js';

describe('Phase', () => {
  it('keeps Flyte ordinals', () => {
    expect(_.phases.map((p, i) => [i, p])).toEqual([
      [0, 'Undefined'],
      [1, 'NotReady'],
      [2, 'WaitingForResources'],
      [3, 'Queued'],
      [4, 'Initializing'],
      [5, 'Running'],
      [6, 'Success'],
      [7, 'RetryableFailure'],
      [8, 'PermanentFailure'],
      [9, 'WaitingForCache'],
      [10, 'Aborted'],
    ]);
  });

  it.each([
    ['Undefined', false, false, false, false, false],
    ['NotReady', false, false, false, false, false],
    ['WaitingForResources', false, false, false, false, true],
    ['Queued', false, false, false, false, false],
    ['Initializing', false, false, false, false, false],
    ['Running', false, false, false, false, false],
    ['Success', true, true, false, false, false],
    ['RetryableFailure', true, false, true, false, false],
    ['PermanentFailure', true, false, true, false, false],
    ['WaitingForCache', false, false, false, false, false],
    ['Aborted', true, false, false, true, false],
  ] as const)(
    '%s: terminal=%s success=%s failure=%s aborted=%s waiting=%s',
    (p, term, succ, fail, ab, wait) => {
      expect([
        _.isTerminal(p),
        _.isSuccess(p),
        _.isFailure(p),
        _.isAborted(p),
        _.isWaitingForResources(p),
      ]).toEqual([term, succ, fail, ab, wait]);
    },
  );

  test.prop([arbPhase])('ordinal and fromOrdinal are inverse', (p) => {
    expect(_.fromOrdinal(_.ordinal(p))).toEqual(O.some(p));
    expect(_.parse(p)).toEqual(O.some(p));
  });

  test.prop([arbPhase, arbPhase])('Ord agrees with ordinals', (a, b) => {
    expect(_.OrdPhase.compare(a, b)).toBe(Math.sign(_.ordinal(a) - _.ordinal(b)));
  });

  test.prop([fc.string()])('parse rejects everything but exact names', (s) => {
    expect(O.isSome(_.parse(s))).toBe((_.phases as ReadonlyArray<string>).includes(s));
  });

  it('stringifies like Flyte and rejects out-of-range ordinals', () => {
    expect(_.toFlyteName('Queued')).toBe('PhaseQueued');
    expect(_.fromOrdinal(11)).toEqual(O.none);
    expect(_.fromOrdinal(-1)).toEqual(O.none);
  });
});
