// The simulated dask-kubernetes operator: a DaskJob's scheduler, workers and job runner, and the status it writes.
import type { Container, EnvVar, KubeObject, Pod, PodSpec } from '../../domain/kubernetes.js';
import { recordAt, stringAt } from '../../domain/json-read.js';
import { formatDuration, formatInstant, type Instant } from '../../domain/time.js';
import {
  defaultPlanDurations,
  PENDING_DURATION_ANNOTATION,
  RUN_DURATION_ANNOTATION,
  SCENARIO_ANNOTATION,
  SCENARIO_CONTAINER_ANNOTATION,
} from '../kubelet/scenarios.js';
import { scenarioAnnotations, type SimulatedOperator } from './operator.js';
import { annotationDuration, stringMap, withoutScenario } from './template.js';

type Json = Readonly<Record<string, unknown>>;

/** The roles a scenario can target: `job-runner`, `scheduler`, `worker` (kubetasks.dev/scenario-role). */
export type DaskRole = 'job-runner' | 'scheduler' | 'worker';

const CONTAINERS: Readonly<Record<DaskRole, string>> = {
  'job-runner': 'job-runner',
  scheduler: 'scheduler',
  worker: 'dask-worker',
};
const WORKER_GROUP = 'default';
const WORKER_INDEX_ANNOTATION = 'kubetasks.dev/dask-worker-index';

const HEX = '0123456789abcdef';
const hex = (seed: string, n: number): string => {
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193) >>> 0;
  let out = '';
  for (let i = 0; i < n; i++) {
    h = Math.imul(h ^ (i + 1), 0x01000193) >>> 0;
    out += HEX[h % 16] ?? '0';
  }
  return out;
};

const nameOf = (job: KubeObject): string => job.metadata?.name ?? '';
const uidOf = (job: KubeObject): string => job.metadata?.uid ?? nameOf(job);
const namespaceOf = (job: KubeObject): string => job.metadata?.namespace ?? 'default';
/** The DaskCluster of a DaskJob has the job's name; its pods are named after it as the operator names them. */
export const daskRunnerPodName = (job: KubeObject): string => `${nameOf(job)}-runner`;
const schedulerPodName = (job: KubeObject): string => `${nameOf(job)}-scheduler`;
const workerPodName = (job: KubeObject, i: number, generation: number): string =>
  `${nameOf(job)}-${WORKER_GROUP}-worker-${hex(`${uidOf(job)}/${i}/${generation}`, 10)}`;
const schedulerAddress = (job: KubeObject): string =>
  `tcp://${schedulerPodName(job)}.${namespaceOf(job)}.svc.cluster.local:8786`;

const jobStatusOf = (job: KubeObject): string => stringAt(recordAt(job, 'status'), 'jobStatus');
const TERMINAL = new Set(['Successful', 'Failed']);

/** User code runs in the job runner, so `exit:N` lands there by default; other troubles hit a worker. */
export const defaultScenarioRole = (job: KubeObject): DaskRole =>
  (job.metadata?.annotations?.[SCENARIO_ANNOTATION] ?? '').startsWith('exit:') ? 'job-runner' : 'worker';

/**
 * The kubelet runs every pod for one run duration; the scheduler and workers of a Dask cluster run until the job
 * ends, and the runner waits for its computation (longer than a worker's trouble takes to show). Stretched here,
 * except for the pods a scenario targets, whose trouble must come at its time.
 */
const runDuration = (job: KubeObject, role: DaskRole, targeted: boolean): Record<string, string> => {
  const a = job.metadata?.annotations ?? {};
  const run = annotationDuration(a, RUN_DURATION_ANNOTATION, defaultPlanDurations.runMs);
  const pending = annotationDuration(a, PENDING_DURATION_ANNOTATION, defaultPlanDurations.pendingMs);
  if (role === 'job-runner') return { [RUN_DURATION_ANNOTATION]: formatDuration(run + pending + 1000) };
  if (targeted) return {};
  return { [RUN_DURATION_ANNOTATION]: formatDuration(4 * (run + pending) + 5000) };
};

const env = (c: Container, extra: ReadonlyArray<EnvVar>): Container => {
  const names = new Set(extra.map((e) => e.name));
  return { ...c, env: [...(c.env ?? []).filter((e) => !names.has(e.name)), ...extra] };
};

const podOf = (
  job: KubeObject,
  role: DaskRole,
  name: string,
  template: Json,
  labels: Record<string, string>,
  extraEnv: ReadonlyArray<EnvVar>,
  withScenario: boolean,
): Pod => {
  const meta = recordAt(template, 'metadata');
  const scenario = withScenario ? scenarioAnnotations(job, role, defaultScenarioRole(job)) : {};
  const spec = recordAt(template, 'spec') as unknown as PodSpec;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      labels: {
        ...stringMap(meta['labels']),
        'dask.org/cluster-name': nameOf(job),
        'dask.org/component': role,
        ...labels,
      },
      annotations: {
        ...withoutScenario(meta['annotations']),
        ...scenario,
        ...runDuration(job, role, scenario[SCENARIO_ANNOTATION] !== undefined),
        [SCENARIO_CONTAINER_ANNOTATION]: CONTAINERS[role],
      },
    },
    spec: {
      ...spec,
      containers: (spec.containers ?? []).map((c) => (c.name === CONTAINERS[role] ? env(c, extraEnv) : c)),
    },
  };
};

const clusterSpec = (job: KubeObject): Json => recordAt(recordAt(recordAt(job, 'spec'), 'cluster'), 'spec');

const workerPods = (job: KubeObject, pods: ReadonlyArray<Pod>, initial: boolean): ReadonlyArray<Pod> => {
  const worker = recordAt(clusterSpec(job), 'worker');
  const replicas = typeof worker['replicas'] === 'number' ? worker['replicas'] : 0;
  return Array.from({ length: replicas }, (_, i) => {
    const mine = pods.filter((p) => p.metadata?.annotations?.[WORKER_INDEX_ANNOTATION] === String(i));
    const live = mine.find(
      (p) => p.metadata?.deletionTimestamp === undefined || p.metadata.deletionTimestamp === null,
    );
    if (live !== undefined) return live;
    // The operator keeps the worker group at its replicas; a replacement comes after the trouble, without it.
    const name = workerPodName(job, i, initial ? 0 : 1);
    const pod = podOf(
      job,
      'worker',
      name,
      worker,
      { 'dask.org/workergroup-name': WORKER_GROUP },
      [
        { name: 'DASK_WORKER_NAME', value: name },
        { name: 'DASK_SCHEDULER_ADDRESS', value: schedulerAddress(job) },
      ],
      initial,
    );
    return {
      ...pod,
      metadata: {
        ...pod.metadata,
        annotations: { ...pod.metadata?.annotations, [WORKER_INDEX_ANNOTATION]: String(i) },
      },
    };
  });
};

/** Everything at once, as the operator does: the cluster (scheduler, workers) and the job runner. */
const desiredPods = (job: KubeObject, pods: ReadonlyArray<Pod>): ReadonlyArray<Pod> => {
  if (TERMINAL.has(jobStatusOf(job))) return [];
  const initial = jobStatusOf(job) === '' || jobStatusOf(job) === 'JobCreated';
  const address = [{ name: 'DASK_SCHEDULER_ADDRESS', value: schedulerAddress(job) }];
  return [
    podOf(job, 'scheduler', schedulerPodName(job), recordAt(clusterSpec(job), 'scheduler'), {}, [], initial),
    ...workerPods(job, pods, initial),
    podOf(
      job,
      'job-runner',
      daskRunnerPodName(job),
      recordAt(recordAt(job, 'spec'), 'job'),
      {},
      address,
      initial,
    ),
  ];
};

const ts = (i: Instant): string => formatInstant(i);

/**
 * The status the dask operator writes: JobCreated when it has seen the job, ClusterCreated once the cluster's pods
 * exist, Running (with startTime) when the runner runs, then Successful or Failed from the runner's phase (with
 * endTime). Worker troubles do not end the job: the operator restarts or replaces workers; the runner decides.
 */
const status = (job: KubeObject, pods: ReadonlyArray<Pod>, now: Instant): unknown => {
  const current = recordAt(job, 'status');
  if (TERMINAL.has(stringAt(current, 'jobStatus'))) return undefined;
  const base = { jobRunnerPodName: daskRunnerPodName(job), clusterName: nameOf(job) };
  const runner = pods.find((p) => p.metadata?.name === daskRunnerPodName(job));
  const startTime = stringAt(current, 'startTime');
  switch (runner?.status?.phase) {
    case 'Succeeded':
    case 'Failed':
      return {
        ...base,
        jobStatus: runner.status.phase === 'Succeeded' ? 'Successful' : 'Failed',
        startTime: startTime || ts(now),
        endTime: ts(now),
      };
    case 'Running':
      return { ...base, jobStatus: 'Running', startTime: startTime || ts(now) };
    default:
      break;
  }
  const scheduler = pods.some((p) => p.metadata?.name === `${nameOf(job)}-scheduler`);
  return { ...base, jobStatus: scheduler ? 'ClusterCreated' : 'JobCreated' };
};

/** The dask-kubernetes operator, as far as kubetasks observes it. */
export const daskOperator: SimulatedOperator = {
  kind: { apiVersion: 'kubernetes.dask.org/v1', kind: 'DaskJob' },
  desiredPods: (job, pods) => desiredPods(job, pods),
  status,
};
