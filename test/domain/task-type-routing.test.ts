// Routing task types: registered ones to their plugin, unknown ones to the default plugin or nowhere, with a guess.
import * as E from 'fp-ts/lib/Either.js';
import * as O from 'fp-ts/lib/Option.js';
import { describe, expect, it } from 'vitest';
import { routeTaskType, suggestTaskType, type Registry } from '../../src/domain/registry.js';
import { decodePlatformConfig } from '../../src/domain/platform-config.js';
import { builtInRegistry } from '../../src/plugins/index.js';

const registry = ((): Registry => {
  const r = builtInRegistry();
  if (E.isLeft(r)) throw new Error('the built-in registry does not build');
  return r.right;
})();

describe('suggestTaskType', () => {
  it.each([
    ['sprak', 'spark'],
    ['Spark', 'spark'],
    ['job', 'batch-job'],
    ['pytorchjob', 'pytorch'],
    ['PyTorchJob', 'pytorch'],
    ['sparkapplication', 'spark'],
    ['ray-job', 'ray'],
    ['rayjob', 'ray'],
    ['mpijob', 'mpi'],
    ['daskjob', 'dask'],
    ['tensorflw', 'tensorflow'],
    ['pyton', 'python'],
    ['pod', 'container'],
    ['frobnicate', undefined],
    ['tfjob', undefined],
  ])('%s → %s', (taskType, expected) => {
    expect(O.toUndefined(suggestTaskType(taskType)(registry))).toBe(expected);
  });
});

describe('routeTaskType', () => {
  it.each([
    ['container', 'fallback', 'Registered', 'pod'],
    ['spark', 'reject', 'Registered', 'spark'],
    ['batch-job', 'reject', 'Registered', 'batch-job'],
    ['sprak', 'fallback', 'Fallback', 'pod'],
    ['sprak', 'reject', 'Unserved', undefined],
    ['job', 'fallback', 'Fallback', 'pod'],
  ] as const)('%s under %s: %s by %s', (taskType, policy, tag, plugin) => {
    const route = routeTaskType(taskType, policy)(registry);
    expect(route._tag).toBe(tag);
    expect(route._tag === 'Unserved' ? undefined : route.plugin.id).toBe(plugin);
  });

  it('leaves an unknown type unserved when no plugin is the default', () => {
    const noDefault: Registry = { ...registry, defaultId: O.none };
    expect(routeTaskType('sprak', 'fallback')(noDefault)).toEqual({
      _tag: 'Unserved',
      suggestion: O.some('spark'),
    });
  });
});

describe('tasks.task-plugins.unknown-task-types', () => {
  it('defaults to fallback (Flyte) and accepts reject only besides', () => {
    const get = (u: unknown) =>
      E.map(
        (c: { tasks: { 'task-plugins': { 'unknown-task-types': string } } }) =>
          c.tasks['task-plugins']['unknown-task-types'],
      )(decodePlatformConfig(u));
    expect(get({})).toEqual(E.right('fallback'));
    expect(get({ tasks: { 'task-plugins': { 'unknown-task-types': 'reject' } } })).toEqual(E.right('reject'));
    expect(E.isLeft(get({ tasks: { 'task-plugins': { 'unknown-task-types': 'warn' } } }))).toBe(true);
  });
});
