// The plugins.spark config section: Flyte's keys (spark-config-default, history server, features, logs, templates).
import * as t from 'io-ts';
import { NonEmptyString, StringMap, struct, withDefault } from '../../domain/codec.js';
import { pluginConfigSection } from '../../domain/plugin-config.js';
import { LogsConfig, type LogsConfig as LogsConfigT } from '../../domain/platform-config.js';
import { DurationFromString } from '../../domain/time.js';

/** A named bundle of Spark settings a job switches on with `spark.flyte.<name>.enabled=true` in its sparkConf. */
export const SparkFeature = struct('SparkFeature', {
  name: NonEmptyString,
  'spark-config': withDefault(StringMap, {}, 'Spark settings the feature adds to the job.'),
});
export type SparkFeature = t.TypeOf<typeof SparkFeature>;

const noLinks: LogsConfigT = {
  'kubernetes-enabled': false,
  'kubernetes-url': '',
  'kubernetes-template-uri': '',
  'cloudwatch-enabled': false,
  'cloudwatch-region': '',
  'cloudwatch-log-group': '',
  'cloudwatch-template-uri': '',
  'stackdriver-enabled': false,
  'gcp-project': '',
  'stackdriver-logresourcename': '',
  'stackdriver-template-uri': '',
  templates: [],
};

/** Flyte's default for logs.mixed: the Kubernetes dashboard on localhost:30082. */
export const DEFAULT_MIXED_LOGS: LogsConfigT = {
  ...noLinks,
  'kubernetes-enabled': true,
  'kubernetes-template-uri':
    'http://localhost:30082/#!/log/{{ .namespace }}/{{ .podName }}/pod?namespace={{ .namespace }}',
};

export const SparkLogsConfig = struct(
  'SparkLogsConfig',
  {
    mixed: withDefault(
      LogsConfig,
      DEFAULT_MIXED_LOGS,
      'Links for the driver pod, shown once the operator names it (Flyte: user and system logs mixed).',
    ),
    user: withDefault(LogsConfig, noLinks, 'Links for the driver pod: the user code logs.'),
    system: withDefault(
      LogsConfig,
      noLinks,
      'Links rendered with the application name as {{ .podName }} (system logs of the whole application).',
    ),
    'all-user': withDefault(
      LogsConfig,
      noLinks,
      'Links rendered with the application name as {{ .podName }}, shown while the job is still pending.',
    ),
  },
  {},
  'Log link templates for Spark jobs, in four groups as in Flyte.',
);

export const SparkConfig = struct(
  'SparkConfig',
  {
    'spark-config-default': withDefault(
      StringMap,
      {},
      'Spark settings every job starts from; the job features and its own sparkConf win over them.',
    ),
    'spark-history-server-url': withDefault(
      t.string,
      '',
      'Base URL of the Spark History Server; when set, finished jobs link to <url>/history/<spark application id>.',
    ),
    features: withDefault(
      t.readonlyArray(SparkFeature),
      [],
      'Named Spark settings bundles, switched on per job by spark.flyte.<name>.enabled=true (or spark.flyteorg.<name>.enabled).',
    ),
    logs: withDefault(SparkLogsConfig, {
      mixed: DEFAULT_MIXED_LOGS,
      user: noLinks,
      system: noLinks,
      'all-user': noLinks,
    }),
    'enable-pod-template': withDefault(
      t.boolean,
      true,
      'Give the driver and executor full pod templates (spec.driver.template, spark-operator >= 2.1). Off: only ' +
        'the legacy SparkPodSpec fields, for older operators. kubetasks does not probe the CRD (see docs/plugins/spark.md).',
    ),
    'pod-template-detection-timeout': withDefault(
      DurationFromString,
      30_000,
      "Accepted for compatibility with Flyte's config; unused, since kubetasks does not probe the CRD.",
    ),
  },
  {},
  "Spark plugin settings (task type spark), with the keys of Flyte's plugins.spark section.",
);
export type SparkConfig = t.TypeOf<typeof SparkConfig>;

/** The section under `plugins.spark`. */
export const sparkConfigSection = pluginConfigSection('spark', SparkConfig);
