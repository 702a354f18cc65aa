// The one merge rule: higher wins what it sets, objects merge per field, keyed lists by key, resources per name.
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { mergeValue } from '../../../../src/plugins/pod/build/merge.js';
import { arbJson } from '../../../../src/testing/json-arbitraries.js';

// Keys include `__proto__`, `constructor` and the like: a task file may hold them as ordinary keys.
const json = arbJson();
const keyedItem = fc.record({ name: fc.constantFrom('a', 'b', 'c'), value: fc.constantFrom(1, 2, 3) });
const spec = fc.record(
  {
    volumes: fc.array(keyedItem, { maxLength: 3 }),
    tolerations: fc.array(fc.record({ key: fc.constantFrom('x', 'y'), operator: fc.constant('Exists') }), {
      maxLength: 2,
    }),
    args: fc.array(fc.string({ maxLength: 3 }), { maxLength: 2 }),
    hostNetwork: fc.boolean(),
    securityContext: fc.record({ runAsUser: fc.nat(5), fsGroup: fc.nat(5) }, { requiredKeys: [] }),
  },
  { requiredKeys: [] },
);

describe('mergeValue', () => {
  it.each<[string, unknown, unknown, string | undefined, unknown]>([
    ['a set scalar wins', 1, 2, undefined, 2],
    ['false and zero count as set', true, false, undefined, false],
    ['unset keeps the lower', { a: 1 }, {}, undefined, { a: 1 }],
    [
      'objects merge per field',
      { a: 1, b: { c: 1, d: 1 } },
      { b: { d: 2 } },
      undefined,
      { a: 1, b: { c: 1, d: 2 } },
    ],
    ['plain lists are atomic', { args: ['a', 'b'] }, { args: ['c'] }, undefined, { args: ['c'] }],
    [
      'keyed lists merge by name, the higher item whole',
      { volumes: [{ name: 'a', x: 1 }, { name: 'b' }] },
      { volumes: [{ name: 'a', y: 2 }] },
      undefined,
      { volumes: [{ name: 'b' }, { name: 'a', y: 2 }] },
    ],
    [
      'resources merge per resource name, request and limit together',
      { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '2' } },
      { requests: { cpu: '4' } },
      'resources',
      { requests: { memory: '1Gi', cpu: '4' } },
    ],
    // Found by the idempotence law below (seed -401993473): assignment made the key the prototype instead.
    [
      'a __proto__ key is an ordinary key',
      JSON.parse('{"":{"__proto__":null}}'),
      JSON.parse('{"":{"__proto__":null}}'),
      undefined,
      JSON.parse('{"":{"__proto__":null}}'),
    ],
    [
      'a __proto__ key merges like any other',
      JSON.parse('{"__proto__":{"a":1}}'),
      JSON.parse('{"__proto__":{"b":2},"constructor":[1]}'),
      undefined,
      JSON.parse('{"__proto__":{"a":1,"b":2},"constructor":[1]}'),
    ],
    ['a higher key that Object.prototype has is still set', {}, { toString: 1 }, undefined, { toString: 1 }],
    [
      'a field named constructor is no keyed list',
      { constructor: [1] },
      { constructor: [2] },
      'x',
      { constructor: [2] },
    ],
  ])('%s', (_name, lower, higher, field, expected) => {
    expect(mergeValue(lower, higher, field)).toEqual(expected);
  });

  test.prop([json, json])('idempotent: merging the lower again changes nothing', (l, h) => {
    const once = mergeValue(l, h);
    expect(mergeValue(l, once)).toEqual(once);
  });

  test.prop([spec, spec])(
    'idempotent on pod-spec shapes, and every value the higher side sets survives',
    (l, h) => {
      const once = mergeValue(l, h) as Record<string, unknown>;
      expect(mergeValue(l, once)).toEqual(once);
      if (h.hostNetwork !== undefined) expect(once['hostNetwork']).toBe(h.hostNetwork);
      if (h.args !== undefined) expect(once['args']).toEqual(h.args);
      for (const v of h.volumes ?? []) expect(once['volumes']).toContainEqual(v);
    },
  );
});
