// Spark conf assembly: platform defaults, the executor's Python, feature bundles, the job's own conf, then what kubetasks sets.
import { assignOwn, setOwn } from '../../domain/own-keys.js';
import type { SparkConfig } from './config.js';
import type { SparkJob } from './payload.js';

/** The container names spark-operator's webhook and Spark's pod templates expect. */
export const DRIVER_CONTAINER = 'spark-kubernetes-driver';
export const EXECUTOR_CONTAINER = 'spark-kubernetes-executor';

/** Spark requires the executor pod name prefix to be a DNS label of at most 47 characters. */
export const POD_NAME_PREFIX_MAX = 47;

/** `spark.flyte.<name>.enabled` / `spark.flyteorg.<name>.enabled` (dots escaped, unlike Flyte's pattern). */
const FEATURE_TOGGLE = /^spark\.(?:flyteorg|flyte)\.(.+)\.enabled$/;

/** The feature a sparkConf entry switches on, if it is a toggle set to true and the feature is configured. */
export const toggledFeature = (
  config: SparkConfig,
  key: string,
  value: string,
): SparkConfig['features'][number] | undefined => {
  const m = FEATURE_TOGGLE.exec(key);
  if (m === null || value.trim().toLowerCase() !== 'true') return undefined;
  return config.features.find((f) => f.name === m[1]);
};

const sorted = (m: Readonly<Record<string, string>>): Record<string, string> =>
  Object.fromEntries(Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/**
 * The job's spark conf, in precedence order (later wins):
 *  1. plugins.spark spark-config-default;
 *  2. executorPath → spark.pyspark.python and spark.pyspark.driver.python;
 *  3. the features switched on by toggles in the job's sparkConf, in the order the config lists them (the toggle
 *     itself is not written; a toggle that is not "true" or names no feature is an ordinary entry);
 *  4. the job's own sparkConf entries: an explicit setting beats a feature's (Flyte: random map order decides);
 *  5. core limits from core requests when unset;
 *  6. spark.kubernetes.executor.podNamePrefix (always ours);
 *  7. the pod template container names, when templates are emitted.
 * No FLYTE_START_TIME: it would make the manifest depend on the clock. Keys come out sorted.
 */
export const assembleSparkConf = (
  config: SparkConfig,
  job: SparkJob,
  podNamePrefix: string,
  templates: boolean,
): Record<string, string> => {
  const conf: Record<string, string> = { ...config['spark-config-default'] };
  if (job.executorPath !== '') {
    conf['spark.pyspark.python'] = job.executorPath;
    conf['spark.pyspark.driver.python'] = job.executorPath;
  }
  const enabled = new Set<string>();
  const explicit: Array<[string, string]> = [];
  for (const [k, v] of Object.entries(job.sparkConf)) {
    const feature = toggledFeature(config, k, v);
    if (feature === undefined) explicit.push([k, v]);
    else enabled.add(feature.name);
  }
  const applied = new Set<string>();
  for (const f of config.features) {
    if (!enabled.has(f.name) || applied.has(f.name)) continue;
    applied.add(f.name);
    assignOwn(conf, f['spark-config']);
  }
  for (const [k, v] of explicit) setOwn(conf, k, v);
  for (const role of ['driver', 'executor'] as const) {
    const limit = `spark.kubernetes.${role}.limit.cores`;
    if ((conf[limit] ?? '') !== '') continue;
    const request = conf[`spark.kubernetes.${role}.request.cores`] ?? '';
    const cores = conf[`spark.${role}.cores`] ?? '';
    if (request !== '') conf[limit] = request;
    else if (cores !== '') conf[limit] = cores;
  }
  conf['spark.kubernetes.executor.podNamePrefix'] = podNamePrefix;
  if (templates) {
    conf['spark.kubernetes.driver.podTemplateContainerName'] = DRIVER_CONTAINER;
    conf['spark.kubernetes.executor.podTemplateContainerName'] = EXECUTOR_CONTAINER;
  }
  return sorted(conf);
};

/** Go's strconv.Atoi, then > 0 (the CRD's minimum for cores and instances): else unset. */
export const positiveInt = (s: string | undefined): number | undefined => {
  if (s === undefined || !/^[+-]?\d+$/.test(s)) return undefined;
  const n = Number(s);
  return Number.isSafeInteger(n) && n > 0 && n <= 2_147_483_647 ? n : undefined;
};
