// The command/args template engine: every variable, case rules, single-pass substitution and its errors.
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import * as E from 'fp-ts/lib/Either.js';
import type { TaskExecution } from '../../../../src/domain/task.js';
import {
  perRetryUniqueKey,
  renderString,
  templateValues,
} from '../../../../src/plugins/pod/build/template-vars.js';
import { build, buildFails, ctxOf, primaryOf, task } from './fixtures.js';

const te = (
  io: NonNullable<TaskExecution['execution']['io']>,
  inputs?: Record<string, unknown>,
  run = 'r1',
): TaskExecution =>
  task(
    {},
    { id: { run, action: 'a' }, namespace: 'team-a', io, ...(inputs === undefined ? {} : { inputs }) },
  );

const full = te(
  {
    inputPrefix: 's3://b/in/',
    outputPrefix: 's3://b/out',
    previousCheckpointPrefix: 's3://b/prev/_flytecheckpoints',
  },
  { n: 3, s: 'hello', b: false, f: 0.5, l: [1, 'a', [true]], tricky: '{{ .Input }}', o: { x: 1 }, z: null },
);
const render = (s: string, execution: TaskExecution = full) => renderString(s, templateValues(execution));

describe('template variables (spec 3.10)', () => {
  it.each([
    ['{{ .Input }}', 's3://b/in/inputs.pb'],
    ['{{.input}}', 's3://b/in/inputs.pb'],
    ['{{ $Input }}', 's3://b/in/inputs.pb'],
    ['{{ .InputPrefix }}', 's3://b/in'],
    ['{{ .OutputPrefix }}', 's3://b/out'],
    ['{{ .RawOutputDataPrefix }}', 's3://b/out'],
    ['{{ .CheckpointOutputPrefix }}', 's3://b/out/_flytecheckpoints'],
    ['{{ .PrevCheckpointPrefix }}', 's3://b/prev/_flytecheckpoints'],
    ['{{ .PerRetryUniqueKey }}', 'r1_a_0'],
    ['{{ .TaskTemplatePath }}', 'inline://taskTemplate'],
    ['{{ .Namespace }}', 'team-a'],
    ['--n={{ .Inputs.n }} --s={{.Inputs.s}}', '--n=3 --s=hello'],
    ['{{ .Inputs.b }} {{ .Inputs.f }}', 'false 0.5'],
    ['{{ .Inputs.l }}', '[1,a,[true]]'],
    ['{{ .Inputs.tricky }}', '{{ .Input }}'],
    ['{{ .Unknown }} {{ .Input', '{{ .Unknown }} {{ .Input'],
    ['{{Input}} {{ .Input.x }}', '{{Input}} {{ .Input.x }}'],
    ['plain text', 'plain text'],
  ])('%s → %s', (input, expected) => {
    expect(render(input)).toEqual(E.right(expected));
  });

  it('renders an empty previous checkpoint as the two characters ""', () => {
    expect(render('{{ .PrevCheckpointPrefix }}', te({ inputPrefix: 'x', outputPrefix: 'y' }))).toEqual(
      E.right('""'),
    );
  });

  it('expands {{ .Namespace }} inside io paths, and explicit raw and checkpoint prefixes win', () => {
    const e = te({
      inputPrefix: 's3://b/{{ .Namespace }}/in',
      outputPrefix: 's3://b/out',
      rawOutputPrefix: 's3://raw/{{.namespace}}',
      checkpointPrefix: 's3://ck',
    });
    expect(render('{{ .Input }} {{ .RawOutputDataPrefix }} {{ .CheckpointOutputPrefix }}', e)).toEqual(
      E.right('s3://b/team-a/in/inputs.pb s3://raw/team-a s3://ck'),
    );
  });

  it.each([
    ['{{ .Inputs.missing }}', /does not have/],
    ['{{ .Inputs.o }}', /is an object/],
    ['{{ .Inputs.z }}', /has no value/],
  ])('%s is an error', (input, message) => {
    const r = render(input);
    expect(E.isLeft(r) && r.left).toMatch(message);
  });

  it('a variable whose io path is missing is an error naming the setting', () => {
    const r = render('{{ .Input }}', te({}));
    expect(E.isLeft(r) && r.left).toBe('{{ .Input }} needs a value, but execution.io.inputPrefix is not set');
    const c = render('{{ .CheckpointOutputPrefix }}', te({}));
    expect(E.isLeft(c) && c.left).toMatch(/checkpointPrefix \(or rawOutputPrefix\) is not set/);
  });

  it.each([
    ['r1-a-0', 'r1_a_0'],
    ['1run-a-0', 'arun_a_0'],
    ['--x..y', 'ax_y'],
    ['abc', 'abc'],
  ])('PerRetryUniqueKey of %s is %s', (name, key) => {
    expect(perRetryUniqueKey(name)).toBe(key);
  });

  test.prop([fc.string({ maxLength: 30 })])('text without "{{" is left as it is', (s) => {
    fc.pre(!s.includes('{{'));
    expect(render(s)).toEqual(E.right(s));
  });
});

describe('rendering in built pods', () => {
  it('renders command and args of the task container, and of every pod-spec container', () => {
    const pod = build(
      ctxOf(
        task({
          podTemplate: {
            primaryContainerName: 'main',
            spec: {
              initContainers: [{ name: 'fetch', image: 'x', args: ['{{ .Input }}'] }],
              containers: [
                { name: 'main', image: 'x', command: ['run', '{{ .OutputPrefix }}'] },
                { name: 'side', image: 'y', args: ['{{ .Namespace }}'] },
              ],
            },
          },
        }),
      ),
    );
    expect(pod.spec?.initContainers?.[0]?.args).toEqual(['s3://b/in/inputs.pb']);
    expect(primaryOf(pod).command).toEqual(['run', 's3://b/out']);
    expect(pod.spec?.containers[1]?.args).toEqual(['ns']);
  });

  it('an error names the argument in the task file', () => {
    const e = buildFails(ctxOf(task({ container: { image: 'x', args: ['ok', '{{ .Inputs.nope }}'] } })));
    expect(e.path).toEqual(['task', 'container', 'args', 1]);
    expect(e.message).toMatch(/input "nope"/);
  });
});
