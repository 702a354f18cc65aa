// The simulated spark-operator: driver pod, then executors, and the SparkApplication status the operator writes.
import type { Container, EnvVar, KubeObject, Pod, PodSpec } from '../../domain/kubernetes.js';
import * as O from 'fp-ts/lib/Option.js';
import { isPlainObject } from '../../domain/codec.js';
import { numberAt, recordAt, stringAt } from '../../domain/json-read.js';
import { ownValue } from '../../domain/own-keys.js';
import { formatDuration, formatInstant, parseDuration, type Instant } from '../../domain/time.js';
import {
  defaultPlanDurations,
  PENDING_DURATION_ANNOTATION,
  RUN_DURATION_ANNOTATION,
  SCENARIO_CONTAINER_ANNOTATION,
} from '../kubelet/scenarios.js';
import { scenarioAnnotations, type SimulatedOperator } from './operator.js';
import { stringMap, withoutScenario } from './template.js';

const DRIVER_CONTAINER = 'spark-kubernetes-driver';
const EXECUTOR_CONTAINER = 'spark-kubernetes-executor';
const APP_NAME_LABEL = 'sparkoperator.k8s.io/app-name';
const ROLE_LABEL = 'spark-role';
const LAUNCHED_BY_LABEL = 'sparkoperator.k8s.io/launched-by-spark-operator';
const SUBMISSION_ID_LABEL = 'sparkoperator.k8s.io/submission-id';
const APP_SELECTOR_LABEL = 'spark-app-selector';
const EXEC_ID_LABEL = 'spark-exec-id';
const UI_PORT = 4040;

type Json = Readonly<Record<string, unknown>>;

/** A stable 32-hex-digit id from a string (FNV-1a, four rounds), standing in for Spark's random application id. */
const hexId = (s: string): string => {
  let out = '';
  for (let round = 0; round < 4; round++) {
    let h = 0x811c9dc5 ^ round;
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
    out += h.toString(16).padStart(8, '0');
  }
  return out;
};

const appName = (app: KubeObject): string => app.metadata?.name ?? '';

/** Spark's driver pod name: spec.driver.podName, else spark.kubernetes.driver.pod.name, else `<app>-driver`. */
export const sparkDriverPodName = (app: KubeObject): string => {
  const spec = recordAt(app, 'spec');
  return (
    stringAt(recordAt(spec, 'driver'), 'podName') ||
    stringAt(recordAt(spec, 'sparkConf'), 'spark.kubernetes.driver.pod.name') ||
    `${appName(app)}-driver`
  );
};

const executorPrefix = (app: KubeObject): string =>
  stringAt(recordAt(recordAt(app, 'spec'), 'sparkConf'), 'spark.kubernetes.executor.podNamePrefix') ||
  appName(app);

const applicationId = (app: KubeObject): string => `spark-${hexId(app.metadata?.uid ?? appName(app))}`;
const submissionId = (app: KubeObject): string => {
  const h = hexId(`submission/${app.metadata?.uid ?? ''}`);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};

// -------------------------------------------------------------------------------------
// pods
// -------------------------------------------------------------------------------------

type Role = 'driver' | 'executor';

/** The role's pod spec: its template when it has one, else the legacy SparkPodSpec fields. */
const rolePodSpec = (
  app: KubeObject,
  role: Role,
  args: ReadonlyArray<string>,
  env: ReadonlyArray<EnvVar>,
): PodSpec => {
  const spec = recordAt(app, 'spec');
  const r = recordAt(spec, role);
  const name = role === 'driver' ? DRIVER_CONTAINER : EXECUTOR_CONTAINER;
  const image = stringAt(r, 'image') || stringAt(spec, 'image');
  const template = recordAt(recordAt(r, 'template'), 'spec') as Partial<PodSpec>;
  const legacyEnv = Array.isArray(r['env']) ? (r['env'] as EnvVar[]) : [];
  const sparkEnv: EnvVar[] = [...legacyEnv, ...env];
  const base: Container = { name, image, args: [...args], env: sparkEnv };
  const fromTemplate = Array.isArray(template.containers) ? template.containers : [];
  const hasSpark = fromTemplate.some((c) => c.name === name);
  // Spark fills its container from the template's container of that name, or adds it first.
  const containers: Container[] = hasSpark
    ? fromTemplate.map((c) =>
        c.name === name
          ? {
              ...c,
              ...(image === '' ? {} : { image }),
              args: [...args],
              env: [...(c.env ?? []), ...sparkEnv],
            }
          : c,
      )
    : [base, ...fromTemplate];
  const legacy: Record<string, unknown> = {};
  if (isPlainObject(r['affinity'])) legacy['affinity'] = r['affinity'];
  if (Array.isArray(r['tolerations'])) legacy['tolerations'] = r['tolerations'];
  if (isPlainObject(r['nodeSelector'])) legacy['nodeSelector'] = stringMap(r['nodeSelector']);
  if (stringAt(r, 'schedulerName') !== '') legacy['schedulerName'] = stringAt(r, 'schedulerName');
  const sa = stringAt(r, 'serviceAccount');
  return {
    ...legacy,
    ...template,
    containers,
    restartPolicy: 'Never',
    ...(sa === '' ? {} : { serviceAccountName: sa }),
  };
};

/**
 * The driver waits for its executors' work, so it runs longer than they do: its run duration is the executors'
 * plus their pending time and a second (the kubelet cannot know that one pod waits for others).
 */
const driverRunDuration = (annotations: Readonly<Record<string, string>>): Record<string, string> => {
  const read = (key: string, fallback: number): number => {
    const v = annotations[key];
    return v === undefined ? fallback : O.getOrElse(() => fallback)(parseDuration(v));
  };
  const run = read(RUN_DURATION_ANNOTATION, defaultPlanDurations.runMs);
  const pending = read(PENDING_DURATION_ANNOTATION, defaultPlanDurations.pendingMs);
  return { [RUN_DURATION_ANNOTATION]: formatDuration(run + pending + 1000) };
};

const roleMetadata = (
  app: KubeObject,
  role: Role,
  name: string,
  extraLabels: Readonly<Record<string, string>>,
) => {
  const r = recordAt(recordAt(app, 'spec'), role);
  const tmeta = recordAt(recordAt(r, 'template'), 'metadata');
  const scenario = scenarioAnnotations(app, role, 'driver');
  return {
    name,
    labels: {
      ...stringMap(tmeta['labels']),
      ...stringMap(r['labels']),
      [APP_NAME_LABEL]: appName(app),
      [LAUNCHED_BY_LABEL]: 'true',
      [SUBMISSION_ID_LABEL]: submissionId(app),
      [APP_SELECTOR_LABEL]: applicationId(app),
      [ROLE_LABEL]: role,
      ...extraLabels,
    },
    annotations: {
      ...withoutScenario(tmeta['annotations']),
      ...withoutScenario(r['annotations']),
      ...scenario,
      ...(role === 'driver' ? driverRunDuration(scenario) : {}),
      [SCENARIO_CONTAINER_ANNOTATION]: role === 'driver' ? DRIVER_CONTAINER : EXECUTOR_CONTAINER,
    },
  };
};

const driverPod = (app: KubeObject): Pod => {
  const spec = recordAt(app, 'spec');
  const mainClass = stringAt(spec, 'mainClass');
  const args = [
    'driver',
    '--properties-file',
    '/opt/spark/conf/spark.properties',
    ...(mainClass === '' ? [] : ['--class', mainClass]),
    stringAt(spec, 'mainApplicationFile'),
    ...(Array.isArray(spec['arguments']) ? (spec['arguments'] as string[]) : []),
  ];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: roleMetadata(app, 'driver', sparkDriverPodName(app), {}),
    spec: rolePodSpec(app, 'driver', args, [
      { name: 'SPARK_APPLICATION_ID', value: applicationId(app) },
      { name: 'SPARK_DRIVER_BIND_ADDRESS', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
    ]),
  };
};

const executorPod = (app: KubeObject, n: number): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: roleMetadata(app, 'executor', `${executorPrefix(app)}-exec-${n}`, { [EXEC_ID_LABEL]: String(n) }),
  spec: rolePodSpec(
    app,
    'executor',
    ['executor'],
    [
      { name: 'SPARK_EXECUTOR_ID', value: String(n) },
      { name: 'SPARK_APPLICATION_ID', value: applicationId(app) },
      {
        name: 'SPARK_DRIVER_URL',
        value: `spark://CoarseGrainedScheduler@${sparkDriverPodName(app)}-svc:7078`,
      },
    ],
  ),
});

const instancesOf = (app: KubeObject): number => {
  const n = numberAt(recordAt(recordAt(app, 'spec'), 'executor'), 'instances');
  const conf = Number(stringAt(recordAt(recordAt(app, 'spec'), 'sparkConf'), 'spark.executor.instances'));
  const k = n ?? (Number.isInteger(conf) && conf > 0 ? conf : 1);
  return Math.max(1, Math.min(k, 20));
};

const phaseOf = (p: Pod | undefined): string => p?.status?.phase ?? 'Pending';
const gone = (p: Pod): boolean =>
  p.metadata?.deletionTimestamp !== undefined && p.metadata.deletionTimestamp !== null;
const stateOf = (u: unknown): string =>
  stringAt(recordAt(recordAt(u, 'status'), 'applicationState'), 'state');

const isDriver = (p: Pod): boolean => p.metadata?.labels?.[ROLE_LABEL] === 'driver';
const isExecutor = (p: Pod): boolean => p.metadata?.labels?.[ROLE_LABEL] === 'executor';

/**
 * The pods the operator (and Spark) want: the driver while the application is NEW (spark-submit creates it once),
 * then, while the driver runs, `instances` executors named `<podNamePrefix>-exec-<n>` (Spark asks again for an
 * executor that was deleted, e.g. preempted; a failed one stays failed).
 */
const desiredPods = (app: KubeObject, pods: ReadonlyArray<Pod>): ReadonlyArray<Pod> => {
  const state = stateOf(app);
  if (state === '') return [driverPod(app)];
  if (state !== 'RUNNING' && state !== 'SUBMITTED') return [];
  const driver = pods.find((p) => isDriver(p) && p.metadata?.name === sparkDriverPodName(app));
  if (driver === undefined || gone(driver) || phaseOf(driver) !== 'Running') return [];
  return Array.from({ length: instancesOf(app) }, (_, i) => executorPod(app, i + 1));
};

// -------------------------------------------------------------------------------------
// status
// -------------------------------------------------------------------------------------

const EXECUTOR_STATE: Readonly<Record<string, string>> = {
  Pending: 'PENDING',
  Running: 'RUNNING',
  Succeeded: 'COMPLETED',
  Failed: 'FAILED',
};

const terminatedOf = (p: Pod, container: string) =>
  p.status?.containerStatuses?.find((c) => c.name === container)?.state?.terminated;

/** The driver's state as the operator derives it (GetDriverState): its container's termination decides. */
const driverState = (p: Pod | undefined): 'PENDING' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'GONE' => {
  if (p === undefined) return 'GONE';
  const t = terminatedOf(p, DRIVER_CONTAINER);
  switch (p.status?.phase) {
    case 'Running':
      return t === undefined ? 'RUNNING' : t.exitCode === 0 ? 'COMPLETED' : 'FAILED';
    case 'Succeeded':
      return 'COMPLETED';
    case 'Failed':
      return t !== undefined && t.exitCode === 0 ? 'COMPLETED' : 'FAILED';
    default:
      return gone(p) ? 'GONE' : 'PENDING';
  }
};

const driverError = (p: Pod | undefined): string => {
  if (p === undefined) return 'driver pod not found';
  const t = terminatedOf(p, DRIVER_CONTAINER);
  if (t !== undefined) {
    return `driver container failed with ExitCode: ${t.exitCode}, Reason: ${t.reason ?? ''}`;
  }
  return `driver pod failed: ${p.status?.reason ?? ''} ${p.status?.message ?? ''}`.trim();
};

/**
 * The status spark-operator v2 writes, one step per reconcile: nothing while NEW and the driver is not seen; then
 * SUBMITTED (driver info, submission attempt), RUNNING (application id, executor states), SUCCEEDING → COMPLETED or
 * FAILING → FAILED (error message, termination time). A driver pod that disappears fails the application ("driver
 * pod not found"), as does a failed executor (the simulation stands in for Spark aborting the job; it has no
 * executor retries). Times already written are kept, so an unchanged world writes nothing.
 */
const status = (app: KubeObject, pods: ReadonlyArray<Pod>, now: Instant): unknown => {
  const current = recordAt(app, 'status');
  const state = stateOf(app);
  const name = sparkDriverPodName(app);
  const driver = pods.find((p) => isDriver(p) && p.metadata?.name === name);
  if (state === 'COMPLETED' || state === 'FAILED') return undefined;
  if (state === '' && driver === undefined) return undefined;
  const submittedAt = stringAt(current, 'lastSubmissionAttemptTime') || formatInstant(now);
  const executors = pods
    .filter(isExecutor)
    .map((p): [string, string] => [
      p.metadata?.name ?? '',
      gone(p) ? 'UNKNOWN' : (ownValue(EXECUTOR_STATE, phaseOf(p)) ?? 'UNKNOWN'),
    ])
    .sort(([a], [b]) => (a < b ? -1 : 1));
  const base = {
    driverInfo: {
      podName: name,
      webUIServiceName: `${appName(app)}-ui-svc`,
      webUIPort: UI_PORT,
      webUIAddress: `${appName(app)}-ui-svc.${app.metadata?.namespace ?? ''}.svc:${UI_PORT}`,
    },
    submissionID: submissionId(app),
    lastSubmissionAttemptTime: submittedAt,
    submissionAttempts: numberAt(current, 'submissionAttempts') ?? 1,
    executionAttempts: numberAt(current, 'executionAttempts') ?? 1,
    ...(executors.length === 0 ? {} : { executorState: Object.fromEntries(executors) }),
  };
  const ds = driverState(driver);
  const started = ds !== 'PENDING' ? { sparkApplicationId: applicationId(app) } : {};
  const at = (s: string, extra: Json = {}) => ({
    ...base,
    ...started,
    applicationState: { state: s, ...extra },
  });
  const failedExecutor = executors.find(([, s]) => s === 'FAILED');
  switch (state) {
    case 'SUCCEEDING':
      return { ...at('COMPLETED'), terminationTime: formatInstant(now) };
    case 'FAILING':
      return {
        ...base,
        ...started,
        applicationState: { ...recordAt(current, 'applicationState'), state: 'FAILED' },
        terminationTime: formatInstant(now),
      };
    default:
      break;
  }
  if (ds === 'COMPLETED') return at('SUCCEEDING');
  if (ds === 'FAILED' || ds === 'GONE') return at('FAILING', { errorMessage: driverError(driver) });
  if (failedExecutor !== undefined) {
    const pod = pods.find((p) => p.metadata?.name === failedExecutor[0]);
    const t = pod === undefined ? undefined : terminatedOf(pod, EXECUTOR_CONTAINER);
    const why =
      t === undefined
        ? (pod?.status?.reason ?? 'failed')
        : `ExitCode: ${t.exitCode}, Reason: ${t.reason ?? ''}`;
    return at('FAILING', { errorMessage: `executor ${failedExecutor[0]} failed with ${why}` });
  }
  if (ds === 'RUNNING') return at('RUNNING');
  return at('SUBMITTED');
};

/** spark-operator for SparkApplications (sparkoperator.k8s.io/v1beta2); the scenario hits the driver by default. */
export const sparkOperator: SimulatedOperator = {
  kind: { apiVersion: 'sparkoperator.k8s.io/v1beta2', kind: 'SparkApplication' },
  desiredPods: (app, pods) => desiredPods(app, pods),
  status,
};
