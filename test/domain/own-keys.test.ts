// Untrusted keys as own data properties: `__proto__` and Object.prototype's other names are ordinary keys.
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { assignOwn, ownValue, setOwn } from '../../src/domain/own-keys.js';
import { cloneJson, jsonEqual } from '../../src/adapters/memory/json.js';
import { stripNulls } from '../../src/plugins/pod/build/json.js';
import { arbJson, arbJsonKey, PROTOTYPE_KEYS } from '../../src/testing/json-arbitraries.js';

const parsedCopy = (u: unknown): unknown => JSON.parse(JSON.stringify(u) ?? 'null');

// toStrictEqual compares `constructor` members as types, so an own `constructor` key defeats it: compare the JSON
// text (own enumerable keys, in order) and check that every object kept Object.prototype.
const plainEverywhere = (u: unknown): boolean =>
  typeof u !== 'object' || u === null
    ? true
    : Array.isArray(u)
      ? u.every(plainEverywhere)
      : Object.getPrototypeOf(u) === Object.prototype && Object.values(u).every(plainEverywhere);
const expectSameJson = (actual: unknown, expected: unknown): void => {
  expect(JSON.stringify(actual)).toBe(JSON.stringify(expected));
  expect(plainEverywhere(actual)).toBe(true);
};

describe('setOwn and assignOwn', () => {
  it.each(PROTOTYPE_KEYS)('%s becomes an own, enumerable key and the prototype stays', (key) => {
    const o: Record<string, unknown> = {};
    setOwn(o, key, { x: 1 });
    expect(Object.keys(o)).toEqual([key]);
    expect(Object.getPrototypeOf(o)).toBe(Object.prototype);
    expect(JSON.stringify(o)).toBe(`{"${key}":{"x":1}}`);
  });

  test.prop([fc.array(fc.tuple(arbJsonKey, fc.integer()), { maxLength: 6 })])(
    'setOwn writes as JSON.parse reads: the last value of each key, in first-write order',
    (pairs) => {
      const o: Record<string, unknown> = {};
      for (const [k, v] of pairs) setOwn(o, k, v);
      const text = `{${pairs.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;
      expectSameJson(o, JSON.parse(text));
    },
  );

  it('assignOwn copies every own key of every source in order', () => {
    const a = JSON.parse('{"__proto__":{"p":1},"a":1}') as Record<string, unknown>;
    const out = assignOwn({}, a, undefined, { a: 2 });
    expectSameJson(out, JSON.parse('{"__proto__":{"p":1},"a":2}'));
    expect((out as { p?: unknown }).p).toBeUndefined();
  });
});

describe('ownValue', () => {
  const table: Readonly<Record<string, number>> = { a: 1 };
  it.each(PROTOTYPE_KEYS)('does not read Object.prototype.%s', (key) => {
    expect(ownValue(table, key)).toBeUndefined();
  });
  it('reads own keys', () => {
    expect(ownValue(table, 'a')).toBe(1);
    expect(ownValue(JSON.parse('{"__proto__":2}') as Record<string, number>, '__proto__')).toBe(2);
  });
});

describe('JSON helpers keep prototype-named keys', () => {
  test.prop([arbJson()])('cloneJson equals a parse of the serialised value', (u) => {
    expectSameJson(cloneJson(u), parsedCopy(u));
  });

  test.prop([arbJson(), arbJson()])(
    'jsonEqual agrees with comparing serialised key-sorted copies',
    (a, b) => {
      const sorted = (u: unknown): unknown =>
        Array.isArray(u)
          ? u.map(sorted)
          : typeof u === 'object' && u !== null
            ? {
                object: Object.keys(u)
                  .sort()
                  .map((k) => [k, sorted((u as Record<string, unknown>)[k])]),
              }
            : u;
      expect(jsonEqual(a, b)).toBe(JSON.stringify(sorted(a)) === JSON.stringify(sorted(b)));
      expect(jsonEqual(a, cloneJson(a))).toBe(true);
    },
  );

  it('an own __proto__ key is not equal to a missing one', () => {
    expect(jsonEqual(JSON.parse('{"__proto__":{}}'), { x: 1 })).toBe(false);
    expect(jsonEqual(JSON.parse('{"__proto__":{}}'), JSON.parse('{"__proto__":{}}'))).toBe(true);
  });

  test.prop([arbJson()])('stripNulls keeps every key whose value is not null', (u) => {
    const dropNulls = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(dropNulls)
        : typeof v === 'object' && v !== null
          ? JSON.parse(
              JSON.stringify(v, (_k, x: unknown) =>
                typeof x === 'object' && x !== null && !Array.isArray(x)
                  ? Object.fromEntries(Object.entries(x).filter(([, y]) => y !== null))
                  : x,
              ),
            )
          : v;
    expectSameJson(stripNulls(u), dropNulls(u));
  });
});
