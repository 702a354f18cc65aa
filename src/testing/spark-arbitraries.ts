// fast-check arbitraries for the Spark plugin: SparkJob payloads, spark tasks, SparkApplication statuses and their histories.
import fc from 'fast-check';
import type { KubeObject, Pod } from '../domain/kubernetes.js';
import type { BuildContext } from '../domain/plugin.js';
import type { PlatformConfig } from '../domain/platform-config.js';
import type { TaskExecution } from '../domain/task.js';
import { APPLICATION_STATES, LEGACY_APPLICATION_STATES } from '../plugins/spark/status.js';
import { arbDnsLabel } from './arbitraries.js';
import { arbPod } from './pod-arbitraries.js';
import { arbBuildContext, arbToleration } from './task-arbitraries.js';

// -------------------------------------------------------------------------------------
// payloads and tasks
// -------------------------------------------------------------------------------------

const SPARK_CONF_KEYS = [
  'spark.driver.cores',
  'spark.driver.memory',
  'spark.executor.cores',
  'spark.executor.memory',
  'spark.executor.instances',
  'spark.kubernetes.driver.request.cores',
  'spark.kubernetes.executor.limit.cores',
  'spark.sql.shuffle.partitions',
  'spark.batchScheduler',
  'spark.flyte.feature1.enabled',
  'spark.flyteorg.feature2.enabled',
  'spark.flyte.missing.enabled',
] as const;

const arbConfValue = fc.constantFrom('1', '2', '0', '4g', '512m', 'true', 'TRUE ', 'false', 'abc', 'volcano');

/** A sparkConf map over keys the plugin reads (cores, memory, instances, feature toggles) and others. */
export const arbSparkConf: fc.Arbitrary<Record<string, string>> = fc.dictionary(
  fc.constantFrom(...SPARK_CONF_KEYS),
  arbConfValue,
  { maxKeys: 6 },
);

/** Writes a camelCase key under its proto name half of the time, as protobuf JSON allows. */
const spelled = (camel: string, proto: boolean): string =>
  proto ? camel.replace(/[A-Z]/g, (m) => `_${m.toLowerCase()}`) : camel;

/** A role's K8sPod: a pod spec whose primary container is Spark's, with a sidecar and scheduling fields. */
const arbRolePod = (container: string): fc.Arbitrary<Record<string, unknown>> =>
  fc
    .record({
      proto: fc.boolean(),
      named: fc.boolean(),
      sidecar: fc.boolean(),
      tolerations: fc.array(arbToleration, { maxLength: 2 }),
      labels: fc.dictionary(arbDnsLabel(6), arbDnsLabel(6), { maxKeys: 2 }),
      memory: fc.constantFrom('2Gi', '512Mi'),
    })
    .map((r) => {
      const primary = r.named ? 'main' : container;
      return {
        metadata: { labels: r.labels },
        [spelled('podSpec', r.proto)]: {
          containers: [
            { name: primary, resources: { limits: { memory: r.memory } } },
            ...(r.sidecar ? [{ name: 'sidecar', image: 'busybox:1.36' }] : []),
          ],
          tolerations: r.tolerations,
        },
        ...(r.named ? { [spelled('primaryContainerName', r.proto)]: primary } : {}),
      };
    });

/** A valid SparkJob payload (task.custom), fields under camel or proto names. */
export const arbSparkJob: fc.Arbitrary<Record<string, unknown>> = fc
  .record(
    {
      applicationType: fc.constantFrom('PYTHON', 'JAVA', 'SCALA', 'R', 0, 1, 2, 3),
      mainClass: fc.constantFrom('org.example.Main', ''),
      sparkConf: arbSparkConf,
      hadoopConf: fc.dictionary(
        fc.constantFrom('fs.s3a.impl', 'fs.defaultFS'),
        fc.constantFrom('x', 's3a://b'),
        {
          maxKeys: 2,
        },
      ),
      executorPath: fc.constantFrom('/usr/bin/python3', ''),
      databricksToken: fc.constant('ignored'),
      driverPod: arbRolePod('spark-kubernetes-driver'),
      executorPod: arbRolePod('spark-kubernetes-executor'),
    },
    { requiredKeys: [] },
  )
  .chain((job) =>
    fc
      .record({
        proto: fc.boolean(),
        file: fc.constantFrom('local:///usr/local/bin/entrypoint.py', 's3://bucket/app.jar'),
      })
      .map(({ proto, file }) => {
        const out: Record<string, unknown> = { [spelled('mainApplicationFile', proto)]: file };
        for (const [k, v] of Object.entries(job)) out[spelled(k, proto)] = v;
        return out;
      }),
  );

/** The spark section of the platform config: defaults, features, history server, templates on or off. */
export const arbSparkSection: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    'spark-config-default': fc.dictionary(
      fc.constantFrom('spark.executor.instances', 'spark.ui.enabled', 'spark.driver.memory'),
      fc.constantFrom('1', '2', 'true', '1g'),
      { maxKeys: 2 },
    ),
    'spark-history-server-url': fc.constantFrom('', 'https://history.example.com/'),
    features: fc.constant([
      {
        name: 'feature1',
        'spark-config': { 'spark.hadoop.feature1': 'on', 'spark.executor.instances': '3' },
      },
      { name: 'feature2', 'spark-config': { 'spark.hadoop.feature2': 'on' } },
    ]),
    'enable-pod-template': fc.boolean(),
  },
  { requiredKeys: [] },
);

/** A spark task: the pod task's shapes (container, pod, both; overrides, accelerators) with a SparkJob payload. */
export const arbSparkTaskExecution: fc.Arbitrary<TaskExecution> = fc
  .tuple(arbBuildContext, arbSparkJob)
  .map(([ctx, custom]) => ({ ...ctx.task, task: { ...ctx.task.task, type: 'spark', custom } }));

/**
 * Everything the Spark plugin's buildResource reads: a spark task, a rich platform config (with the decoded spark
 * section from `decodeSection`, which the caller supplies so this module needs no plugin code) and PodTemplates.
 */
export const arbSparkBuildContext = (
  decodeSection: (section: Record<string, unknown>) => unknown,
): fc.Arbitrary<BuildContext> =>
  fc.tuple(arbBuildContext, arbSparkJob, arbSparkSection).map(([ctx, custom, section]) => ({
    ...ctx,
    task: { ...ctx.task, task: { ...ctx.task.task, type: 'spark', custom } },
    config: {
      ...ctx.config,
      plugins: { ...ctx.config.plugins, spark: decodeSection(section) },
    } as PlatformConfig,
  }));

// -------------------------------------------------------------------------------------
// statuses
// -------------------------------------------------------------------------------------

/** Every application state the operator writes (NEW is ""), and the legacy ones Flyte still maps. */
export const sparkApplicationStates: ReadonlyArray<string> = [
  ...APPLICATION_STATES,
  ...LEGACY_APPLICATION_STATES,
];

/**
 * An application state: mostly one the operator writes, sometimes an unknown or wrongly cased one, which the
 * phase mapping must survive.
 */
export const arbSparkApplicationState: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...sparkApplicationStates),
  fc.constantFrom('HIBERNATING', 'running', 'QUEUED'),
);

const arbInstant = fc
  .integer({ min: 1_700_000_000, max: 1_900_000_000 })
  .map((s) => new Date(s * 1000).toISOString().replace('.000Z', 'Z'));

/** A SparkApplication status as the operator writes it, for any state (optional fields present or not). */
export const arbSparkApplicationStatus = (state: fc.Arbitrary<string> = arbSparkApplicationState) =>
  fc
    .record(
      {
        state,
        errorMessage: fc.constantFrom('driver pod failed', 'failed to run spark-submit: exit status 1', ''),
        podName: fc.constantFrom('app-driver', ''),
        webUIIngressAddress: fc.constantFrom('', 'app-ui.example.com', 'http://ui.example.com/app'),
        sparkApplicationId: fc.constantFrom('', 'spark-0123456789abcdef'),
        executorState: fc.dictionary(
          fc.constantFrom('app-exec-1', 'app-exec-2', 'app-exec-3'),
          fc.constantFrom('PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'UNKNOWN'),
          { maxKeys: 3 },
        ),
        terminationTime: arbInstant,
        lastSubmissionAttemptTime: arbInstant,
        submissionAttempts: fc.integer({ min: 0, max: 20 }),
      },
      { requiredKeys: ['state'] },
    )
    .map((r) => ({
      applicationState: {
        state: r.state,
        ...(r.errorMessage === undefined ? {} : { errorMessage: r.errorMessage }),
      },
      driverInfo: {
        ...(r.podName === undefined || r.podName === '' ? {} : { podName: r.podName }),
        ...(r.webUIIngressAddress === undefined || r.webUIIngressAddress === ''
          ? {}
          : { webUIIngressAddress: r.webUIIngressAddress }),
      },
      ...(r.sparkApplicationId === undefined ? {} : { sparkApplicationId: r.sparkApplicationId }),
      ...(r.executorState === undefined ? {} : { executorState: r.executorState }),
      ...(r.terminationTime === undefined ? {} : { terminationTime: r.terminationTime }),
      ...(r.lastSubmissionAttemptTime === undefined
        ? {}
        : { lastSubmissionAttemptTime: r.lastSubmissionAttemptTime }),
      ...(r.submissionAttempts === undefined ? {} : { submissionAttempts: r.submissionAttempts }),
    }));

/** A SparkApplication named `app` in `ns` with uid `app-uid`, with the given status (none: no status yet). */
export const sparkApplicationWith = (
  status: unknown,
  restartPolicy: unknown = { type: 'OnFailure', onSubmissionFailureRetries: 14 },
): KubeObject => ({
  apiVersion: 'sparkoperator.k8s.io/v1beta2',
  kind: 'SparkApplication',
  metadata: { name: 'app', namespace: 'ns', uid: 'app-uid', creationTimestamp: '2026-01-01T00:00:00Z' },
  spec: {
    type: 'Python',
    mainApplicationFile: 'local:///app.py',
    sparkVersion: '3.0.0',
    restartPolicy,
    driver: {},
    executor: {},
  },
  ...(status === undefined ? {} : { status }),
});

/** A SparkApplication with any status (or none), under any restart policy. */
export const arbSparkApplication: fc.Arbitrary<KubeObject> = fc
  .tuple(
    fc.option(arbSparkApplicationStatus(), { nil: undefined }),
    fc.constantFrom(
      { type: 'OnFailure', onSubmissionFailureRetries: 14 },
      { type: 'OnFailure' },
      { type: 'Never' },
      { type: 'Always' },
    ),
  )
  .map(([s, p]) => sparkApplicationWith(s, p));

/** A pod the operator would own as the driver of `sparkApplicationWith`'s application (any pod state). */
export const arbSparkDriverPod: fc.Arbitrary<Pod> = arbPod.map((p) => ({
  ...p,
  metadata: {
    ...p.metadata,
    name: 'app-driver',
    namespace: 'ns',
    labels: { 'spark-role': 'driver', 'sparkoperator.k8s.io/app-name': 'app' },
    ownerReferences: [
      {
        apiVersion: 'sparkoperator.k8s.io/v1beta2',
        kind: 'SparkApplication',
        name: 'app',
        uid: 'app-uid',
        controller: true,
      },
    ],
  },
}));

/**
 * The operator's state machine, forward only: NEW → SUBMITTED → RUNNING → SUCCEEDING → COMPLETED, or FAILING →
 * FAILED, or SUBMISSION_FAILED (→ PENDING_RERUN → SUBMITTED while retries last) → FAILED. No reruns after a run
 * failed: the restart policy kubetasks writes has no onFailureRetries.
 */
const NEXT: Readonly<Record<string, ReadonlyArray<string>>> = {
  '': ['SUBMITTED', 'SUBMISSION_FAILED'],
  SUBMITTED: ['RUNNING', 'FAILING', 'SUBMITTED'],
  SUBMISSION_FAILED: ['PENDING_RERUN', 'FAILED'],
  PENDING_RERUN: ['SUBMITTED'],
  RUNNING: ['RUNNING', 'SUCCEEDING', 'FAILING'],
  SUCCEEDING: ['COMPLETED'],
  FAILING: ['FAILED'],
  COMPLETED: ['COMPLETED'],
  FAILED: ['FAILED'],
};

/** Status histories that move forward through the operator's states, with submission attempts counted. */
export const arbSparkStatusSequence = (maxLength = 10): fc.Arbitrary<ReadonlyArray<KubeObject>> =>
  fc
    .tuple(fc.array(fc.nat({ max: 9 }), { minLength: 1, maxLength }), fc.integer({ min: 0, max: 3 }))
    .map(([choices, retries]) => {
      const out: KubeObject[] = [];
      let state = '';
      let attempts = 0;
      for (const c of choices) {
        out.push(
          sparkApplicationWith(
            {
              applicationState: {
                state,
                ...(state === 'FAILED' || state === 'FAILING' || state === 'SUBMISSION_FAILED'
                  ? { errorMessage: 'boom' }
                  : {}),
              },
              driverInfo: state === '' || state === 'SUBMISSION_FAILED' ? {} : { podName: 'app-driver' },
              submissionAttempts: attempts,
            },
            { type: 'OnFailure', onSubmissionFailureRetries: retries },
          ),
        );
        let options = NEXT[state] ?? ['FAILED'];
        if (state === 'SUBMISSION_FAILED') options = attempts <= retries ? ['PENDING_RERUN'] : ['FAILED'];
        const next = options[c % options.length] ?? 'FAILED';
        if (next === 'SUBMITTED' || next === 'SUBMISSION_FAILED') attempts += state === 'SUBMITTED' ? 0 : 1;
        state = next;
      }
      return out;
    });
