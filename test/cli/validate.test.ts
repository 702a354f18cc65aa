// `kubetasks validate` and `render --validate-crds` through the built CLI, on small synthetic CRDs: 0 valid, 1 invalid, 2 bad input.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli, tempFiles } from './spawn.js';

const CRDS = 'test/fixtures/crds';
const SPARK_CRD = 'test/fixtures/spark-crd';
const SPARK_FILE = 'sparkoperator.k8s.io_sparkapplications.yaml';

const files = tempFiles('kubetasks-validate-');
const tmp = files.write;

/** A CRD directory holding the synthetic Spark CRD with `edit` applied to its text. */
const sparkCrdDir = (edit: (text: string) => string): string => {
  const dir = files.path('crds');
  mkdirSync(dir);
  writeFileSync(join(dir, SPARK_FILE), edit(readFileSync(join(SPARK_CRD, SPARK_FILE), 'utf8')));
  return dir;
};

const widget = (spec: string, name = 'w'): string =>
  `apiVersion: example.dev/v1\nkind: Widget\nmetadata: {name: ${name}}\nspec: ${spec}\n`;

describe('kubetasks validate', () => {
  it('exits 0 on valid objects, from several documents, Lists and standard input', () => {
    const multi = tmp('multi.yaml', `${widget('{size: 1}')}---\n${widget('{size: 2, mode: Slow}', 'w2')}`);
    const list = tmp(
      'list.json',
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: [
          { apiVersion: 'other.example/v2', kind: 'Gizmo', metadata: { name: 'g' }, spec: { weight: 1.5 } },
        ],
      }),
    );
    const r = runCli(['validate', multi, list, '-', '--crds', CRDS], widget('{size: 3}'));
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toBe(`4 object(s) valid against the CRDs in ${CRDS}\n`);
  });

  it('exits 1 and names the object, the path, what was expected and the CRD file', () => {
    const file = tmp('bad.yaml', widget('{sise: 1, mode: Medium}', 'mine'));
    const r = runCli(['validate', file, '--crds', CRDS]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const crd = join(CRDS, 'example.dev_widgets.yaml');
    expect(r.stderr.trim().split('\n').sort()).toEqual(
      [
        `${file}: Widget mine: spec.size: missing, the CRD requires it [CRD ${crd}, version v1]`,
        `${file}: Widget mine: spec.mode: expected one of "Fast", "Slow", got "Medium" [CRD ${crd}, version v1]`,
        `${file}: Widget mine: spec.sise: unknown field, the CRD does not declare it (did you mean "size"?) [CRD ${crd}, version v1]`,
      ].sort(),
    );
  });

  it('exits 1 for a custom kind no CRD in the directory defines', () => {
    const r = runCli(
      ['validate', '-', '--crds', CRDS],
      'apiVersion: ray.io/v1\nkind: RayJob\nmetadata: {name: j}\n',
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('<stdin>: RayJob j: kind: no CRD defines RayJob in group ray.io');
  });

  it('notes a built-in kind instead of checking it', () => {
    const r = runCli(['validate', '-', '--crds', CRDS], 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('note: <stdin>: Pod p: v1 Pod is a built-in kind; no CRD checks it\n');
  });

  it.each<[string, ReadonlyArray<string>, string | undefined, RegExp]>([
    [
      'a missing CRD directory',
      ['validate', '-', '--crds', 'no/such/dir'],
      widget('{}'),
      /^--crds no\/such\/dir: no such directory\n$/,
    ],
    [
      'a directory without CRD files',
      ['validate', '-', '--crds', 'docs/plugins'],
      widget('{}'),
      /no CRD files \(\*\.yaml, \*\.yml, \*\.json\)/,
    ],
    [
      'a file that is not a CRD',
      ['validate', '-', '--crds', 'examples/pod-templates'],
      widget('{}'),
      /ml-base\.yaml: expected a CustomResourceDefinition/,
    ],
    ['no --crds', ['validate', '-'], widget('{}'), /required option '--crds <dir>' not specified/],
    [
      'a missing manifest',
      ['validate', 'nope.yaml', '--crds', CRDS],
      undefined,
      /^nope\.yaml: cannot read: no such file\n$/,
    ],
    [
      'a task file',
      ['validate', 'examples/tasks/hello.yaml', '--crds', CRDS],
      undefined,
      /a task file, not a manifest; .*kubetasks render examples\/tasks\/hello\.yaml --validate-crds DIR/,
    ],
    ['an empty manifest', ['validate', '-', '--crds', CRDS], '', /<stdin>: holds no Kubernetes object/],
  ])('exits 2 on bad input: %s', (_, args, input, message) => {
    const r = runCli(args, input);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});

describe('kubetasks render --validate-crds', () => {
  const task = 'examples/spark/pyspark.yaml';

  it('prints the manifest when the CRD accepts it', () => {
    const r = runCli(['render', task, '-c', 'examples/platform.yaml', '--validate-crds', SPARK_CRD]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(parse(r.stdout).kind).toBe('SparkApplication');
  });

  it('exits 1 and prints nothing on standard output when the CRD refuses it', () => {
    const dir = sparkCrdDir((t) => t.replace('enum: [Java, Python, R, Scala]', 'enum: [Java, Scala]'));
    const r = runCli(['render', task, '-c', 'examples/platform.yaml', '--validate-crds', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `${task}: SparkApplication r7f3a2-wordcount-0: spec.type: expected one of "Java", "Scala", got "Python" [CRD ${join(dir, SPARK_FILE)}, version v1beta2]\n`,
    );
  });

  it('checks the version the plugin writes against the versions the CRD serves', () => {
    const dir = sparkCrdDir((t) => t.replace('name: v1beta2', 'name: v1beta1'));
    const r = runCli(['render', task, '--validate-crds', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'apiVersion: version v1beta2 of SparkApplication is not in the CRD; it serves v1beta1',
    );
  });

  it('checks the object as created, with the metadata the manager adds, against the CRD of its kind', () => {
    // The synthetic CRD declares no metadata at its root, which is otherwise strict: metadata is the API server's to check.
    const dir = sparkCrdDir((t) => t);
    copyFileSync(join(CRDS, 'example.dev_widgets.yaml'), join(dir, 'widgets.yaml'));
    const r = runCli(['render', task, '--with-metadata', '-o', 'json', '--validate-crds', dir]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).metadata).toMatchObject({
      name: 'r7f3a2-wordcount-0',
      namespace: 'demo-development',
    });
  });

  it('notes that a pod is a built-in kind', () => {
    const r = runCli(['render', 'examples/tasks/hello.yaml', '--validate-crds', SPARK_CRD]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /^note: examples\/tasks\/hello\.yaml: Pod \S+: v1 Pod is a built-in kind; no CRD checks it\n$/,
    );
  });

  it('exits 2 when the CRD directory is missing', () => {
    const absent = files.path('absent');
    const r = runCli(['render', task, '--validate-crds', absent]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`--validate-crds ${absent}: no such directory\n`);
  });
});
