// The Spark example tasks build into SparkApplications showing what each is about (the CRD check: test/crds).
import { readFileSync } from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { loadPlatformConfig, loadTaskExecution } from '../../../src/app/inputs.js';
import type { KubeObject, PodSpec } from '../../../src/domain/kubernetes.js';
import { addObjectMetadata } from '../../../src/domain/object-metadata.js';
import { defaultPlatformConfig, type PlatformConfig } from '../../../src/domain/platform-config.js';
import type { BuildContext } from '../../../src/domain/plugin.js';
import { sparkPlugin } from '../../../src/plugins/spark/plugin.js';

const load = <A>(file: string, f: (file: string, text: string) => E.Either<unknown, A>): A => {
  const r = f(file, readFileSync(file, 'utf8'));
  if (E.isLeft(r)) throw new Error(`${file}: ${JSON.stringify(r.left)}`);
  return r.right;
};

const render = (name: string, config: PlatformConfig = defaultPlatformConfig): KubeObject => {
  const ctx: BuildContext = { task: load(`examples/spark/${name}.yaml`, loadTaskExecution), config };
  const r = sparkPlugin.buildResource(ctx);
  if (E.isLeft(r)) throw new Error(`${name}: ${JSON.stringify(r.left)}`);
  const app = addObjectMetadata(ctx, sparkPlugin.properties, r.right);
  return app;
};

type Spec = Record<string, Record<string, unknown>>;
const templateOf = (app: KubeObject, role: string): PodSpec =>
  ((app['spec'] as Spec)[role]?.['template'] as { spec: PodSpec }).spec;

describe('examples/spark', () => {
  it('pyspark: interruptible executors, a non-interruptible driver, sizing from conf', () => {
    const config = load('examples/platform.yaml', loadPlatformConfig);
    const app = render('pyspark', config);
    const spec = app['spec'] as Spec;
    expect(spec['executor']).toMatchObject({ instances: 2, cores: 2, memory: '4g' });
    expect(spec['sparkConf']).toMatchObject({ 'spark.pyspark.python': '/usr/bin/python3' });
    expect(templateOf(app, 'driver').containers[0]?.name).toBe('spark-kubernetes-driver');
  });

  it('custom-pods: the role specs reach the role pods', () => {
    const app = render('custom-pods');
    const spec = app['spec'] as Spec;
    expect((spec as Record<string, unknown>)['type']).toBe('Scala');
    const driver = templateOf(app, 'driver');
    expect(driver.containers.map((c) => c.name)).toEqual(['spark-kubernetes-driver', 'metrics-proxy']);
    expect(driver.containers[0]?.resources?.limits?.['memory']).toBe('4Gi');
    expect(driver.priorityClassName).toBe('batch-high');
    const executor = templateOf(app, 'executor');
    expect(executor.containers[0]?.resources?.limits?.['nvidia.com/gpu']).toBe('1');
    expect(spec['driver']?.['serviceAccount']).toBe('spark-jobs');
  });
});
