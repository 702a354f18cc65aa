// Label and field selectors: the API server's syntax, its errors, and matching semantics.
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
} from '../../src/adapters/memory/selectors.js';

const key = fc.constantFrom('app', 'tier', 'kubetasks.dev/owner', 'x');
const value = fc.constantFrom('a', 'b', 'web', '');
const labels = fc.dictionary(key, value, { maxKeys: 4 });

const parse = (s: string) => {
  const r = parseLabelSelector(s);
  if (E.isLeft(r)) throw new Error(r.left);
  return r.right;
};

describe('label selectors', () => {
  it.each([
    ['', []],
    ['a=b', [{ key: 'a', op: '=', values: ['b'] }]],
    ['a==b', [{ key: 'a', op: '=', values: ['b'] }]],
    ['a!=b', [{ key: 'a', op: '!=', values: ['b'] }]],
    ['a in (x, y)', [{ key: 'a', op: 'in', values: ['x', 'y'] }]],
    ['a notin (x)', [{ key: 'a', op: 'notin', values: ['x'] }]],
    ['a', [{ key: 'a', op: 'exists', values: [] }]],
    ['!a', [{ key: 'a', op: '!', values: [] }]],
    [
      'n>3,n<10',
      [
        { key: 'n', op: 'gt', values: ['3'] },
        { key: 'n', op: 'lt', values: ['10'] },
      ],
    ],
    ['a=', [{ key: 'a', op: '=', values: [''] }]],
    [
      'kubetasks.dev/x=y, b',
      [
        { key: 'kubetasks.dev/x', op: '=', values: ['y'] },
        { key: 'b', op: 'exists', values: [] },
      ],
    ],
  ])('parses %j', (s, expected) => {
    expect(parse(s)).toEqual(expected);
  });

  it.each(['a in (x', 'a in x', '=b', 'a b', 'a=b=c', 'Bad Key=1', 'a=-bad-', 'n>x', 'a,,b', 'a=b;'])(
    'refuses %j',
    (s) => {
      const r = parseLabelSelector(s);
      expect(E.isLeft(r) && r.left.startsWith('unable to parse requirement')).toBe(true);
    },
  );

  test.prop([labels, key, value])('k=v matches exactly the label sets with that value', (ls, k, v) => {
    expect(matchesLabels(parse(`${k}=${v}`), ls)).toBe(ls[k] === v);
  });

  test.prop([labels, key, value])('!= is the negation of = (a missing key matches !=)', (ls, k, v) => {
    expect(matchesLabels(parse(`${k}!=${v}`), ls)).toBe(!matchesLabels(parse(`${k}=${v}`), ls));
  });

  test.prop([labels, key])('exists and !exists are complements', (ls, k) => {
    expect(matchesLabels(parse(k), ls)).toBe(!matchesLabels(parse(`!${k}`), ls));
  });

  test.prop([labels, key, fc.uniqueArray(fc.constantFrom('a', 'b', 'web'), { minLength: 1 })])(
    'in is a disjunction of =, notin its negation',
    (ls, k, vs) => {
      const anyEq = vs.some((v) => matchesLabels(parse(`${k}=${v}`), ls));
      expect(matchesLabels(parse(`${k} in (${vs.join(',')})`), ls)).toBe(anyEq);
      expect(matchesLabels(parse(`${k} notin (${vs.join(',')})`), ls)).toBe(!anyEq);
    },
  );

  test.prop([labels, fc.array(fc.tuple(key, value), { minLength: 1, maxLength: 3 })])(
    'a comma is a conjunction',
    (ls, reqs) => {
      const all = reqs.map(([k, v]) => `${k}=${v}`).join(',');
      expect(matchesLabels(parse(all), ls)).toBe(reqs.every(([k, v]) => ls[k] === v));
    },
  );
});

describe('field selectors', () => {
  const supported = (f: string) => ['metadata.name', 'status.phase', 'spec.nodeName'].includes(f);

  it('parses =, == and !=, with escapes', () => {
    expect(
      parseFieldSelector('metadata.name=a,status.phase!=Running,spec.nodeName==n\\,1', supported),
    ).toEqual(
      E.right([
        { field: 'metadata.name', op: '=', value: 'a' },
        { field: 'status.phase', op: '!=', value: 'Running' },
        { field: 'spec.nodeName', op: '=', value: 'n,1' },
      ]),
    );
    expect(parseFieldSelector('', supported)).toEqual(E.right([]));
  });

  it('refuses unsupported fields and bad syntax', () => {
    expect(parseFieldSelector('spec.foo=x', supported)).toEqual(
      E.left('field label not supported: spec.foo'),
    );
    expect(E.isLeft(parseFieldSelector('metadata.name', supported))).toBe(true);
    expect(E.isLeft(parseFieldSelector('metadata.name=a\\q', supported))).toBe(true);
  });

  test.prop([fc.constantFrom('a', 'b', ''), fc.constantFrom('a', 'b', '')])(
    '= and != on one field',
    (actual, wanted) => {
      const eq = parseFieldSelector(`metadata.name=${wanted}`, supported);
      const ne = parseFieldSelector(`metadata.name!=${wanted}`, supported);
      if (E.isLeft(eq) || E.isLeft(ne)) throw new Error('parse');
      expect(matchesFields(eq.right, () => actual)).toBe(actual === wanted);
      expect(matchesFields(ne.right, () => actual)).toBe(actual !== wanted);
    },
  );
});
