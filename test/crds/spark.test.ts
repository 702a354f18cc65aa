// The Spark plugin against the spark-operator's real CRD: examples, built cases, generated tasks, operator statuses.
import { fc, test } from '@fast-check/vitest';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { sparkOperator } from '../../src/adapters/operators/spark.js';
import { addObjectMetadata } from '../../src/domain/object-metadata.js';
import { SparkConfig } from '../../src/plugins/spark/config.js';
import { sparkPlugin } from '../../src/plugins/spark/plugin.js';
import { arbSparkBuildContext } from '../../src/testing/spark-arbitraries.js';
import { sparkBuilds } from '../plugins/spark/cases.js';
import { build } from '../plugins/spark/fixtures.js';
import { sparkTask as task } from '../adapters/operators/tasks.js';
import { crdValidator } from './crd-dir.js';
import { exampleManifests } from './examples.js';
import { operatorStates, SCENARIOS } from './operator-runs.js';

const validate = crdValidator('SparkApplication', 'v1beta2');

describe('examples/spark', () => {
  it.each(exampleManifests('examples/spark', sparkPlugin))(
    '%s (%s) builds a SparkApplication the CRD accepts',
    (_f, _c, make) => {
      expect(validate(make())).toEqual([]);
    },
  );
});

describe('built SparkApplications (test/plugins/spark/cases.ts)', () => {
  it.each(Object.entries(sparkBuilds))('%s: the CRD accepts it', (_, ctx) => {
    expect(validate(build(ctx))).toEqual([]);
  });
});

describe('generated tasks', () => {
  const decodeSection = (s: Record<string, unknown>): unknown => {
    const r = SparkConfig.decode(s);
    if (E.isLeft(r)) throw new Error('generated an invalid spark section');
    return r.right;
  };

  test.prop([arbSparkBuildContext(decodeSection)], { numRuns: 150 })(
    'builds, from every generated (valid) task, a manifest the CRD accepts',
    (ctx) => {
      const r = sparkPlugin.buildResource(ctx);
      if (E.isLeft(r)) throw new Error(`unexpected build error: ${JSON.stringify(r.left)}`);
      expect(validate(addObjectMetadata(ctx, sparkPlugin.properties, r.right))).toEqual([]);
    },
  );
});

describe('the simulated spark-operator writes statuses the CRD accepts', () => {
  const scenarios: ReadonlyArray<readonly [string, Readonly<Record<string, string>>]> = [
    ...SCENARIOS,
    ['OOM in an executor', { 'kubetasks.dev/scenario': 'oom', 'kubetasks.dev/scenario-role': 'executor' }],
    [
      'preemption of an executor',
      {
        'kubetasks.dev/scenario': 'preempted',
        'kubetasks.dev/scenario-role': 'executor',
        'kubetasks.dev/run-duration': '3s',
      },
    ],
  ];

  it.each(scenarios.map(([name, a], i) => [name, a, i] as const))('%s', async (_, annotations, i) => {
    const states = await operatorStates({
      namespace: 'etl',
      kind: {
        apiVersion: 'sparkoperator.k8s.io/v1beta2',
        kind: 'SparkApplication',
        plural: 'sparkapplications',
        statusSubresource: true,
      },
      operator: sparkOperator,
      plugin: sparkPlugin,
      task: task(`s${i}`, annotations),
    });
    expect(states.some((s) => s['status'] !== undefined)).toBe(true);
    for (const s of states) expect(validate(s)).toEqual([]);
  });
});

describe('the validator', () => {
  it('is not vacuous: an unknown field and a wrong type are refused', () => {
    const app = build(sparkBuilds['the default application']);
    const spec = app['spec'] as Record<string, unknown>;
    expect(validate({ ...app, spec: { ...spec, sparkVersoin: '3' } })).toEqual([
      expect.stringMatching(/^spec\.sparkVersoin: unknown field.*did you mean "sparkVersion"/),
    ]);
    expect(validate({ ...app, spec: { ...spec, type: 'Perl' } })).toEqual([
      expect.stringContaining('spec.type: expected one of'),
    ]);
  });

  test.prop([fc.constantFrom('v1beta1', 'v2')])('refuses a version the plugin does not write', (version) => {
    const app = build(sparkBuilds['the default application']);
    expect(validate({ ...app, apiVersion: `sparkoperator.k8s.io/${version}` })).not.toEqual([]);
  });
});
