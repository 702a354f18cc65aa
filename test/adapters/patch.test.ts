// Patch application: JSON merge patch (RFC 7386 examples and laws), JSON Patch (RFC 6902) and strategic merge patch.
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  jsonPatch,
  mergePatch,
  strategicMergePatch,
  type SmpSchema,
} from '../../src/adapters/memory/patch.js';
import { arbJson, PROTOTYPE_KEYS } from '../../src/testing/json-arbitraries.js';

// Keys include `__proto__`, `constructor` and the like: the API server treats them as ordinary fields.
const json = arbJson();
const object = fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd', ...PROTOTYPE_KEYS), json, {
  maxKeys: 4,
  noNullPrototype: true,
});
const parsed = (text: string): unknown => JSON.parse(text);

describe('keys Object.prototype has are ordinary fields', () => {
  it('JSON merge patch sets, merges and deletes them', () => {
    expect(JSON.stringify(mergePatch({}, parsed('{"__proto__":{"a":1}}')))).toBe('{"__proto__":{"a":1}}');
    expect(JSON.stringify(mergePatch(parsed('{"__proto__":{"a":1}}'), parsed('{"__proto__":{"b":2}}')))).toBe(
      '{"__proto__":{"a":1,"b":2}}',
    );
    expect(mergePatch(parsed('{"__proto__":{"a":1},"x":1}'), parsed('{"__proto__":null}'))).toEqual({ x: 1 });
    expect(mergePatch({}, { constructor: { a: 1 } })).toEqual({ constructor: { a: 1 } });
  });

  it.each([
    [[{ op: 'add', path: '/__proto__', value: { a: 1 } }], '{"x":1,"__proto__":{"a":1}}'],
    [[{ op: 'add', path: '/__proto__/b', value: 2 }], undefined],
    [[{ op: 'remove', path: '/constructor' }], undefined],
    [[{ op: 'replace', path: '/toString', value: 1 }], undefined],
    [[{ op: 'copy', from: '/constructor', path: '/y' }], undefined],
  ])('JSON Patch %j on {"x":1} gives %s (undefined: refused)', (ops, result) => {
    const r = jsonPatch({ x: 1 }, ops);
    if (result === undefined) expect(E.isLeft(r)).toBe(true);
    else expect(E.isRight(r) && JSON.stringify(r.right)).toBe(result);
  });

  it('strategic merge patch merges them as maps and never takes Object members for schema fields', () => {
    const schema: SmpSchema = { fields: { a: { mergeKey: 'name' } } };
    const r = strategicMergePatch(parsed('{"__proto__":{"a":1}}'), parsed('{"__proto__":{"b":2}}'), schema);
    expect(E.isRight(r) && JSON.stringify(r.right)).toBe('{"__proto__":{"a":1,"b":2}}');
    const lists = strategicMergePatch({ constructor: [{ name: 'x' }] }, { constructor: [{ v: 1 }] }, schema);
    expect(lists).toEqual(E.right({ constructor: [{ v: 1 }] }));
  });
});

describe('JSON merge patch', () => {
  it.each([
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [
      ['a', 'b'],
      ['c', 'd'],
      ['c', 'd'],
    ],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ])('RFC 7386 example: %j + %j = %j', (target, patch, result) => {
    expect(mergePatch(target, patch)).toEqual(result);
  });

  test.prop([object])('the empty patch changes nothing', (o) => {
    expect(mergePatch(o, {})).toEqual(o);
  });

  test.prop([object, object])('is idempotent', (o, p) => {
    expect(mergePatch(mergePatch(o, p), p)).toEqual(mergePatch(o, p));
  });

  test.prop([object, object])('does not modify its inputs', (o, p) => {
    const before = JSON.stringify([o, p]);
    mergePatch(o, p);
    expect(JSON.stringify([o, p])).toBe(before);
  });
});

describe('JSON Patch', () => {
  const doc = { a: { b: [1, 2, 3] }, c: 'x' };
  const apply = (ops: unknown) => jsonPatch(doc, ops);

  it.each([
    [[{ op: 'add', path: '/d', value: 1 }], { ...doc, d: 1 }],
    [[{ op: 'add', path: '/a/b/1', value: 9 }], { a: { b: [1, 9, 2, 3] }, c: 'x' }],
    [[{ op: 'add', path: '/a/b/-', value: 9 }], { a: { b: [1, 2, 3, 9] }, c: 'x' }],
    [[{ op: 'remove', path: '/c' }], { a: { b: [1, 2, 3] } }],
    [[{ op: 'replace', path: '/c', value: 'y' }], { ...doc, c: 'y' }],
    [[{ op: 'move', from: '/c', path: '/d' }], { a: { b: [1, 2, 3] }, d: 'x' }],
    [[{ op: 'copy', from: '/a/b/0', path: '/e' }], { ...doc, e: 1 }],
    [[{ op: 'test', path: '/c', value: 'x' }], doc],
    [[{ op: 'add', path: '/x~1y', value: 1 }], { ...doc, 'x/y': 1 }],
  ])('%j', (ops, result) => {
    expect(apply(ops)).toEqual(E.right(result));
  });

  it.each([
    [[{ op: 'test', path: '/c', value: 'nope' }], 'unprocessable'],
    [[{ op: 'remove', path: '/missing' }], 'unprocessable'],
    [[{ op: 'replace', path: '/missing', value: 1 }], 'unprocessable'],
    [[{ op: 'add', path: '/a/b/9', value: 1 }], 'unprocessable'],
    [[{ op: 'frobnicate', path: '/c' }], 'malformed'],
    [{ op: 'add' }, 'malformed'],
    [[{ op: 'add', path: 'no-slash', value: 1 }], 'malformed'],
  ])('refuses %j (%s)', (ops, kind) => {
    const r = apply(ops);
    expect(E.isLeft(r) && r.left.kind).toBe(kind);
  });

  it('is all or nothing', () => {
    const r = jsonPatch(doc, [
      { op: 'add', path: '/d', value: 1 },
      { op: 'test', path: '/c', value: 'no' },
    ]);
    expect(E.isLeft(r)).toBe(true);
    expect(doc).toEqual({ a: { b: [1, 2, 3] }, c: 'x' });
  });

  const deepFreeze = <A>(u: A): A => {
    if (typeof u === 'object' && u !== null) {
      for (const v of Object.values(u)) deepFreeze(v);
      Object.freeze(u);
    }
    return u;
  };
  const op = fc.oneof(
    fc.record({
      op: fc.constantFrom('add', 'replace'),
      path: fc.constantFrom('/a', '/a/b', '/a/b/0', '/a/b/-', '/c', '/e/f', ''),
      value: json,
    }),
    fc.record({ op: fc.constant('remove'), path: fc.constantFrom('/a', '/a/b', '/a/b/1', '/c', '/e/f') }),
    fc.record({
      op: fc.constantFrom('move', 'copy'),
      from: fc.constantFrom('/a/b', '/a/b/0', '/c', '/e'),
      path: fc.constantFrom('/d', '/a/b/0', '/e/g'),
    }),
  );

  test.prop([fc.array(op, { maxLength: 5 })])(
    'on a frozen document: the same result as on a plain copy, and the document is untouched',
    (ops) => {
      const plain = { a: { b: [1, 2, 3] }, c: 'x', e: { f: { g: [true] } } };
      const frozen = deepFreeze(structuredClone(plain));
      const expected = jsonPatch(plain, ops);
      const got = jsonPatch(frozen, ops);
      expect(got).toEqual(expected);
      expect(frozen).toEqual({ a: { b: [1, 2, 3] }, c: 'x', e: { f: { g: [true] } } });
    },
  );

  it('shares what a patch of a frozen document leaves alone', () => {
    const frozen = deepFreeze({ metadata: { finalizers: ['a', 'b'] }, spec: { x: [1] } });
    const r = jsonPatch(frozen, [{ op: 'replace', path: '/metadata/finalizers', value: ['a'] }]);
    const out = E.isRight(r) ? (r.right as typeof frozen) : undefined;
    expect(out?.metadata.finalizers).toEqual(['a']);
    expect(out?.spec).toBe(frozen.spec);
    expect(frozen.metadata.finalizers).toEqual(['a', 'b']);
  });
});

describe('strategic merge patch', () => {
  const schema: SmpSchema = {
    fields: {
      metadata: { type: { fields: { finalizers: { primitiveSet: true } } } },
      spec: {
        type: {
          fields: {
            containers: { mergeKey: 'name', items: { fields: { env: { mergeKey: 'name' } } } },
          },
        },
      },
      status: { type: { fields: { conditions: { mergeKey: 'type' } } } },
    },
  };
  const pod = {
    metadata: { finalizers: ['a/x'], labels: { l: '1' } },
    spec: {
      containers: [
        { name: 'main', image: 'img:1', env: [{ name: 'A', value: '1' }] },
        { name: 'side', image: 'side:1' },
      ],
      tolerations: [{ key: 't' }],
    },
    status: { conditions: [{ type: 'Ready', status: 'False' }] },
  };
  const smp = (patch: unknown) => strategicMergePatch(pod, patch, schema);

  it('merges list items by their merge key, in the order apimachinery gives them', () => {
    const r = smp({
      spec: {
        containers: [
          { name: 'main', image: 'img:2', env: [{ name: 'B', value: '2' }] },
          { name: 'new', image: 'n:1' },
        ],
      },
    });
    expect(r).toEqual(
      E.right({
        ...pod,
        spec: {
          ...pod.spec,
          // apimachinery's order: the patch's items in its order, server-only items by their old place.
          containers: [
            {
              name: 'main',
              image: 'img:2',
              env: [
                { name: 'B', value: '2' },
                { name: 'A', value: '1' },
              ],
            },
            { name: 'new', image: 'n:1' },
            { name: 'side', image: 'side:1' },
          ],
        },
      }),
    );
  });

  it.each([
    [['a'], ['b'], ['b', 'a']],
    [['a', 'b', 'c'], ['b'], ['a', 'b', 'c']],
    [
      ['a', 'b'],
      ['c', 'a'],
      ['c', 'a', 'b'],
    ],
    [
      ['a', 'b', 'c'],
      ['c', 'a'],
      ['b', 'c', 'a'],
    ],
    [[], ['x', 'x'], ['x']],
  ])('orders the set %j patched with %j as %j', (server, patch, result) => {
    const r = strategicMergePatch(
      { metadata: { finalizers: server } },
      { metadata: { finalizers: patch } },
      schema,
    );
    expect(r).toEqual(E.right({ metadata: { finalizers: result } }));
  });

  it('deletes an item with $patch: delete and replaces a list with $patch: replace', () => {
    const deleted = smp({ spec: { containers: [{ name: 'side', $patch: 'delete' }] } });
    expect(E.isRight(deleted) && (deleted.right as typeof pod).spec.containers.map((c) => c.name)).toEqual([
      'main',
    ]);
    const replaced = smp({
      status: { conditions: [{ $patch: 'replace' }, { type: 'Initialized', status: 'True' }] },
    });
    expect(E.isRight(replaced) && (replaced.right as typeof pod).status.conditions).toEqual([
      { type: 'Initialized', status: 'True' },
    ]);
  });

  it('merges conditions by type', () => {
    const r = smp({
      status: {
        conditions: [
          { type: 'Ready', status: 'True' },
          { type: 'PodScheduled', status: 'True' },
        ],
      },
    });
    expect(E.isRight(r) && (r.right as typeof pod).status.conditions).toEqual([
      { type: 'Ready', status: 'True' },
      { type: 'PodScheduled', status: 'True' },
    ]);
  });

  it('treats finalizers as a set, with $deleteFromPrimitiveList', () => {
    const added = smp({ metadata: { finalizers: ['a/x', 'b/y'] } });
    expect(E.isRight(added) && (added.right as typeof pod).metadata.finalizers).toEqual(['a/x', 'b/y']);
    const removed = smp({ metadata: { '$deleteFromPrimitiveList/finalizers': ['a/x'] } });
    expect(E.isRight(removed) && (removed.right as typeof pod).metadata.finalizers).toEqual([]);
  });

  it('replaces lists without a merge key, deletes with null, and handles map directives', () => {
    const r = smp({ spec: { tolerations: [{ key: 'u' }] }, metadata: { labels: null } });
    expect(E.isRight(r) && (r.right as typeof pod).spec.tolerations).toEqual([{ key: 'u' }]);
    expect(E.isRight(r) && 'labels' in (r.right as typeof pod).metadata).toBe(false);
    const gone = smp({ status: { $patch: 'delete' } });
    expect(E.isRight(gone) && 'status' in (gone.right as object)).toBe(false);
    const fresh = smp({ metadata: { $patch: 'replace', labels: { n: '2' } } });
    expect(E.isRight(fresh) && (fresh.right as typeof pod).metadata).toEqual({ labels: { n: '2' } });
  });

  it('ignores $setElementOrder and $retainKeys', () => {
    const r = smp({
      spec: {
        '$setElementOrder/containers': [{ name: 'side' }, { name: 'main' }],
        $retainKeys: ['containers'],
      },
    });
    expect(r).toEqual(E.right(pod));
  });

  it('refuses an item without its merge key, and a non-object patch', () => {
    const r = smp({ spec: { containers: [{ image: 'x' }] } });
    expect(E.isLeft(r) && r.left.kind).toBe('unprocessable');
    expect(E.isLeft(strategicMergePatch(pod, [1], schema))).toBe(true);
  });

  test.prop([object, object])(
    'without list metadata it agrees with JSON merge patch on list-free documents',
    (o, p) => {
      const noLists = (u: unknown): boolean =>
        !Array.isArray(u) && (typeof u !== 'object' || u === null || Object.values(u).every(noLists));
      fc.pre(noLists(o) && noLists(p));
      expect(strategicMergePatch(o, p, undefined)).toEqual(E.right(mergePatch(o, p)));
    },
  );
});

// The store keeps patch results without copying them again: that is safe only if no container of the caller's
// patch body ends up inside a result.
describe('patch results share no container with the patch body', () => {
  const containers = (u: unknown, out = new Set<unknown>()): Set<unknown> => {
    if (typeof u === 'object' && u !== null) {
      out.add(u);
      for (const v of Object.values(u)) containers(v, out);
    }
    return out;
  };
  const sharesNothing = (result: unknown, body: unknown): boolean => {
    const fromBody = containers(body);
    return [...containers(result)].every((c) => !fromBody.has(c));
  };
  const named = fc.record({ name: fc.constantFrom('x', 'y', 'z'), v: json });
  const smpBody = fc.record(
    { a: fc.array(named, { maxLength: 3 }), b: object, c: fc.array(json, { maxLength: 3 }), d: json },
    { requiredKeys: [] },
  );
  const schema: SmpSchema = { fields: { a: { mergeKey: 'name' }, b: { type: {} } } };

  test.prop([object, object])('JSON merge patch', (target, body) => {
    expect(sharesNothing(mergePatch(target, body), body)).toBe(true);
  });

  test.prop([object, smpBody])('strategic merge patch', (target, body) => {
    const r = strategicMergePatch(target, body, schema);
    expect(E.isRight(r) && sharesNothing(r.right, body)).toBe(E.isRight(r));
  });

  test.prop([object, fc.constantFrom('add', 'replace'), fc.constantFrom('a', 'b', 'e'), json])(
    'JSON Patch add and replace',
    (target, op, key, value) => {
      const body = [{ op, path: `/${key}`, value }];
      const r = jsonPatch(target, body);
      if (E.isRight(r)) expect(sharesNothing(r.right, body)).toBe(true);
      else expect(op === 'replace' && !(key in target)).toBe(true);
    },
  );
});
