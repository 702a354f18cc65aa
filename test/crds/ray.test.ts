// The Ray plugin against KubeRay's real RayJob CRD: examples, built cases, generated tasks, operator statuses.
import { fc, test } from '@fast-check/vitest';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { rayOperator } from '../../src/adapters/operators/ray.js';
import { decodePlatformConfigWith } from '../../src/domain/plugin-config.js';
import type { PlatformConfig } from '../../src/domain/platform-config.js';
import { buildResource } from '../../src/plugins/ray/build.js';
import { raySection } from '../../src/plugins/ray/config.js';
import { rayPlugin } from '../../src/plugins/ray/plugin.js';
import { arbBuildContext, arbRayTaskExecution } from '../../src/testing/index.js';
import { allRayBuilds } from '../plugins/ray/cases.js';
import { buildRay } from '../plugins/ray/fixtures.js';
import { rayTask as task } from '../adapters/operators/tasks.js';
import { crdValidator } from './crd-dir.js';
import { exampleManifests } from './examples.js';
import { operatorStates, SCENARIOS } from './operator-runs.js';

const validate = crdValidator('RayJob', 'v1');

describe('examples/ray', () => {
  const rows = exampleManifests('examples/ray', rayPlugin);

  it('finds the examples', () => {
    expect(rows.length).toBeGreaterThanOrEqual(4);
  });

  it.each(rows)('%s (%s) builds a RayJob the CRD accepts', (_f, _c, make) => {
    expect(validate(make())).toEqual([]);
  });
});

describe('built RayJobs (test/plugins/ray/cases.ts)', () => {
  it.each(allRayBuilds)('%s: the CRD accepts it', (_, ctx) => {
    expect(validate(buildRay(ctx))).toEqual([]);
  });
});

describe('generated tasks', () => {
  const arbCtx = arbBuildContext.chain((ctx) =>
    arbRayTaskExecution(fc.constant(ctx.task)).map((task) => ({ ...ctx, task })),
  );

  test.prop([arbCtx], { numRuns: 60 })('every built RayJob is accepted by the CRD', (ctx) => {
    const r = buildResource(ctx);
    if (E.isLeft(r)) {
      expect(['BadTaskSpecification', 'PodSecurityViolation', 'MetadataTooLarge']).toContain(r.left.code);
      return;
    }
    expect(validate(r.right)).toEqual([]);
  });
});

describe('the simulated KubeRay writes statuses the CRD accepts', () => {
  const configOf = (ray: Record<string, unknown> = {}): PlatformConfig => {
    const r = decodePlatformConfigWith([raySection])({ plugins: { ray } });
    if (E.isLeft(r)) throw new Error('bad config');
    return r.right;
  };
  const scenarios: ReadonlyArray<
    readonly [string, Readonly<Record<string, string>>, Record<string, unknown>]
  > = [
    ...SCENARIOS.map(([name, a]) => [name, a, {}] as const),
    [
      'HTTPMode with a failing driver',
      { 'kubetasks.dev/scenario': 'exit:1' },
      { submissionMode: 'HTTPMode' },
    ],
  ];

  it.each(scenarios.map(([name, a, c], i) => [name, a, c, i] as const))(
    '%s',
    async (_, annotations, ray, i) => {
      const states = await operatorStates({
        namespace: 'ml',
        kind: { apiVersion: 'ray.io/v1', kind: 'RayJob', plural: 'rayjobs', statusSubresource: true },
        operator: rayOperator,
        plugin: rayPlugin,
        task: task(`r${i}`, annotations),
        config: configOf(ray),
      });
      expect(states.some((s) => s['status'] !== undefined)).toBe(true);
      for (const s of states) expect(validate(s)).toEqual([]);
    },
  );
});
