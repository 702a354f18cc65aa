// CRD validation on small synthetic CRDs: choosing the CRD and version, strict schema errors, and the files it reads.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fc, test } from '@fast-check/vitest';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import {
  checkObject,
  crdCatalog,
  renderViolation,
  type CrdCatalog,
  type CrdCheck,
  type CrdFile,
} from '../../src/app/crd-validation.js';

const DIR = 'test/fixtures/crds';
const FILES: ReadonlyArray<CrdFile> = readdirSync(DIR)
  .filter((n) => /\.ya?ml$/.test(n))
  .map((n) => ({ file: n, text: readFileSync(join(DIR, n), 'utf8') }));

const catalogOf = (files: ReadonlyArray<CrdFile>): CrdCatalog => {
  const r = crdCatalog(files);
  if (E.isLeft(r)) throw new Error(JSON.stringify(r.left));
  return r.right;
};
const catalog = catalogOf(FILES);
const check = checkObject(catalog);

const widget = (spec: Record<string, unknown>, apiVersion = 'example.dev/v1'): Record<string, unknown> => ({
  apiVersion,
  kind: 'Widget',
  metadata: { name: 'w', namespace: 'ns', labels: { any: 'thing' } },
  spec: { size: 3, ...spec },
});

/** The violations as `path: message` lines, without the CRD suffix, for exact comparisons. */
const problems = (r: CrdCheck): ReadonlyArray<string> =>
  r._tag === 'Invalid' ? r.violations.map((v) => `${v.path.join('.')}: ${v.message}`) : [];

describe('the catalog', () => {
  it('reads single CRDs, kubectl Lists and multi-document files, keyed by group and kind', () => {
    expect([...catalog.kinds.keys()].sort()).toEqual([
      'example.dev/Cog',
      'example.dev/Gadget',
      'example.dev/Sprocket',
      'example.dev/Widget',
      'other.example/Gizmo',
    ]);
    expect(catalog.kinds.get('other.example/Gizmo')?.file).toBe('gadgets.yaml');
    expect(catalog.kinds.get('example.dev/Cog')?.file).toBe('sprockets.yml');
  });

  it('refuses a kind defined twice, naming both files', () => {
    const r = crdCatalog([...FILES, { file: 'again.yaml', text: FILES[0]?.text ?? '' }]);
    expect(r).toEqual(
      E.left([
        { file: 'again.yaml', message: 'Widget.example.dev is also defined in example.dev_widgets.yaml' },
      ]),
    );
  });

  it.each([
    [
      'kind: ConfigMap\napiVersion: v1\n',
      'expected a CustomResourceDefinition (apiextensions.k8s.io/v1), got "v1" "ConfigMap"',
    ],
    ['a: [', 'not valid YAML'],
    ['', 'holds no CustomResourceDefinition'],
    [
      'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nspec: {group: g.io, names: {kind: K}}\n',
      'K: the CRD declares no spec.versions',
    ],
    [
      'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nspec: {names: {kind: K}}\n',
      'the CRD has no spec.group or spec.names.kind',
    ],
  ])('refuses a file that is not a usable CRD: %j', (text, message) => {
    const r = crdCatalog([{ file: 'bad.yaml', text }]);
    expect(E.isLeft(r) && r.left[0]?.file).toBe('bad.yaml');
    expect(E.isLeft(r) && r.left[0]?.message).toContain(message);
  });
});

describe('checking an object', () => {
  it('accepts a valid object, naming the CRD file and the version it was checked against', () => {
    expect(check(widget({ mode: 'Fast', port: 'http', tags: ['a'], note: null }))).toEqual({
      _tag: 'Valid',
      file: 'example.dev_widgets.yaml',
      version: 'v1',
    });
    expect(check(widget({ port: 8080, labels: { a: 'b' } }))._tag).toBe('Valid');
  });

  it.each<[string, Record<string, unknown>, ReadonlyArray<string>]>([
    [
      'an unknown field, with a did-you-mean',
      { sise: 4 },
      ['spec.sise: unknown field, the CRD does not declare it (did you mean "size"?)'],
    ],
    ['a missing required field', { size: undefined }, ['spec.size: missing, the CRD requires it']],
    ['a wrong type', { size: '3' }, ['spec.size: expected integer, got "3"']],
    ['a value out of range', { size: 0 }, ['spec.size: must be >= 1, got 0']],
    [
      'a value outside the enum',
      { mode: 'Medium' },
      ['spec.mode: expected one of "Fast", "Slow", got "Medium"'],
    ],
    ['int-or-string given a boolean', { port: true }, ['spec.port: expected integer or string, got true']],
    ['a map value of the wrong type', { labels: { a: 1 } }, ['spec.labels.a: expected string, got 1']],
    ['an array item of the wrong type', { tags: ['a', 2] }, ['spec.tags.1: expected string, got 2']],
    ['null where the CRD does not allow it', { tags: null }, ['spec.tags: expected array, got null']],
    [
      'an unknown field inside an embedded object',
      { owner: { apiVersion: 'v1', kind: 'X', metadata: { name: 'o' }, spec: { replicas: 1, extra: 1 } } },
      ['spec.owner.spec.extra: unknown field, the CRD does not declare it'],
    ],
  ])('reports %s at its path with what the CRD expected', (_, spec, expected) => {
    const o = widget(spec);
    if ('size' in spec && spec['size'] === undefined) delete (o['spec'] as Record<string, unknown>)['size'];
    expect(problems(check(o))).toEqual(expected);
  });

  it('reports every problem at once', () => {
    expect(problems(check(widget({ size: 'x', mode: 'y', colour: 'z' })))).toHaveLength(3);
  });

  it('allows apiVersion, kind and any metadata even when the CRD does not declare them', () => {
    const gadget = {
      apiVersion: 'example.dev/v1beta1',
      kind: 'Gadget',
      metadata: { x: [1] },
      spec: { color: 'red' },
    };
    expect(check(gadget)._tag).toBe('Valid');
    expect(problems(check({ ...gadget, extra: 1 }))).toEqual([
      'extra: unknown field, the CRD does not declare it',
    ]);
  });

  it('chooses the schema by the version of apiVersion', () => {
    expect(problems(check(widget({}, 'example.dev/v1alpha1')))).toEqual([
      'apiVersion: version v1alpha1 of Widget is not served by the CRD; it serves v1',
    ]);
    expect(problems(check(widget({}, 'example.dev/v9')))).toEqual([
      'apiVersion: version v9 of Widget is not in the CRD; it serves v1',
    ]);
  });

  it('refuses a custom kind no CRD defines, and lists the ones it knows', () => {
    const r = check({ apiVersion: 'sparkoperator.k8s.io/v1beta2', kind: 'SparkApplication', spec: {} });
    expect(r._tag).toBe('Invalid');
    expect(problems(r)[0]).toMatch(
      /^kind: no CRD defines SparkApplication in group sparkoperator\.k8s\.io; the CRDs define .*Widget\.example\.dev \(example\.dev_widgets\.yaml\)/,
    );
  });

  it.each([
    ['v1', 'Pod'],
    ['batch/v1', 'Job'],
    ['networking.k8s.io/v1', 'Ingress'],
  ])('leaves a built-in kind (%s %s) unchecked', (apiVersion, kind) => {
    expect(check({ apiVersion, kind, spec: { anything: 1 } })).toEqual({ _tag: 'BuiltIn', apiVersion, kind });
  });

  it('refuses what is not a Kubernetes object', () => {
    expect(problems(check([1]))).toEqual([': expected an object, got [1]']);
    expect(problems(check({ kind: 'Widget' }))).toEqual(['apiVersion: missing, every object has one']);
  });

  it('renders a violation with the CRD file and version', () => {
    const r = check(widget({ sise: 1 }));
    if (r._tag !== 'Invalid') throw new Error('expected Invalid');
    expect(r.violations.map(renderViolation(r))).toEqual([
      'spec.sise: unknown field, the CRD does not declare it (did you mean "size"?) [CRD example.dev_widgets.yaml, version v1]',
    ]);
  });
});

describe('laws', () => {
  const known = ['size', 'mode', 'port', 'labels', 'tags', 'note', 'template', 'owner'];

  test.prop([fc.jsonValue()])('a preserve-unknown-fields object takes any JSON', (template) => {
    expect(check(widget({ template: { value: template } }))._tag).toBe('Valid');
  });

  test.prop([fc.string({ minLength: 1 }).filter((k) => !known.includes(k)), fc.jsonValue()])(
    'every field the CRD does not declare is an error at its path',
    (key, value) => {
      const o = widget({});
      Object.defineProperty(o['spec'], key, { value, enumerable: true, writable: true, configurable: true });
      const r = check(o);
      expect(r._tag).toBe('Invalid');
      expect(r._tag === 'Invalid' && r.violations.map((v) => v.path)).toContainEqual(['spec', key]);
    },
  );

  test.prop([fc.anything()])('never throws, whatever it is given', (u) => {
    expect(['Valid', 'Invalid', 'BuiltIn']).toContain(check(u)._tag);
  });
});
