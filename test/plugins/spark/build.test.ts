// buildResource for Spark: the SparkApplication's fields, conf precedence, role pods built by the pod plugin's rules.
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import type { Container, PodSpec } from '../../../src/domain/kubernetes.js';
import { MANAGED_LABEL } from '../../../src/domain/object-metadata.js';
import { buildSparkApplication, buildSparkIdentity } from '../../../src/plugins/spark/build.js';
import { sparkBuilds } from './cases.js';
import {
  APP,
  build,
  buildFails,
  config,
  ctxOf,
  roleOf,
  sparkTask,
  specOf,
  templateSpecOf,
} from './fixtures.js';

const containersOf = (spec: Record<string, unknown>): ReadonlyArray<Container> =>
  (spec as unknown as PodSpec).containers;

describe('the SparkApplication', () => {
  const app = build(sparkBuilds['the default application']);
  const spec = specOf(app);

  it('has the operator kind, Flyte restart policy and a Spark version the CRD and webhook accept', () => {
    expect(app.apiVersion).toBe('sparkoperator.k8s.io/v1beta2');
    expect(app.kind).toBe('SparkApplication');
    expect(app.metadata).toEqual({});
    expect(spec['type']).toBe('Python');
    expect(spec['mainApplicationFile']).toBe(APP);
    expect(spec['sparkVersion']).toBe('3.0.0');
    expect(spec['restartPolicy']).toEqual({ type: 'OnFailure', onSubmissionFailureRetries: 14 });
    expect(spec).not.toHaveProperty('mainClass');
    expect(spec).not.toHaveProperty('hadoopConf');
  });

  it('takes image and rendered arguments from the executor primary container', () => {
    expect(spec['image']).toBe('ghcr.io/example/spark:3.5');
    expect(spec['arguments']).toEqual([
      'pyflyte-execute',
      '--inputs',
      's3://b/in/inputs.pb',
      '--output-prefix',
      's3://b/out',
    ]);
  });

  it('gives both roles a pod template with Spark container names, no command or args, the task env', () => {
    for (const [role, name] of [
      ['driver', 'spark-kubernetes-driver'],
      ['executor', 'spark-kubernetes-executor'],
    ] as const) {
      const c = containersOf(templateSpecOf(app, role))[0];
      expect(c?.name).toBe(name);
      expect(c).not.toHaveProperty('args');
      expect(c).not.toHaveProperty('command');
      expect(c?.env).toContainEqual({ name: 'FLYTE_MAX_ATTEMPTS', value: '1' });
      expect(c?.env).toContainEqual({ name: 'ACTION_NAME', value: 'a' });
      expect(c?.resources).toEqual({
        limits: { cpu: '1', memory: '1Gi' },
        requests: { cpu: '1', memory: '1Gi' },
      });
      expect(roleOf(app, role)['serviceAccount']).toBe('spark');
      expect(templateSpecOf(app, role)['serviceAccountName']).toBe('spark');
      expect(templateSpecOf(app, role)['restartPolicy']).toBe('Never');
    }
  });

  it('labels every role pod for the watch cache (kubetasks.dev/managed) with the execution labels', () => {
    const labelled = build(ctxOf(sparkTask(undefined, {}, { labels: { team: 'ml' } })));
    for (const role of ['driver', 'executor'] as const) {
      const tmpl = roleOf(labelled, role)['template'] as { metadata: { labels: Record<string, string> } };
      expect(tmpl.metadata.labels).toEqual({ team: 'ml', [MANAGED_LABEL]: 'true' });
      expect(roleOf(labelled, role)['labels']).toEqual({ team: 'ml', [MANAGED_LABEL]: 'true' });
    }
  });

  it('is deterministic: no clock in the conf, the same task builds the same object', () => {
    expect(build(ctxOf(sparkTask()))).toEqual(app);
    const conf = spec['sparkConf'] as Record<string, string>;
    expect(Object.keys(conf).some((k) => k.includes('FLYTE_START_TIME'))).toBe(false);
    expect(Object.keys(conf)).toEqual([...Object.keys(conf)].sort());
  });

  it('has an identity object of the same kind', () => {
    expect(buildSparkIdentity(ctxOf(sparkTask()))).toEqual(
      E.right({ apiVersion: 'sparkoperator.k8s.io/v1beta2', kind: 'SparkApplication', metadata: {} }),
    );
  });
});

describe('spark conf assembly', () => {
  const spark = {
    'spark-config-default': { 'spark.a': 'default', 'spark.b': 'default', 'spark.pyspark.python': 'default' },
    features: [
      { name: 'f1', 'spark-config': { 'spark.b': 'feature', 'spark.c': 'feature' } },
      { name: 'f2', 'spark-config': { 'spark.d': 'f2' } },
    ],
  };
  const confOf = (custom: Record<string, unknown>, section: Record<string, unknown> = spark) =>
    specOf(build(ctxOf(sparkTask({ mainApplicationFile: APP, ...custom }), config(section))))[
      'sparkConf'
    ] as Record<string, string>;

  it('layers defaults < executorPath < features < the job conf', () => {
    const conf = confOf({
      executorPath: '/opt/venv/bin/python',
      sparkConf: { 'spark.c': 'explicit', 'spark.flyte.f1.enabled': 'True ' },
    });
    expect(conf['spark.a']).toBe('default');
    expect(conf['spark.b']).toBe('feature');
    expect(conf['spark.c']).toBe('explicit');
    expect(conf['spark.pyspark.python']).toBe('/opt/venv/bin/python');
    expect(conf['spark.pyspark.driver.python']).toBe('/opt/venv/bin/python');
    expect(conf).not.toHaveProperty('spark.flyte.f1.enabled');
    expect(conf).not.toHaveProperty('spark.d');
  });

  it('an explicit setting wins over a feature whatever the key order', () => {
    const a = confOf({ sparkConf: { 'spark.b': 'explicit', 'spark.flyteorg.f1.enabled': 'true' } });
    const b = confOf({ sparkConf: { 'spark.flyteorg.f1.enabled': 'true', 'spark.b': 'explicit' } });
    expect(a['spark.b']).toBe('explicit');
    expect(b).toEqual(a);
  });

  it('writes toggles verbatim when they are not true, name no feature, or only look like toggles', () => {
    const conf = confOf({
      sparkConf: {
        'spark.flyte.f2.enabled': 'false',
        'spark.flyte.nope.enabled': 'true',
        spark_flyte_f1_enabled: 'true',
      },
    });
    expect(conf['spark.flyte.f2.enabled']).toBe('false');
    expect(conf['spark.flyte.nope.enabled']).toBe('true');
    expect(conf['spark_flyte_f1_enabled']).toBe('true');
    expect(conf).not.toHaveProperty('spark.c');
    expect(conf).not.toHaveProperty('spark.d');
  });

  it('derives core limits from requests, then from cores, never over an explicit limit', () => {
    const conf = confOf({
      sparkConf: {
        'spark.driver.cores': '2',
        'spark.kubernetes.driver.request.cores': '1500m',
        'spark.executor.cores': '4',
        'spark.kubernetes.executor.limit.cores': '8',
      },
    });
    expect(conf['spark.kubernetes.driver.limit.cores']).toBe('1500m');
    expect(conf['spark.kubernetes.executor.limit.cores']).toBe('8');
    expect(
      confOf({ sparkConf: { 'spark.executor.cores': '3' } })['spark.kubernetes.executor.limit.cores'],
    ).toBe('3');
    expect(confOf({})).not.toHaveProperty('spark.kubernetes.driver.limit.cores');
  });

  it('always sets the executor pod name prefix to the (47-bounded) generated name', () => {
    expect(
      confOf({ sparkConf: { 'spark.kubernetes.executor.podNamePrefix': 'mine' } })[
        'spark.kubernetes.executor.podNamePrefix'
      ],
    ).toBe('r1-a-0');
    const long = sparkTask(
      undefined,
      {},
      { id: { run: 'r'.repeat(40), action: 'train-the-model-' + 'x'.repeat(20) } },
    );
    const prefix = (specOf(build(ctxOf(long)))['sparkConf'] as Record<string, string>)[
      'spark.kubernetes.executor.podNamePrefix'
    ];
    expect(prefix?.length).toBeLessThanOrEqual(47);
    expect(prefix).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  });

  it('sizes roles from conf: cores and instances only when positive integers, memory when set', () => {
    const app = build(sparkBuilds['roles sized from conf (bad cores and instances left out)']);
    expect(roleOf(app, 'driver')).toMatchObject({ cores: 2, memory: '4g' });
    expect(roleOf(app, 'executor')).toMatchObject({ memory: '8g' });
    expect(roleOf(app, 'executor')).not.toHaveProperty('cores');
    expect(roleOf(app, 'executor')).not.toHaveProperty('instances');
  });

  it('copies hadoopConf, mainClass and the batch scheduler', () => {
    const app = build(sparkBuilds['hadoopConf, mainClass and the batch scheduler']);
    expect(specOf(app)).toMatchObject({
      type: 'Scala',
      mainClass: 'org.example.Main',
      hadoopConf: { 'fs.s3a.impl': 'x' },
      batchScheduler: 'volcano',
    });
  });
});

describe('role pods follow the pod plugin rules', () => {
  it('makes only executors interruptible', () => {
    const app = build(sparkBuilds['only executors interruptible']);
    const driver = templateSpecOf(app, 'driver') as unknown as PodSpec;
    const executor = templateSpecOf(app, 'executor') as unknown as PodSpec;
    expect(executor.tolerations).toContainEqual({ key: 'spot', operator: 'Exists', effect: 'NoSchedule' });
    expect(driver.tolerations).not.toContainEqual({ key: 'spot', operator: 'Exists', effect: 'NoSchedule' });
    expect(driver.tolerations).toContainEqual({ key: 'batch', operator: 'Exists', effect: 'NoSchedule' });
    const terms = (s: PodSpec) =>
      s.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
    expect(terms(driver)).toEqual([{ matchExpressions: [{ key: 'spot', operator: 'DoesNotExist' }] }]);
    expect(terms(executor)).toEqual([
      { matchExpressions: [{ key: 'spot', operator: 'In', values: ['true'] }] },
    ]);
  });

  it('merges the role pod spec over the task pod and re-applies platform scheduling after it', () => {
    const app = build(
      sparkBuilds['a role pod spec merged over the task pod, platform scheduling re-applied'],
    );
    const driver = templateSpecOf(app, 'driver') as unknown as PodSpec;
    expect(driver.containers.map((c) => c.name)).toEqual(['spark-kubernetes-driver', 'proxy']);
    const main = driver.containers[0];
    expect(main?.resources?.limits?.['memory']).toBe('4Gi');
    expect(main?.env).toContainEqual({ name: 'X', value: '1' });
    expect(main?.env).toContainEqual({ name: 'ACTION_NAME', value: 'a' });
    expect(driver.containers[1]?.env).toContainEqual({ name: 'ACTION_NAME', value: 'a' });
    expect(driver.tolerations).toEqual(
      expect.arrayContaining([
        { key: 'mine', operator: 'Exists' },
        { key: 'batch', operator: 'Exists', effect: 'NoSchedule' },
      ]),
    );
    expect(
      driver.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms,
    ).toEqual([
      {
        matchExpressions: [
          { key: 'zone', operator: 'In', values: ['a'] },
          { key: 'spot', operator: 'DoesNotExist' },
        ],
      },
    ]);
    const tmpl = roleOf(app, 'driver')['template'] as { metadata: { labels: Record<string, string> } };
    expect(tmpl.metadata.labels['tier']).toBe('driver');
    expect(containersOf(templateSpecOf(app, 'executor')).map((c) => c.name)).toEqual([
      'spark-kubernetes-executor',
    ]);
  });

  it('merges the container named by primaryContainerName into the primary', () => {
    const app = build(
      ctxOf(
        sparkTask({
          mainApplicationFile: APP,
          executorPod: {
            podSpec: { containers: [{ name: 'primary', image: 'custom:2' }] },
            primaryContainerName: 'primary',
          },
        }),
      ),
    );
    const ex = containersOf(templateSpecOf(app, 'executor'));
    expect(ex.map((c) => c.name)).toEqual(['spark-kubernetes-executor']);
    expect(ex[0]?.image).toBe('custom:2');
    expect(roleOf(app, 'executor')['image']).toBe('custom:2');
    expect(specOf(app)['image']).toBe('custom:2');
  });

  it('gives both roles the task service account', () => {
    const app = build(ctxOf(sparkTask(undefined, {}, { serviceAccount: 'etl' })));
    expect(roleOf(app, 'driver')['serviceAccount']).toBe('etl');
    expect(roleOf(app, 'executor')['serviceAccount']).toBe('etl');
    expect(templateSpecOf(app, 'executor')['serviceAccountName']).toBe('etl');
  });

  it('without pod templates, writes the legacy SparkPodSpec fields instead', () => {
    const app = build(sparkBuilds['the legacy SparkPodSpec fields without pod templates']);
    const ex = roleOf(app, 'executor');
    expect(ex).not.toHaveProperty('template');
    expect(ex['tolerations']).toContainEqual({ key: 'spot', operator: 'Exists', effect: 'NoSchedule' });
    expect(ex['nodeSelector']).toEqual({ pool: 'spark' });
    expect(ex['env']).toContainEqual({ name: 'FLYTE_MAX_ATTEMPTS', value: '1' });
    expect(ex['image']).toBe('ghcr.io/example/spark:3.5');
    expect(specOf(app)['sparkConf']).not.toHaveProperty('spark.kubernetes.driver.podTemplateContainerName');
  });
});

describe('bad payloads are BadTaskSpecification errors naming the field', () => {
  const cases: ReadonlyArray<[string, unknown, ReadonlyArray<string | number>]> = [
    ['no payload', undefined, ['task', 'custom', 'mainApplicationFile']],
    ['neither file nor class', { sparkConf: {} }, ['task', 'custom', 'mainApplicationFile']],
    [
      'a class without its jar (the CRD needs the file)',
      { mainClass: 'a.B' },
      ['task', 'custom', 'mainApplicationFile'],
    ],
    ['an unknown field', { mainApplicationFile: APP, mainClas: 'x' }, ['task', 'custom', 'mainClas']],
    [
      'a wrong type',
      { mainApplicationFile: APP, sparkConf: { 'spark.x': 1 } },
      ['task', 'custom', 'sparkConf', 'spark.x'],
    ],
    [
      'a bad application type',
      { mainApplicationFile: APP, applicationType: 'GO' },
      ['task', 'custom', 'applicationType'],
    ],
    [
      'a field under both names',
      { mainApplicationFile: APP, main_application_file: APP },
      ['task', 'custom', 'main_application_file'],
    ],
    [
      'a bad driver pod spec',
      { mainApplicationFile: APP, driverPod: { podSpec: { containers: [{ image: 'x' }] } } },
      ['task', 'custom', 'driverPod', 'podSpec', 'containers', 0, 'name'],
    ],
    [
      'a primary container the pod spec lacks',
      {
        mainApplicationFile: APP,
        executor_pod: { pod_spec: { containers: [] }, primary_container_name: 'main' },
      },
      ['task', 'custom', 'executor_pod', 'primary_container_name'],
    ],
  ];
  it.each(cases)('%s', (_name, custom, path) => {
    const te = sparkTask({});
    const e = buildFails(
      ctxOf({
        ...te,
        task: (({ custom: _dropped, ...rest }) =>
          custom === undefined ? rest : { ...rest, custom: custom as Record<string, unknown> })(te.task),
      }),
    );
    expect(e.code).toBe('BadTaskSpecification');
    expect(e.path).toEqual(path);
  });

  it('accepts proto names and enum numbers', () => {
    const app = build(
      ctxOf(
        sparkTask({
          main_application_file: 's3://b/a.jar',
          main_class: 'a.B',
          application_type: 1,
          spark_conf: { 'spark.x': 'y' },
        }),
      ),
    );
    expect(specOf(app)).toMatchObject({
      type: 'Java',
      mainClass: 'a.B',
      mainApplicationFile: 's3://b/a.jar',
    });
    expect((specOf(app)['sparkConf'] as Record<string, string>)['spark.x']).toBe('y');
  });

  it('never throws, even on a hostile payload', () => {
    const te = sparkTask({});
    const r = buildSparkApplication(
      ctxOf({
        ...te,
        task: {
          ...te.task,
          custom: { driverPod: { podSpec: { containers: 'x' } }, mainApplicationFile: APP },
        },
      }),
    );
    expect(E.isLeft(r)).toBe(true);
  });
});
