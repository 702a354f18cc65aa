// Environment variables: unique names, last writer wins by source precedence, deterministic order, idempotent.
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import type { EnvVar } from '../../../../src/domain/kubernetes.js';
import { combineEnv, systemEnv } from '../../../../src/plugins/pod/build/env.js';
import { build, buildFails, config, ctxOf, envOf, primaryOf, task } from './fixtures.js';

const v = (name: string, value: string): EnvVar => ({ name, value });
const arbEnv = fc.array(
  fc.record({ name: fc.constantFrom('A', 'B', 'C', 'D'), value: fc.constantFrom('1', '2', '3') }),
  { maxLength: 5 },
);

describe('combineEnv', () => {
  it('orders names by first appearance in system, platform, execution, container; values by precedence', () => {
    const out = combineEnv(
      [v('S', 'sys')],
      [v('P', 'plat'), v('X', 'plat'), v('C', 'plat')],
      [v('X', 'exec')],
      [v('C', 'own'), v('S', 'own'), v('N', '1'), v('N', '2')],
    );
    expect(out).toEqual([v('S', 'sys'), v('P', 'plat'), v('X', 'exec'), v('C', 'own'), v('N', '2')]);
  });

  test.prop([arbEnv, arbEnv, arbEnv, arbEnv])(
    'names are unique; applying again to the result changes nothing',
    (s, p, x, c) => {
      const once = combineEnv(s, p, x, c);
      expect(new Set(once.map((e) => e.name)).size).toBe(once.length);
      expect(combineEnv(s, p, x, once)).toEqual(once);
    },
  );

  test.prop([arbEnv, arbEnv, arbEnv, arbEnv])(
    'each value is the last one of the highest source that names it',
    (s, p, x, c) => {
      const out = new Map(combineEnv(s, p, x, c).map((e) => [e.name, e.value]));
      for (const name of ['A', 'B', 'C', 'D']) {
        const winner = [s, x, c, p].find((g) => g.some((e) => e.name === name));
        expect(out.get(name)).toBe(
          winner === undefined ? undefined : [...winner].reverse().find((e) => e.name === name)?.value,
        );
      }
    },
  );
});

describe('env in built pods', () => {
  it('names the execution (Flyte variable names), then platform, execution and task variables', () => {
    const pod = build(
      ctxOf(
        task(
          {
            container: {
              image: 'x',
              env: [
                { name: 'TZ', value: 'Europe/Paris' },
                { name: 'Z', value: '1' },
              ],
            },
          },
          { attempt: 2, environment: { RUN_MODE: 'fast' } },
        ),
        config({ 'default-env-vars': { TZ: 'UTC', REGION: 'eu' } }),
      ),
    );
    const env = primaryOf(pod).env ?? [];
    expect(env.map((e) => e.name)).toEqual([
      ...systemEnv(ctxOf(task({}, { attempt: 2 })).task).map((e) => e.name),
      'REGION',
      'TZ',
      'RUN_MODE',
      'Z',
    ]);
    expect(envOf(primaryOf(pod))).toMatchObject({
      FLYTE_ATTEMPT_NUMBER: '2',
      FLYTE_INTERNAL_EXECUTION_ID: 'r1',
      TZ: 'Europe/Paris',
      REGION: 'eu',
    });
    expect(env.find((e) => e.name === '_F_PN')).toEqual({
      name: '_F_PN',
      valueFrom: { fieldRef: { fieldPath: 'metadata.name' } },
    });
  });

  it('duplicate task variables collapse to the last value', () => {
    const pod = build(
      ctxOf(
        task({
          container: {
            image: 'x',
            env: [
              { name: 'A', value: '1' },
              { name: 'A', value: '2' },
            ],
          },
        }),
      ),
    );
    expect((primaryOf(pod).env ?? []).filter((e) => e.name === 'A')).toEqual([v('A', '2')]);
  });

  it('refuses an invalid variable name, naming it', () => {
    const bad = buildFails(ctxOf(task({ container: { image: 'x', env: [{ name: 'A=B', value: '1' }] } })));
    expect(bad.path).toEqual(['task', 'container', 'env', 0, 'name']);
    expect(buildFails(ctxOf(task({}, { environment: { 'X=1': 'v' } }))).path).toEqual([
      'execution',
      'environment',
      'X=1',
    ]);
  });
});
