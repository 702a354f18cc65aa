// Builders for Spark plugin tests: a spark task, a platform config with a plugins.spark section, builds that must succeed.
import * as E from 'fp-ts/lib/Either.js';
import type { KubeObject } from '../../../src/domain/kubernetes.js';
import {
  defaultPlatformConfig,
  type K8sPluginConfig,
  type PlatformConfig,
} from '../../../src/domain/platform-config.js';
import type { BuildContext, BuildError } from '../../../src/domain/plugin.js';
import type { TaskExecution } from '../../../src/domain/task.js';
import { buildSparkApplication } from '../../../src/plugins/spark/build.js';
import { SparkConfig } from '../../../src/plugins/spark/config.js';

/** The application file of the default task: a pyspark entry point in the image. */
export const APP = 'local:///usr/local/bin/entrypoint.py';

/** A pyspark task of run r1, action a, in namespace ns. */
export const sparkTask = (
  custom: Readonly<Record<string, unknown>> = { mainApplicationFile: APP },
  task: Partial<TaskExecution['task']> = {},
  execution: Partial<TaskExecution['execution']> = {},
): TaskExecution => ({
  task: {
    id: { name: 'wordcount', project: 'p', domain: 'd', version: 'v1' },
    type: 'spark',
    container: {
      image: 'ghcr.io/example/spark:3.5',
      args: ['pyflyte-execute', '--inputs', '{{ .Input }}', '--output-prefix', '{{ .OutputPrefix }}'],
    },
    custom,
    ...task,
  },
  execution: {
    id: { run: 'r1', action: 'a', project: 'p', domain: 'd' },
    namespace: 'ns',
    io: { inputPrefix: 's3://b/in', outputPrefix: 's3://b/out' },
    ...execution,
  },
});

/** The spark section decoded from `section` (defaults for what it leaves out). */
export const sparkSection = (section: Readonly<Record<string, unknown>> = {}): SparkConfig => {
  const r = SparkConfig.decode(section);
  if (E.isLeft(r)) throw new Error('bad spark section in a test');
  return r.right;
};

export const config = (
  spark: Readonly<Record<string, unknown>> = {},
  k8s: Partial<K8sPluginConfig> = {},
): PlatformConfig => ({
  ...defaultPlatformConfig,
  plugins: {
    ...defaultPlatformConfig.plugins,
    k8s: { ...defaultPlatformConfig.plugins.k8s, ...k8s },
    spark: sparkSection(spark),
  } as PlatformConfig['plugins'],
});

export const ctxOf = (te: TaskExecution, cfg: PlatformConfig = config()): BuildContext => ({
  task: te,
  config: cfg,
  processEnv: {},
});

export const build = (ctx: BuildContext): KubeObject => {
  const r = buildSparkApplication(ctx);
  if (E.isLeft(r)) throw new Error(`expected a SparkApplication, got ${JSON.stringify(r.left)}`);
  return r.right;
};

export const buildFails = (ctx: BuildContext): BuildError => {
  const r = buildSparkApplication(ctx);
  if (E.isRight(r)) throw new Error('expected a build error');
  return r.left;
};

type Json = Record<string, unknown>;
/** The spec of a built application, loosely typed for assertions. */
export const specOf = (o: KubeObject): Json => o['spec'] as Json;
export const roleOf = (o: KubeObject, role: 'driver' | 'executor'): Json => specOf(o)[role] as Json;
export const templateSpecOf = (o: KubeObject, role: 'driver' | 'executor'): Json =>
  (roleOf(o, role)['template'] as Json)['spec'] as Json;
