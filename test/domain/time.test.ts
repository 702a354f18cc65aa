// Time values: Go duration notation and RFC 3339 instants.
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import * as O from 'fp-ts/lib/Option.js';
import * as _ from '../../src/domain/time.js';

describe('durations', () => {
  it.each([
    ['0', 0],
    ['0s', 0],
    ['500ms', 500],
    ['10s', 10_000],
    ['3m', 180_000],
    ['1h30m', 5_400_000],
    ['1.5s', 1500],
    ['2h45m30s', 9_930_000],
    ['1us', 1],
  ])('parses %s', (s, ms) => expect(_.parseDuration(s)).toEqual(O.some(ms)));

  it.each(['', '3', 'm', '3 m', '-1s', '3d', 'lots', '1h 30m'])('rejects %j', (s) =>
    expect(_.parseDuration(s)).toEqual(O.none),
  );

  it.each([
    [0, '0s'],
    [500, '500ms'],
    [180_000, '3m0s'],
    [3_600_000, '1h0m0s'],
    [240_000, '4m0s'],
    [1500, '1.5s'],
  ])('formats %d as %s (Go notation)', (ms, s) => expect(_.formatDuration(ms)).toBe(s));

  test.prop([fc.nat({ max: 10 * 24 * 3_600_000 })])('parse(format(d)) == d', (d) => {
    expect(_.parseDuration(_.formatDuration(d))).toEqual(O.some(d));
  });

  test.prop([fc.string()])('parse is total', (s) => {
    expect(() => _.parseDuration(s)).not.toThrow();
  });
});

describe('instants', () => {
  it('parses Kubernetes timestamps and nothing else', () => {
    expect(_.parseInstant('2026-01-01T00:00:00Z')).toEqual(O.some(1_767_225_600_000));
    expect(_.parseInstant('2026-01-01T00:00:00.5+00:00')).toEqual(O.some(1_767_225_600_500));
    expect(_.parseInstant('')).toEqual(O.none);
    expect(_.parseInstant(null)).toEqual(O.none);
    expect(_.parseInstant('0001-01-01')).toEqual(O.none);
    expect(_.formatInstant(1_767_225_600_999)).toBe('2026-01-01T00:00:00Z');
  });

  test.prop([fc.integer({ min: 0, max: 4_000_000_000 })])(
    'formatInstant round-trips at second precision',
    (s) => {
      expect(_.parseInstant(_.formatInstant(s * 1000))).toEqual(O.some(s * 1000));
    },
  );
});

describe('remembered timestamps', () => {
  // Many more distinct values than the memo holds, so answers come both from it and from fresh computation.
  test.prop([fc.array(fc.integer({ min: 0, max: 4_102_444_800_000 }), { minLength: 1, maxLength: 1500 })])(
    'formatting and parsing answer the same with or without the memo',
    (instants) => {
      for (const i of [...instants, ...instants]) {
        const text = _.formatInstant(i);
        expect(text).toBe(new Date(Math.floor(i / 1000) * 1000).toISOString().replace('.000Z', 'Z'));
        expect(_.parseInstant(text)).toEqual(O.some(Math.floor(i / 1000) * 1000));
      }
    },
  );

  it('does not remember malformed text as valid', () => {
    expect(_.parseInstant('2026-01-01')).toEqual(O.none);
    expect(_.parseInstant('2026-01-01')).toEqual(O.none);
    expect(_.parseInstant('2026-13-45T00:00:00Z')).toEqual(O.none);
    expect(_.parseInstant('2026-13-45T00:00:00Z')).toEqual(O.none);
  });
});
