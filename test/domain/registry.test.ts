// The plugin registry: conflicts are error values, lookups fall back to the default, and registration order is kept.
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import * as E from 'fp-ts/lib/Either.js';
import * as O from 'fp-ts/lib/Option.js';
import { pipe } from 'fp-ts/lib/function.js';
import * as PI from '../../src/domain/phase-info.js';
import { defaultPluginProperties, type Plugin } from '../../src/domain/plugin.js';
import * as _ from '../../src/domain/registry.js';

const plugin = (id: string, taskTypes: ReadonlyArray<string>, extra: Partial<Plugin> = {}): Plugin => ({
  id,
  taskTypes,
  watches: { apiVersion: 'v1', kind: 'Pod' },
  properties: defaultPluginProperties,
  buildIdentityResource: () => E.right({ apiVersion: 'v1', kind: 'Pod' }),
  buildResource: () => E.right({ apiVersion: 'v1', kind: 'Pod' }),
  getTaskPhase: () => PI.undefinedPhase,
  isTerminal: () => false,
  completionTime: () => O.none,
  ...extra,
});

const ok = (e: E.Either<_.RegistryError, _.Registry>): _.Registry => {
  if (E.isLeft(e)) throw new Error(_.showRegistryError(e.left));
  return e.right;
};

describe('Registry', () => {
  const pod = plugin('pod', ['container', 'python', 'sidecar'], { isDefault: true });
  const spark = plugin('spark', ['spark'], {
    watches: { apiVersion: 'sparkoperator.k8s.io/v1beta2', kind: 'SparkApplication' },
  });
  const r = ok(_.fromPlugins([pod, spark]));

  it('looks up by task type, falling back to the default', () => {
    expect(
      pipe(
        r,
        _.lookupByTaskType('spark'),
        O.map((p) => p.id),
      ),
    ).toEqual(O.some('spark'));
    expect(
      pipe(
        r,
        _.lookupByTaskType('python'),
        O.map((p) => p.id),
      ),
    ).toEqual(O.some('pod'));
    expect(
      pipe(
        r,
        _.lookupByTaskType('unheard-of'),
        O.map((p) => p.id),
      ),
    ).toEqual(O.some('pod'));
    expect(pipe(ok(_.fromPlugins([spark])), _.lookupByTaskType('unheard-of'))).toEqual(O.none);
  });

  it('looks up by watched kind', () => {
    expect(pipe(r, _.lookupByKind({ apiVersion: 'v1', kind: 'Pod' })).map((p) => p.id)).toEqual(['pod']);
    expect(pipe(r, _.lookupByKind({ apiVersion: 'v1', kind: 'Service' }))).toEqual([]);
    expect(_.watchedKinds(r)).toEqual([pod.watches, spark.watches]);
  });

  it.each([
    ['a duplicate id', [pod, plugin('pod', ['other'])], 'plugin id "pod" is already registered'],
    [
      'a task type claimed twice',
      [pod, plugin('other', ['sidecar'])],
      'task type "sidecar" is claimed by plugin "pod"; plugin "other" cannot claim it too',
    ],
    [
      'a second default',
      [pod, plugin('other', ['x'], { isDefault: true })],
      'plugin "other" cannot be the default: "pod" already is',
    ],
    ['an empty id', [plugin('', ['x'])], 'plugin "": the id is empty'],
    ['no task types', [plugin('x', [])], 'plugin "x": it registers no task types'],
    [
      'a name bound below 8',
      [plugin('x', ['x'], { properties: { ...defaultPluginProperties, generatedNameMaxLength: 7 } })],
      'plugin "x": generatedNameMaxLength must be a whole number from 8 to 253, got 7',
    ],
  ] as const)('rejects %s as an error value', (_name, plugins, message) => {
    const res = _.fromPlugins(plugins);
    expect(E.isLeft(res) ? _.showRegistryError(res.left) : 'registered').toBe(message);
  });

  it('routes task types to registered plugins only', () => {
    const routed = ok(pipe(r, _.withRouting({ python: 'spark' })));
    expect(
      pipe(
        routed,
        _.lookupByTaskType('python'),
        O.map((p) => p.id),
      ),
    ).toEqual(O.some('spark'));
    const bad = pipe(r, _.withRouting({ python: 'nope' }));
    expect(E.isLeft(bad) && _.showRegistryError(bad.left)).toBe(
      'task type "python" is routed to plugin "nope", which is not registered',
    );
  });

  const arbPlugins = fc.array(
    fc.record({
      id: fc.constantFrom('a', 'b', 'c', 'd'),
      types: fc.uniqueArray(fc.constantFrom('t1', 't2', 't3', 't4', 't5'), { minLength: 1, maxLength: 3 }),
      isDefault: fc.boolean(),
    }),
    { maxLength: 6 },
  );

  test.prop([arbPlugins])('registration never throws and keeps its invariants', (specs) => {
    const plugins = specs.map((s) => plugin(s.id, s.types, { isDefault: s.isDefault }));
    const res = _.fromPlugins(plugins);
    if (E.isRight(res)) {
      const reg = res.right;
      expect(new Set(reg.plugins.map((p) => p.id)).size).toBe(reg.plugins.length);
      expect(reg.plugins.filter((p) => p.isDefault === true).length).toBeLessThanOrEqual(1);
      for (const p of reg.plugins) {
        for (const tt of p.taskTypes)
          expect(
            pipe(
              reg,
              _.lookupByTaskType(tt),
              O.map((q) => q.id),
            ),
          ).toEqual(O.some(p.id));
      }
    } else {
      // The first failing prefix is exactly where a conflict appears.
      const ids = new Set<string>();
      const types = new Set<string>();
      let defaults = 0;
      let conflict = false;
      for (const s of specs) {
        conflict ||= ids.has(s.id) || s.types.some((t) => types.has(t)) || (s.isDefault && defaults > 0);
        ids.add(s.id);
        s.types.forEach((t) => types.add(t));
        if (s.isDefault) defaults++;
      }
      expect(conflict).toBe(true);
    }
  });

  test.prop([arbPlugins])('a registry is never mutated by registering into it', (specs) => {
    const before = { plugins: [...r.plugins], taskTypes: new Map(r.taskTypes), defaultId: r.defaultId };
    for (const s of specs) _.register(plugin(s.id, s.types, { isDefault: s.isDefault }))(r);
    expect(r.plugins).toEqual(before.plugins);
    expect(r.taskTypes).toEqual(before.taskTypes);
    expect(r.defaultId).toEqual(before.defaultId);
  });
});
