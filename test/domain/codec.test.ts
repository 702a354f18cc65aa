// Tests for codec building blocks: when encoding can be skipped because it is the identity.
import { fc, test } from '@fast-check/vitest';
import * as t from 'io-ts';
import { describe, expect, it } from 'vitest';
import { encodesAsIdentity } from '../../src/domain/codec.js';
import { StoredTaskStateC } from '../../src/domain/lifecycle/state.js';
import { DurationFromString } from '../../src/domain/time.js';

const Plain = t.readonly(
  t.intersection([
    t.type({ n: t.number, tag: t.keyof({ a: null, b: null }), list: t.readonlyArray(t.string) }),
    t.partial({ nested: t.union([t.type({ s: t.string }), t.literal('none')]) }),
  ]),
);

describe('encodesAsIdentity', () => {
  it.each([
    ['a primitive', t.string, true],
    ['plain structs, partials, intersections, unions, arrays', Plain, true],
    ['the stored task state', StoredTaskStateC, true],
    ['a transforming codec', DurationFromString, false],
    ['a struct holding a transforming codec', t.type({ d: DurationFromString }), false],
    [
      'an intersection holding one',
      t.intersection([t.type({ a: t.string }), t.partial({ d: DurationFromString })]),
      false,
    ],
    ['an array of them', t.array(DurationFromString), false],
  ])('%s: %s', (_name, codec, expected) => {
    expect(encodesAsIdentity(codec)).toBe(expected);
  });

  test.prop([
    fc.record(
      {
        n: fc.double({ noNaN: true }),
        tag: fc.constantFrom('a' as const, 'b' as const),
        list: fc.array(fc.string()),
        nested: fc.oneof(fc.record({ s: fc.string() }), fc.constant('none' as const)),
      },
      { requiredKeys: ['n', 'tag', 'list'] },
    ),
  ])('when it holds, encode returns a structurally equal value', (value) => {
    expect(encodesAsIdentity(Plain)).toBe(true);
    expect(Plain.encode(value)).toStrictEqual(value);
  });
});
