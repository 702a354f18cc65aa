// fast-check arbitraries for DaskJobs as the dask operator writes them: statuses, forward sequences, runner pods, dask tasks.
import fc from 'fast-check';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { TaskExecution } from '../domain/task.js';
import { formatInstant, type Instant } from '../domain/time.js';
import { arbPod, arbPodInstant } from './pod-arbitraries.js';

/** The dask operator's status.jobStatus values, "" before the operator wrote any. */
export const daskJobStatuses = [
  '',
  'JobCreated',
  'ClusterCreated',
  'Running',
  'Successful',
  'Failed',
] as const;

const ts = (i: Instant): string => formatInstant(i);

/** A DaskJob name as the plugin manager makes them (at most 53 characters). */
export const arbDaskJobName: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom('r', 'run', 'f'),
    fc.stringMatching(/^[a-z0-9]{4,8}$/),
    fc.constantFrom('a0', 'etl', 'n1'),
    fc.nat({ max: 3 }),
  )
  .map(([p, h, a, n]) => `${p}${h}-${a}-${n}`);

/** Any status the operator may write, including states it does not write today. */
export const arbDaskJobStatus: fc.Arbitrary<Record<string, unknown>> = fc
  .record(
    {
      jobStatus: fc.oneof(
        { weight: 9, arbitrary: fc.constantFrom(...daskJobStatuses) },
        { weight: 1, arbitrary: fc.constantFrom('Pending', 'Unknown', 'Cancelled') },
      ),
      jobRunnerPodName: fc.constantFrom('', 'job-runner'),
      clusterName: fc.constantFrom('', 'job'),
      startTime: fc.option(arbPodInstant.map(ts), { nil: undefined }),
      endTime: fc.option(arbPodInstant.map(ts), { nil: undefined }),
    },
    { requiredKeys: ['jobStatus'] },
  )
  .map((s) => Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined)));

/** A DaskJob with any status (or none). */
export const arbDaskJob: fc.Arbitrary<Record<string, unknown>> = fc
  .record({
    name: arbDaskJobName,
    created: arbPodInstant,
    status: fc.option(arbDaskJobStatus, { nil: undefined }),
  })
  .map(({ name, created, status }) => ({
    apiVersion: 'kubernetes.dask.org/v1',
    kind: 'DaskJob',
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, creationTimestamp: ts(created) },
    ...(status === undefined ? {} : { status }),
  }));

/**
 * The statuses a DaskJob passes through, moving forward: none, JobCreated, ClusterCreated, Running, then Successful
 * or Failed (or still running), each observed zero or more times at increasing times.
 */
export const arbDaskJobStatusSequence: fc.Arbitrary<{
  readonly job: Record<string, unknown>;
  readonly observations: ReadonlyArray<{ readonly now: Instant; readonly resource: Record<string, unknown> }>;
}> = fc
  .record({
    name: arbDaskJobName,
    created: arbPodInstant,
    ending: fc.constantFrom('Successful', 'Failed', 'running'),
    repeats: fc.array(fc.nat({ max: 2 }), { minLength: 5, maxLength: 5 }),
    gaps: fc.array(fc.integer({ min: 1, max: 600 }), { minLength: 12, maxLength: 12 }),
  })
  .map(({ name, created, ending, repeats, gaps }) => {
    const job = {
      apiVersion: 'kubernetes.dask.org/v1',
      kind: 'DaskJob',
      metadata: { name, namespace: 'ns', uid: `uid-${name}`, creationTimestamp: ts(created) },
    };
    const common = { jobRunnerPodName: `${name}-runner`, clusterName: name };
    const stages: Array<(at: Instant) => Record<string, unknown> | undefined> = [
      () => undefined,
      () => ({ jobStatus: 'JobCreated', ...common }),
      () => ({ jobStatus: 'ClusterCreated', ...common }),
      (at) => ({ jobStatus: 'Running', ...common, startTime: ts(at) }),
      (at) =>
        ending === 'running'
          ? { jobStatus: 'Running', ...common, startTime: ts(at) }
          : { jobStatus: ending, ...common, endTime: ts(at) },
    ];
    const observations: Array<{ now: Instant; resource: Record<string, unknown> }> = [];
    let now = created;
    let g = 0;
    stages.forEach((stage, i) => {
      const times = (repeats[i] ?? 0) + (i === stages.length - 1 ? 1 : 0);
      for (let k = 0; k < times; k++) {
        now += (gaps[g++ % gaps.length] ?? 1) * 1000;
        const status = stage(now);
        observations.push({ now, resource: status === undefined ? job : { ...job, status } });
      }
    });
    return { job, observations };
  });

/** The job-runner pod of a DaskJob, in any state the kubelet may report. */
export const arbDaskRunnerPod = (name: string, namespace = 'ns'): fc.Arbitrary<Pod> =>
  arbPod.map((pod) => {
    const rename = (cs: ReadonlyArray<{ name: string }> | undefined) =>
      (cs ?? []).map((c, i) => (i === 0 ? { ...c, name: 'job-runner' } : c));
    return {
      ...pod,
      metadata: {
        ...pod.metadata,
        name,
        namespace,
        labels: { ...pod.metadata?.labels, 'dask.org/component': 'job-runner' },
        annotations: { ...pod.metadata?.annotations, primary_container_name: 'job-runner' },
      },
      spec: {
        ...pod.spec,
        containers: rename(pod.spec?.containers),
      },
      ...(pod.status === undefined
        ? {}
        : {
            status: {
              ...pod.status,
              ...(pod.status.containerStatuses === undefined
                ? {}
                : {
                    containerStatuses: rename(pod.status.containerStatuses) as NonNullable<
                      Pod['status']
                    >['containerStatuses'],
                  }),
            },
          }),
    } as Pod;
  });

/** A dask task payload (task.custom) the plugin accepts, in either field spelling. */
export const arbDaskPayload: fc.Arbitrary<Record<string, unknown>> = fc
  .record({
    snake: fc.boolean(),
    workers: fc.nat({ max: 8 }),
    workerImage: fc.option(fc.constantFrom('ghcr.io/dask/dask:2024.8.0', ''), { nil: undefined }),
    cpu: fc.option(fc.constantFrom('500m', '1', '2', '3.5'), { nil: undefined }),
    memory: fc.option(fc.constantFrom('512Mi', '2Gi', '4G'), { nil: undefined }),
    proto: fc.boolean(),
    schedulerImage: fc.option(fc.constantFrom('ghcr.io/dask/dask:2024.8.0'), { nil: undefined }),
  })
  .map((p) => {
    const limits: Record<string, string> = {
      ...(p.cpu === undefined ? {} : { cpu: p.cpu }),
      ...(p.memory === undefined ? {} : { memory: p.memory }),
    };
    const resources = p.proto
      ? { limits: Object.entries(limits).map(([name, value]) => ({ name: name.toUpperCase(), value })) }
      : { limits };
    return {
      ...(p.schedulerImage === undefined ? {} : { scheduler: { image: p.schedulerImage } }),
      workers: {
        [p.snake ? 'number_of_workers' : 'numberOfWorkers']: p.workers,
        ...(p.workerImage === undefined ? {} : { image: p.workerImage }),
        ...(Object.keys(limits).length === 0 ? {} : { resources }),
      },
    };
  });

/** A dask task: a generated task execution (from `base`) with type dask and a generated payload. */
export const arbDaskTaskExecution = (base: fc.Arbitrary<TaskExecution>): fc.Arbitrary<TaskExecution> =>
  fc
    .tuple(base, arbDaskPayload)
    .map(([te, custom]) => ({ ...te, task: { ...te.task, type: 'dask', custom } }));
