// fast-check arbitraries for RayJobs as KubeRay writes them: statuses, forward status sequences, the cluster's pods, ray tasks.
import fc from 'fast-check';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { TaskExecution } from '../domain/task.js';
import { formatInstant, type Instant } from '../domain/time.js';
import { arbPod, arbPodInstant } from './pod-arbitraries.js';

/** KubeRay's jobDeploymentStatus values (v1.1.0 to v1.6.2), "" being New. */
export const rayJobDeploymentStatuses = [
  '',
  'Initializing',
  'Running',
  'Complete',
  'Failed',
  'Suspending',
  'Suspended',
  'Retrying',
  'Waiting',
  'ValidationFailed',
] as const;

/** Ray's job (application) statuses. */
export const rayJobStatuses = ['', 'PENDING', 'RUNNING', 'STOPPED', 'SUCCEEDED', 'FAILED'] as const;

/** KubeRay's status.reason values on failure. */
export const rayJobFailureReasons = [
  '',
  'SubmissionFailed',
  'DeadlineExceeded',
  'AppFailed',
  'JobDeploymentStatusTransitionGracePeriodExceeded',
  'ValidationFailed',
  'PreRunningDeadlineExceeded',
] as const;

const ts = (i: Instant): string => formatInstant(i);

/** A RayJob name as the plugin manager makes them (at most 47 characters). */
export const arbRayJobName: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom('r', 'run', 'f'),
    fc.stringMatching(/^[a-z0-9]{4,8}$/),
    fc.constantFrom('a0', 'train', 'n1'),
    fc.nat({ max: 3 }),
  )
  .map(([p, h, a, n]) => `${p}${h}-${a}-${n}`);

const arbSuffix = fc.stringMatching(/^[a-z0-9]{5}$/);

/** Any status KubeRay may write, including states of newer versions the plugin does not know. */
export const arbRayJobStatus: fc.Arbitrary<Record<string, unknown>> = fc
  .record(
    {
      jobDeploymentStatus: fc.oneof(
        { weight: 9, arbitrary: fc.constantFrom(...rayJobDeploymentStatuses) },
        { weight: 1, arbitrary: fc.constantFrom('Paused', 'Resuming', 'Unknown', 'New') },
      ),
      jobStatus: fc.constantFrom(...rayJobStatuses),
      reason: fc.constantFrom(...rayJobFailureReasons),
      message: fc.constantFrom('', 'Job entrypoint command failed with exit code 1', 'deadline exceeded'),
      rayClusterName: fc.oneof(
        fc.constant(''),
        arbSuffix.map((s) => `job-raycluster-${s}`),
      ),
      dashboardURL: fc.constantFrom('', 'job-head-svc.ns.svc.cluster.local:8265'),
      jobId: fc.constantFrom('', 'job-abc12'),
      startTime: fc.option(arbPodInstant.map(ts), { nil: undefined }),
      endTime: fc.option(arbPodInstant.map(ts), { nil: undefined }),
    },
    { requiredKeys: ['jobDeploymentStatus'] },
  )
  .map((s) => Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined)));

/** A RayJob with any status (or none). */
export const arbRayJob: fc.Arbitrary<Record<string, unknown>> = fc
  .record({
    name: arbRayJobName,
    namespace: fc.constantFrom('ns', 'ml-team'),
    created: arbPodInstant,
    status: fc.option(arbRayJobStatus, { nil: undefined }),
  })
  .map(({ name, namespace, created, status }) => ({
    apiVersion: 'ray.io/v1',
    kind: 'RayJob',
    metadata: { name, namespace, uid: `uid-${name}`, creationTimestamp: ts(created) },
    ...(status === undefined ? {} : { status }),
  }));

/** How a RayJob ends in a generated sequence. */
export type RayJobEnding = 'Complete' | 'Failed' | 'ValidationFailed' | 'running';

/**
 * The statuses a RayJob passes through, moving forward: New, Initializing, Running, then Complete or Failed (or
 * ValidationFailed straight away, or still running), each stage observed zero or more times, at increasing times.
 */
export const arbRayJobStatusSequence: fc.Arbitrary<{
  readonly job: Record<string, unknown>;
  readonly observations: ReadonlyArray<{ readonly now: Instant; readonly resource: Record<string, unknown> }>;
}> = fc
  .record({
    name: arbRayJobName,
    suffix: arbSuffix,
    created: arbPodInstant,
    ending: fc.constantFrom<RayJobEnding>('Complete', 'Failed', 'ValidationFailed', 'running'),
    reason: fc.constantFrom(...rayJobFailureReasons),
    repeats: fc.array(fc.nat({ max: 2 }), { minLength: 5, maxLength: 5 }),
    gaps: fc.array(fc.integer({ min: 1, max: 600 }), { minLength: 12, maxLength: 12 }),
  })
  .map(({ name, suffix, created, ending, reason, repeats, gaps }) => {
    const cluster = `${name}-raycluster-${suffix}`;
    const job = {
      apiVersion: 'ray.io/v1',
      kind: 'RayJob',
      metadata: { name, namespace: 'ns', uid: `uid-${name}`, creationTimestamp: ts(created) },
    };
    const stages: Array<(at: Instant) => Record<string, unknown> | undefined> = [
      () => undefined,
      (at) => ({ jobDeploymentStatus: 'Initializing', rayClusterName: cluster, startTime: ts(at) }),
      (at) => ({
        jobDeploymentStatus: 'Running',
        jobStatus: 'RUNNING',
        rayClusterName: cluster,
        jobId: `${name}-job`,
        dashboardURL: `${cluster}-head-svc.ns.svc.cluster.local:8265`,
        startTime: ts(at),
      }),
    ];
    const final = (at: Instant): Record<string, unknown> => {
      switch (ending) {
        case 'Complete':
          return {
            jobDeploymentStatus: 'Complete',
            jobStatus: 'SUCCEEDED',
            rayClusterName: cluster,
            endTime: ts(at),
          };
        case 'Failed':
          return {
            jobDeploymentStatus: 'Failed',
            jobStatus: 'FAILED',
            reason,
            message: 'Job entrypoint command failed with exit code 1',
            rayClusterName: cluster,
            endTime: ts(at),
          };
        case 'ValidationFailed':
          return {
            jobDeploymentStatus: 'ValidationFailed',
            reason: 'ValidationFailed',
            message: 'invalid spec',
          };
        case 'running':
          return { jobDeploymentStatus: 'Running', jobStatus: 'RUNNING', rayClusterName: cluster };
      }
    };
    const all = ending === 'ValidationFailed' ? [stages[0], final] : [...stages, final];
    const observations: Array<{ now: Instant; resource: Record<string, unknown> }> = [];
    let now = created;
    let g = 0;
    all.forEach((stage, i) => {
      const times = (repeats[i] ?? 0) + (i === all.length - 1 ? 1 : 0);
      for (let k = 0; k < times; k++) {
        now += (gaps[g++ % gaps.length] ?? 1) * 1000;
        const status = stage?.(now);
        observations.push({ now, resource: status === undefined ? job : { ...job, status } });
      }
    });
    return { job, observations };
  });

/** A pod of a RayCluster as KubeRay labels it, in any state the kubelet may report. */
export const arbRayClusterPod = (cluster: string, namespace = 'ns'): fc.Arbitrary<Pod> =>
  fc.tuple(arbPod, fc.constantFrom('head', 'worker'), arbSuffix).map(([pod, role, suffix]) => {
    const container = role === 'head' ? 'ray-head' : 'ray-worker';
    const rename = (cs: ReadonlyArray<{ name: string }> | undefined, first: string) =>
      (cs ?? []).map((c, i) => (i === 0 ? { ...c, name: first } : c));
    return {
      ...pod,
      metadata: {
        ...pod.metadata,
        name: role === 'head' ? `${cluster}-head-${suffix}` : `${cluster}-workers-worker-${suffix}`,
        namespace,
        labels: {
          ...pod.metadata?.labels,
          'ray.io/cluster': cluster,
          'ray.io/node-type': role,
          'ray.io/group': role === 'head' ? 'headgroup' : 'workers',
        },
        annotations: { ...pod.metadata?.annotations, primary_container_name: container },
      },
      spec: {
        ...pod.spec,
        containers: rename(pod.spec?.containers, container),
      },
      ...(pod.status === undefined
        ? {}
        : {
            status: {
              ...pod.status,
              ...(pod.status.containerStatuses === undefined
                ? {}
                : {
                    containerStatuses: rename(pod.status.containerStatuses, container) as NonNullable<
                      Pod['status']
                    >['containerStatuses'],
                  }),
            },
          }),
    } as Pod;
  });

/** A ray task payload (task.custom) that the plugin accepts: head and worker groups, in either field spelling. */
export const arbRayPayload: fc.Arbitrary<Record<string, unknown>> = fc
  .record({
    snake: fc.boolean(),
    groups: fc.uniqueArray(fc.constantFrom('workers', 'gpu', 'cpu-small'), { maxLength: 2 }),
    replicas: fc.nat({ max: 4 }),
    min: fc.nat({ max: 4 }),
    max: fc.nat({ max: 8 }),
    headParams: fc.option(
      fc.dictionary(
        fc.constantFrom('num-cpus', 'num-gpus', 'include-dashboard'),
        fc.constantFrom('0', '1', 'true'),
      ),
      { nil: undefined },
    ),
    autoscaling: fc.option(fc.boolean(), { nil: undefined }),
    shutdown: fc.option(fc.boolean(), { nil: undefined }),
    ttl: fc.option(fc.nat({ max: 7200 }), { nil: undefined }),
    runtimeEnvYaml: fc.option(fc.constantFrom('pip: [numpy]', 'env_vars: {A: "1"}'), { nil: undefined }),
    mode: fc.option(fc.constantFrom('DEFAULT', 'AGGRESSIVE', 'CONSERVATIVE', 'UPSCALING_MODE_UNSPECIFIED'), {
      nil: undefined,
    }),
    headLabels: fc.option(
      fc.dictionary(fc.constantFrom('tier', 'example.com/team'), fc.constantFrom('a', 'b')),
      { nil: undefined },
    ),
  })
  .map((p) => {
    const k = (camel: string, snake: string): string => (p.snake ? snake : camel);
    const head: Record<string, unknown> = {
      ...(p.headParams === undefined ? {} : { [k('rayStartParams', 'ray_start_params')]: p.headParams }),
      ...(p.headLabels === undefined
        ? {}
        : { [k('k8sPod', 'k8s_pod')]: { metadata: { labels: p.headLabels } } }),
    };
    return {
      [k('rayCluster', 'ray_cluster')]: {
        [k('headGroupSpec', 'head_group_spec')]: head,
        [k('workerGroupSpec', 'worker_group_spec')]: p.groups.map((g) => ({
          [k('groupName', 'group_name')]: g,
          replicas: p.replicas,
          [k('minReplicas', 'min_replicas')]: p.min,
          [k('maxReplicas', 'max_replicas')]: p.max,
        })),
        ...(p.autoscaling === undefined
          ? {}
          : { [k('enableAutoscaling', 'enable_autoscaling')]: p.autoscaling }),
        ...(p.mode === undefined
          ? {}
          : {
              [k('autoscalerOptions', 'autoscaler_options')]: {
                [k('upscalingMode', 'upscaling_mode')]: p.mode,
                [k('idleTimeoutSeconds', 'idle_timeout_seconds')]: 60,
              },
            }),
      },
      ...(p.shutdown === undefined
        ? {}
        : { [k('shutdownAfterJobFinishes', 'shutdown_after_job_finishes')]: p.shutdown }),
      ...(p.ttl === undefined ? {} : { [k('ttlSecondsAfterFinished', 'ttl_seconds_after_finished')]: p.ttl }),
      ...(p.runtimeEnvYaml === undefined
        ? {}
        : { [k('runtimeEnvYaml', 'runtime_env_yaml')]: p.runtimeEnvYaml }),
    };
  });

/** A ray task: a generated task execution (from `base`) with type ray and a generated payload. */
export const arbRayTaskExecution = (base: fc.Arbitrary<TaskExecution>): fc.Arbitrary<TaskExecution> =>
  fc.tuple(base, arbRayPayload).map(([te, custom]) => ({
    ...te,
    task: {
      ...te.task,
      type: 'ray',
      custom,
      container: {
        ...(te.task.container ?? { image: 'rayproject/ray:2.40.0' }),
        args: [...(te.task.container?.args ?? []), 'pyflyte-execute', '--inputs', 's3://b/in'],
      },
    },
  }));
