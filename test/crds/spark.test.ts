// The Spark plugin against the spark-operator's real CRD: examples, built cases, generated tasks, operator statuses.
import { fc, test } from '@fast-check/vitest';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { sparkOperator } from '../../src/adapters/operators/spark.js';
import type { KubeObject } from '../../src/domain/kubernetes.js';
import { addObjectMetadata } from '../../src/domain/object-metadata.js';
import type { K8sPluginConfig } from '../../src/domain/platform-config.js';
import type { TaskExecution } from '../../src/domain/task.js';
import { SparkConfig } from '../../src/plugins/spark/config.js';
import { sparkPlugin } from '../../src/plugins/spark/plugin.js';
import { arbSparkBuildContext } from '../../src/testing/spark-arbitraries.js';
import { build, config, ctxOf, sparkTask } from '../plugins/spark/fixtures.js';
import { crdValidator } from './crd-dir.js';
import { exampleManifests } from './examples.js';
import { operatorStates, SCENARIOS } from './operator-runs.js';

const validate = crdValidator('SparkApplication', 'v1beta2');
const APP = 'local:///usr/local/bin/entrypoint.py';

describe('examples/spark', () => {
  it.each(exampleManifests('examples/spark', sparkPlugin))(
    '%s (%s) builds a SparkApplication the CRD accepts',
    (_f, _c, make) => {
      expect(validate(make())).toEqual([]);
    },
  );
});

describe('built SparkApplications (test/plugins/spark/build.test.ts cases)', () => {
  const k8s = {
    'interruptible-tolerations': [{ key: 'spot', operator: 'Exists', effect: 'NoSchedule' }],
    'interruptible-node-selector-requirement': { key: 'spot', operator: 'In', values: ['true'] },
    'non-interruptible-node-selector-requirement': { key: 'spot', operator: 'DoesNotExist' },
    'default-tolerations': [{ key: 'batch', operator: 'Exists', effect: 'NoSchedule' }],
  } satisfies Partial<K8sPluginConfig>;

  const cases: ReadonlyArray<readonly [string, () => KubeObject]> = [
    ['the default application', () => build(ctxOf(sparkTask()))],
    [
      'roles sized from conf (bad cores and instances left out)',
      () =>
        build(
          ctxOf(
            sparkTask({
              mainApplicationFile: APP,
              sparkConf: {
                'spark.driver.cores': '2',
                'spark.driver.memory': '4g',
                'spark.executor.cores': 'abc',
                'spark.executor.instances': '0',
                'spark.executor.memory': '8g',
              },
            }),
          ),
        ),
    ],
    [
      'hadoopConf, mainClass and the batch scheduler',
      () =>
        build(
          ctxOf(
            sparkTask({
              mainApplicationFile: 's3://b/app.jar',
              mainClass: 'org.example.Main',
              applicationType: 'SCALA',
              hadoopConf: { 'fs.s3a.impl': 'x' },
              sparkConf: { 'spark.batchScheduler': 'volcano' },
            }),
          ),
        ),
    ],
    [
      'a role pod spec merged over the task pod, platform scheduling re-applied',
      () =>
        build(
          ctxOf(
            sparkTask({
              mainApplicationFile: APP,
              driverPod: {
                metadata: { labels: { tier: 'driver' } },
                pod_spec: {
                  containers: [
                    {
                      name: 'spark-kubernetes-driver',
                      resources: { limits: { memory: '4Gi' } },
                      env: [{ name: 'X', value: '1' }],
                    },
                    { name: 'proxy', image: 'envoy:1' },
                  ],
                  affinity: {
                    nodeAffinity: {
                      requiredDuringSchedulingIgnoredDuringExecution: {
                        nodeSelectorTerms: [
                          { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] },
                        ],
                      },
                    },
                  },
                  tolerations: [{ key: 'mine', operator: 'Exists' }],
                },
              },
            }),
            config({}, k8s),
          ),
        ),
    ],
    [
      'the legacy SparkPodSpec fields without pod templates',
      () =>
        build(
          ctxOf(
            sparkTask(undefined, { metadata: { interruptible: true } }),
            config({ 'enable-pod-template': false }, { ...k8s, 'default-node-selector': { pool: 'spark' } }),
          ),
        ),
    ],
  ];

  it.each(cases)('%s: the CRD accepts it', (_, make) => {
    expect(validate(make())).toEqual([]);
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
  const task = (
    run: string,
    annotations: Readonly<Record<string, string>>,
    instances = 2,
  ): TaskExecution => ({
    task: {
      id: { name: 'wordcount', project: 'p', domain: 'd', version: 'v1' },
      type: 'spark',
      container: { image: 'ghcr.io/example/spark:3.5', args: ['pyflyte-execute', '--task', 'wordcount'] },
      custom: {
        mainApplicationFile: APP,
        sparkConf: { 'spark.executor.instances': String(instances), 'spark.driver.memory': '1g' },
      },
    },
    execution: {
      id: { run, action: 'wc', project: 'p', domain: 'd' },
      namespace: 'etl',
      annotations,
      labels: { team: 'data' },
    },
  });
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
    const app = build(ctxOf(sparkTask()));
    const spec = app['spec'] as Record<string, unknown>;
    expect(validate({ ...app, spec: { ...spec, sparkVersoin: '3' } })).toEqual([
      expect.stringMatching(/^spec\.sparkVersoin: unknown field.*did you mean "sparkVersion"/),
    ]);
    expect(validate({ ...app, spec: { ...spec, type: 'Perl' } })).toEqual([
      expect.stringContaining('spec.type: expected one of'),
    ]);
  });

  test.prop([fc.constantFrom('v1beta1', 'v2')])('refuses a version the plugin does not write', (version) => {
    const app = build(ctxOf(sparkTask()));
    expect(validate({ ...app, apiVersion: `sparkoperator.k8s.io/${version}` })).not.toEqual([]);
  });
});
