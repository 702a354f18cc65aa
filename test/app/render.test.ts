// Render's pure core: routing a task file to its plugin, building it, and printing what `kubetasks render` prints.
import { fc, test } from '@fast-check/vitest';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { renderedText, renderTaskText } from '../../src/app/render.js';
import { renderInputError } from '../../src/app/source.js';
import { defaultPlatformConfig, type PlatformConfig } from '../../src/domain/platform-config.js';
import type { Registry } from '../../src/domain/registry.js';
import { builtInRegistry } from '../../src/plugins/index.js';

const registry = (): Registry => {
  const r = builtInRegistry();
  if (E.isLeft(r)) throw new Error('the built-in registry is invalid');
  return r.right;
};

const taskFile = (type: string, containerExtra: ReadonlyArray<string> = []): string =>
  [
    'apiVersion: kubetasks.dev/v1alpha1',
    'kind: TaskExecution',
    'task:',
    '  id: { project: demo, domain: development, name: hello, version: v1 }',
    `  type: ${type}`,
    '  container:',
    '    image: busybox:1.36',
    "    command: ['echo', 'hello']",
    ...containerExtra,
    'execution:',
    '  id: { project: demo, domain: development, run: r1, action: hello }',
    '  namespace: demo-development',
    '',
  ].join('\n');

const rejecting: PlatformConfig = {
  ...defaultPlatformConfig,
  tasks: {
    ...defaultPlatformConfig.tasks,
    'task-plugins': { ...defaultPlatformConfig.tasks['task-plugins'], 'unknown-task-types': 'reject' },
  },
};

describe('renderTaskText', () => {
  it('builds a container task with the pod plugin, and prints it as render does', () => {
    const r = renderTaskText(registry(), defaultPlatformConfig, 'task.yaml', taskFile('container'));
    if (E.isLeft(r)) throw new Error(r.left.map(renderInputError).join('\n'));
    expect(r.right.plugin.id).toBe('pod');
    expect(r.right.warnings).toEqual([]);
    expect(r.right.manifest.kind).toBe('Pod');
    expect(r.right.created.metadata?.labels?.['kubetasks.dev/managed']).toBe('true');
    const yaml = renderedText(r.right);
    expect(yaml).toMatch(/^# kubetasks render task\.yaml: the pod plugin's manifest\./);
    expect(yaml).toMatch(/^kind: Pod$/m);
    expect(renderedText(r.right, 'yaml', true)).not.toMatch(/^#/);
    expect(JSON.parse(renderedText(r.right, 'json', true))).toEqual(
      JSON.parse(JSON.stringify(r.right.created)),
    );
  });

  it('falls back to the default plugin with a warning positioned at task.type', () => {
    const r = renderTaskText(registry(), defaultPlatformConfig, 'task.yaml', taskFile('containr'));
    if (E.isLeft(r)) throw new Error(r.left.map(renderInputError).join('\n'));
    expect(r.right.plugin.id).toBe('pod');
    expect(r.right.warnings.map(renderInputError)).toEqual([
      expect.stringMatching(
        /^task\.yaml:5:9: task\.type: warning: unknown task type "containr" \(did you mean "container"\?\); the default plugin, pod, serves it/,
      ),
    ]);
  });

  it('refuses an unknown type under unknown-task-types: reject, at task.type', () => {
    const r = renderTaskText(registry(), rejecting, 'task.yaml', taskFile('containr'));
    expect(E.isLeft(r) && r.left.map(renderInputError)).toEqual([
      expect.stringMatching(
        /^task\.yaml:5:9: task\.type: unknown task type "containr" .*tasks\.task-plugins\.unknown-task-types is reject/,
      ),
    ]);
  });

  it('keeps the fallback warning before a build error, as the CLI prints them', () => {
    const r = renderTaskText(
      registry(),
      defaultPlatformConfig,
      'task.yaml',
      taskFile('containr', ["    resources: { requests: { cpu: '-1' } }"]),
    );
    expect(E.isLeft(r)).toBe(true);
    if (E.isRight(r)) return;
    expect(r.left).toHaveLength(2);
    expect(renderInputError(r.left[0]!)).toMatch(/warning: unknown task type/);
    expect(renderInputError(r.left[1]!)).toMatch(
      /^task\.yaml:9:\d+: task\.container\.resources\.requests\.cpu: /,
    );
  });

  it('overrides the namespace when asked', () => {
    const r = renderTaskText(registry(), defaultPlatformConfig, 't.yaml', taskFile('container'), {
      namespace: 'elsewhere',
    });
    expect(E.isRight(r) && r.right.created.metadata?.namespace).toBe('elsewhere');
  });

  test.prop([fc.string({ maxLength: 200 })])('never throws on any text', (text) => {
    const r = renderTaskText(registry(), defaultPlatformConfig, 'x.yaml', text);
    expect(E.isLeft(r) || r.right.manifest.kind !== undefined).toBe(true);
  });
});
