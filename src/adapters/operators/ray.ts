// The simulated KubeRay operator: a RayJob's cluster pods and submitter, and the RayJob status KubeRay writes.
import type { Container, KubeObject, Pod, PodSpec } from '../../domain/kubernetes.js';
import { arrayAt, numberAt, recordAt, stringAt } from '../../domain/json-read.js';
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

/** The roles a scenario can target: `head`, `worker`, `submitter` (kubetasks.dev/scenario-role). */
export type RayRole = 'head' | 'worker' | 'submitter';

const HEAD_CONTAINER = 'ray-head';
/** The simulation's own bookkeeping: which replica of its group a worker pod stands for. */
const WORKER_INDEX_ANNOTATION = 'kubetasks.dev/ray-worker-index';
const WORKER_CONTAINER = 'ray-worker';
const SUBMITTER_CONTAINER = 'ray-job-submitter';

// The random suffixes of Kubernetes generated names, drawn deterministically from the RayJob's uid.
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const suffix = (seed: string, n = 5): string => {
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193) >>> 0;
  let out = '';
  for (let i = 0; i < n; i++) {
    h = Math.imul(h ^ (i + 1), 0x01000193) >>> 0;
    out += ALPHABET[h % ALPHABET.length] ?? 'x';
  }
  return out;
};

const jobName = (job: KubeObject): string => job.metadata?.name ?? '';
const uidOf = (job: KubeObject): string => job.metadata?.uid ?? jobName(job);

/** KubeRay's RayCluster name for a RayJob: `<rayjob>-raycluster-<random>`. */
export const rayClusterNameOf = (job: KubeObject): string =>
  `${jobName(job)}-raycluster-${suffix(`${uidOf(job)}/cluster`)}`;
const headPodName = (job: KubeObject): string =>
  `${rayClusterNameOf(job)}-head-${suffix(`${uidOf(job)}/head`)}`;
const workerPodName = (job: KubeObject, group: string, i: number, generation: number): string =>
  `${rayClusterNameOf(job)}-${group}-worker-${suffix(`${uidOf(job)}/${group}/${i}/${generation}`)}`;
const submitterPodName = (job: KubeObject): string => `${jobName(job)}-${suffix(`${uidOf(job)}/submitter`)}`;
const jobIdOf = (job: KubeObject): string => `${jobName(job)}-${suffix(`${uidOf(job)}/job`, 5)}`;
const headService = (job: KubeObject): string => `${rayClusterNameOf(job)}-head-svc`;
const dashboardURL = (job: KubeObject): string =>
  `${headService(job)}.${job.metadata?.namespace ?? 'default'}.svc.cluster.local:8265`;

const spec = (job: KubeObject): Json => recordAt(job, 'spec');
const clusterSpec = (job: KubeObject): Json => recordAt(spec(job), 'rayClusterSpec');
const submissionMode = (job: KubeObject): string => stringAt(spec(job), 'submissionMode') || 'K8sJobMode';
const deploymentStatus = (job: KubeObject): string =>
  stringAt(recordAt(job, 'status'), 'jobDeploymentStatus');

/**
 * Where a scenario lands by default: user code fails in the Ray driver (the submitter's `ray job submit` reports the
 * job's failure in K8sJobMode; in HTTPMode and SidecarMode the driver runs on the head), so `exit:N` goes there;
 * everything else (OOM, preemption, eviction...) hits a worker, as the required scenarios ask.
 */
export const defaultScenarioRole = (job: KubeObject): RayRole => {
  const scenario = job.metadata?.annotations?.[SCENARIO_ANNOTATION] ?? '';
  if (!scenario.startsWith('exit:')) return 'worker';
  return submissionMode(job) === 'K8sJobMode' ? 'submitter' : 'head';
};

// -------------------------------------------------------------------------------------
// pods
// -------------------------------------------------------------------------------------

/**
 * The kubelet runs every pod for one run duration, but Ray's pods do not end on their own: the submitter waits for
 * its job (longer than the workers' trouble takes to show), the head outlives the submitter. Stretched here.
 */
const stretchedRun = (job: KubeObject, role: RayRole): Record<string, string> => {
  const a = job.metadata?.annotations ?? {};
  const run = annotationDuration(a, RUN_DURATION_ANNOTATION, defaultPlanDurations.runMs);
  const pending = annotationDuration(a, PENDING_DURATION_ANNOTATION, defaultPlanDurations.pendingMs);
  if (role === 'submitter') return { [RUN_DURATION_ANNOTATION]: formatDuration(run + pending + 1000) };
  if (role === 'head' && submissionMode(job) === 'K8sJobMode') {
    return { [RUN_DURATION_ANNOTATION]: formatDuration(2 * run + 2 * pending + 5000) };
  }
  return {};
};

const podOf = (
  job: KubeObject,
  role: RayRole,
  name: string,
  template: Json,
  labels: Record<string, string>,
  container: string,
  withScenario: boolean,
): Pod => {
  const meta = recordAt(template, 'metadata');
  const scenario = withScenario ? scenarioAnnotations(job, role, defaultScenarioRole(job)) : {};
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      labels: { ...stringMap(meta['labels']), ...labels },
      annotations: {
        ...withoutScenario(meta['annotations']),
        ...scenario,
        ...stretchedRun(job, role),
        [SCENARIO_CONTAINER_ANNOTATION]: container,
      },
    },
    spec: recordAt(template, 'spec') as unknown as PodSpec,
  };
};

const commonLabels = (
  job: KubeObject,
  nodeType: 'head' | 'worker',
  group: string,
): Record<string, string> => ({
  'ray.io/cluster': rayClusterNameOf(job),
  'ray.io/node-type': nodeType,
  'ray.io/group': group,
  'ray.io/is-ray-node': 'yes',
  'ray.io/identifier': `${rayClusterNameOf(job)}-${nodeType}`,
  'app.kubernetes.io/name': 'kuberay',
  'app.kubernetes.io/created-by': 'kuberay-operator',
});

const headPod = (job: KubeObject, withScenario: boolean): Pod =>
  podOf(
    job,
    'head',
    headPodName(job),
    recordAt(recordAt(clusterSpec(job), 'headGroupSpec'), 'template'),
    commonLabels(job, 'head', 'headgroup'),
    HEAD_CONTAINER,
    withScenario,
  );

interface WorkerSlot {
  readonly group: string;
  readonly index: number;
  readonly template: Json;
}

const workerSlots = (job: KubeObject): ReadonlyArray<WorkerSlot> =>
  arrayAt(clusterSpec(job), 'workerGroupSpecs').flatMap((g) => {
    const group = stringAt(g, 'groupName');
    return Array.from({ length: numberAt(g, 'replicas') ?? 0 }, (_, index) => ({
      group,
      index,
      template: recordAt(g, 'template'),
    }));
  });

const isWorkerOf = (p: Pod, slot: WorkerSlot): boolean =>
  p.metadata?.labels?.['ray.io/group'] === slot.group &&
  p.metadata.annotations?.[WORKER_INDEX_ANNOTATION] === String(slot.index);

/**
 * The live pod of a worker slot, else a new one. KubeRay replaces a worker that is gone (deleted after a
 * preemption); the replacement has a new name and, the disruption being over, no scenario.
 */
const workerPod = (job: KubeObject, slot: WorkerSlot, pods: ReadonlyArray<Pod>): Pod => {
  const mine = pods.filter((p) => isWorkerOf(p, slot));
  const live = mine.find(
    (p) => p.metadata?.deletionTimestamp === undefined || p.metadata.deletionTimestamp === null,
  );
  if (live !== undefined) return live;
  const replacement = deploymentStatus(job) !== '' && deploymentStatus(job) !== 'Initializing';
  const pod = podOf(
    job,
    'worker',
    workerPodName(job, slot.group, slot.index, replacement ? 1 : 0),
    slot.template,
    commonLabels(job, 'worker', slot.group),
    WORKER_CONTAINER,
    !replacement,
  );
  return {
    ...pod,
    metadata: {
      ...pod.metadata,
      annotations: { ...pod.metadata?.annotations, [WORKER_INDEX_ANNOTATION]: String(slot.index) },
    },
  };
};

const submitterPod = (job: KubeObject): Pod => {
  const template = recordAt(spec(job), 'submitterPodTemplate');
  const pod = podOf(
    job,
    'submitter',
    submitterPodName(job),
    template,
    { 'batch.kubernetes.io/job-name': jobName(job), 'job-name': jobName(job) },
    SUBMITTER_CONTAINER,
    true,
  );
  const command = [
    'ray',
    'job',
    'submit',
    '--address',
    `http://${dashboardURL(job)}`,
    '--submission-id',
    jobIdOf(job),
    '--',
    stringAt(spec(job), 'entrypoint'),
  ];
  const containers = (pod.spec?.containers ?? []).map((c: Container) =>
    c.name === SUBMITTER_CONTAINER ? { ...c, command } : c,
  );
  return { ...pod, spec: { ...(pod.spec as PodSpec), containers } };
};

const phaseOf = (p: Pod | undefined): string => p?.status?.phase ?? 'Pending';
const started = (p: Pod | undefined): boolean => ['Running', 'Succeeded', 'Failed'].includes(phaseOf(p));
const byRole = (pods: ReadonlyArray<Pod>, nodeType: string): ReadonlyArray<Pod> =>
  pods.filter((p) => p.metadata?.labels?.['ray.io/node-type'] === nodeType);
const submitterOf = (job: KubeObject, pods: ReadonlyArray<Pod>): Pod | undefined =>
  pods.find((p) => p.metadata?.name === submitterPodName(job));

const TERMINAL = new Set(['Complete', 'Failed', 'ValidationFailed']);

/** The cluster first; the submitter once the head and every worker run (KubeRay waits for the cluster to be ready). */
const desiredPods = (job: KubeObject, pods: ReadonlyArray<Pod>): ReadonlyArray<Pod> => {
  if (TERMINAL.has(deploymentStatus(job))) return [];
  const initial = deploymentStatus(job) === '' || deploymentStatus(job) === 'Initializing';
  const head = byRole(pods, 'head')[0] ?? headPod(job, initial);
  const workers = workerSlots(job).map((s) => workerPod(job, s, pods));
  const out: Pod[] = [head, ...workers];
  const ready =
    started(pods.find((p) => p.metadata?.name === head.metadata?.name)) &&
    workers.every((w) => started(pods.find((p) => p.metadata?.name === w.metadata?.name)));
  if (submissionMode(job) === 'K8sJobMode' && ready) out.push(submitterOf(job, pods) ?? submitterPod(job));
  return out;
};

// -------------------------------------------------------------------------------------
// status
// -------------------------------------------------------------------------------------

const terminationOf = (p: Pod, container: string) =>
  p.status?.containerStatuses?.find((c) => c.name === container)?.state?.terminated;

/** A worker that failed by its own container (OOM, a crash): the Ray tasks on it fail the application. */
const workerCrash = (p: Pod): string | undefined => {
  if (p.status?.phase !== 'Failed') return undefined;
  const disrupted = (p.status.conditions ?? []).some(
    (c) => c.type === 'DisruptionTarget' && c.status === 'True',
  );
  if (disrupted || p.status.reason === 'Evicted') return undefined;
  const t = terminationOf(p, WORKER_CONTAINER);
  if (t === undefined || t.exitCode === 0) return undefined;
  return `the Ray worker ${p.metadata?.name ?? ''} died: container ${WORKER_CONTAINER} ${t.reason ?? 'Error'} (exit code ${t.exitCode})`;
};

const ts = (i: Instant): string => formatInstant(i);

/**
 * The status KubeRay (v1.6) writes: Initializing with the cluster's name while the cluster starts, Running once
 * the head and workers run (jobStatus PENDING until the driver runs), then Complete or Failed with the job's
 * status, reason and message; the head pod lost is reported as KubeRay's grace-period failure. Terminal stays.
 */
const status = (job: KubeObject, pods: ReadonlyArray<Pod>, now: Instant): unknown => {
  const current = recordAt(job, 'status');
  if (TERMINAL.has(stringAt(current, 'jobDeploymentStatus'))) return undefined;
  const cluster = rayClusterNameOf(job);
  const head = byRole(pods, 'head')[0];
  const workers = byRole(pods, 'worker');
  const submitter = submitterOf(job, pods);
  const startTime = stringAt(current, 'startTime') || ts(now);
  const desired = workerSlots(job).length;
  const base = {
    jobId: jobIdOf(job),
    rayClusterName: cluster,
    startTime,
    observedGeneration: job.metadata?.generation ?? 1,
    rayClusterStatus: {
      ...(head === undefined
        ? {}
        : {
            head: {
              podName: head.metadata?.name ?? '',
              ...(head.status?.podIP === undefined ? {} : { podIP: head.status.podIP }),
              serviceName: headService(job),
            },
          }),
      desiredWorkerReplicas: desired,
      readyWorkerReplicas: workers.filter((w) => phaseOf(w) === 'Running').length,
      availableWorkerReplicas: workers.filter((w) => phaseOf(w) === 'Running').length,
    },
  };
  const finished = (deployment: 'Complete' | 'Failed', jobStatus: string, extra: Record<string, string>) => ({
    ...base,
    jobDeploymentStatus: deployment,
    jobStatus,
    dashboardURL: dashboardURL(job),
    endTime: ts(now),
    ...extra,
  });
  if (head !== undefined && phaseOf(head) === 'Failed' && submissionMode(job) === 'K8sJobMode') {
    return finished('Failed', '', {
      reason: 'JobDeploymentStatusTransitionGracePeriodExceeded',
      message: `the head pod ${head.metadata?.name ?? ''} failed (${head.status?.reason ?? 'Error'}) and the job status was lost`,
    });
  }
  const crash = workers.map(workerCrash).find((m) => m !== undefined);
  if (crash !== undefined) {
    return finished('Failed', 'FAILED', { reason: 'AppFailed', message: `Job failed: ${crash}` });
  }
  const driver = submissionMode(job) === 'K8sJobMode' ? submitter : head;
  const driverContainer = submissionMode(job) === 'K8sJobMode' ? SUBMITTER_CONTAINER : HEAD_CONTAINER;
  if (driver !== undefined && phaseOf(driver) === 'Succeeded') {
    return finished('Complete', 'SUCCEEDED', { message: 'Job finished successfully.' });
  }
  if (driver !== undefined && phaseOf(driver) === 'Failed') {
    const code = terminationOf(driver, driverContainer)?.exitCode ?? 1;
    return finished('Failed', 'FAILED', {
      reason: 'AppFailed',
      message: `Job entrypoint command failed with exit code ${code}`,
    });
  }
  const clusterUp =
    head !== undefined && started(head) && workers.length >= desired && workers.every(started);
  // Once running, KubeRay stays Running while it replaces a lost worker; it never goes back to Initializing.
  if (!clusterUp && stringAt(current, 'jobDeploymentStatus') !== 'Running')
    return { ...base, jobDeploymentStatus: 'Initializing' };
  const running = submissionMode(job) !== 'K8sJobMode' || phaseOf(submitter) === 'Running';
  return {
    ...base,
    jobDeploymentStatus: 'Running',
    jobStatus: running ? 'RUNNING' : 'PENDING',
    dashboardURL: dashboardURL(job),
  };
};

/** KubeRay, as far as kubetasks observes it: RayJob → RayCluster pods → submitter → status. */
export const rayOperator: SimulatedOperator = {
  kind: { apiVersion: 'ray.io/v1', kind: 'RayJob' },
  desiredPods: (job, pods) => desiredPods(job, pods),
  status,
};
