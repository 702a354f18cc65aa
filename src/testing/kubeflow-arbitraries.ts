// fast-check arbitraries for training-operator jobs (PyTorchJob, TFJob, MPIJob): conditions, statuses moving forward, tasks.
import fc from 'fast-check';
import type { KubeObject } from '../domain/kubernetes.js';
import type { BuildContext } from '../domain/plugin.js';
import type { TaskExecution } from '../domain/task.js';
import { formatInstant, type Instant } from '../domain/time.js';
import { arbBuildContext } from './task-arbitraries.js';

const SECOND = 1000;

/** The training-operator kinds and where each keeps its replica specs. */
export const kubeflowKinds = {
  PyTorchJob: { replicaSpecsKey: 'pytorchReplicaSpecs', roles: ['Master', 'Worker'], taskType: 'pytorch' },
  TFJob: {
    replicaSpecsKey: 'tfReplicaSpecs',
    roles: ['Chief', 'Worker', 'PS', 'Evaluator'],
    taskType: 'tensorflow',
  },
  MPIJob: { replicaSpecsKey: 'mpiReplicaSpecs', roles: ['Launcher', 'Worker'], taskType: 'mpi' },
} as const;
/** A training-operator kind the arbitraries generate: `PyTorchJob`, `TFJob` or `MPIJob`. */
export type KubeflowKindName = keyof typeof kubeflowKinds;

/** Condition types the operator writes, plus ones a future operator might. */
export const kubeflowConditionTypes = [
  'Created',
  'Running',
  'Restarting',
  'Succeeded',
  'Failed',
  'Suspended',
] as const;

const arbInstant: fc.Arbitrary<Instant> = fc
  .integer({ min: 1_704_067_200, max: 1_798_761_600 })
  .map((s) => s * SECOND);

// -------------------------------------------------------------------------------------
// any status: every condition type and status, unknown types, missing times, odd shapes
// -------------------------------------------------------------------------------------

/** One JobCondition, of any type (known or not) and status, with or without times, reason and message. */
export const arbKubeflowCondition: fc.Arbitrary<Record<string, unknown>> = fc
  .record(
    {
      type: fc.oneof(fc.constantFrom(...kubeflowConditionTypes), fc.constantFrom('Paused', 'Evicted', '')),
      status: fc.constantFrom('True', 'False', 'Unknown', 'true', ''),
      reason: fc.constantFrom('PyTorchJobFailed', 'TFJobRunning', 'MPIJobCreated', 'JobSuspended', ''),
      message: fc.string({ maxLength: 20 }),
      lastTransitionTime: arbInstant.map(formatInstant),
      lastUpdateTime: arbInstant.map(formatInstant),
    },
    { requiredKeys: ['type', 'status'] },
  )
  .map((c) => ({ ...c }));

const arbReplicaStatus = fc.record(
  {
    active: fc.nat({ max: 4 }),
    succeeded: fc.nat({ max: 4 }),
    failed: fc.nat({ max: 2 }),
  },
  { requiredKeys: [] },
);

/** Any status of a training-operator job (including contradictory condition lists). */
export const arbKubeflowStatus: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    conditions: fc.array(arbKubeflowCondition, { maxLength: 6 }),
    replicaStatuses: fc.dictionary(
      fc.constantFrom('Master', 'Worker', 'Chief', 'PS', 'Launcher'),
      arbReplicaStatus,
      {
        maxKeys: 3,
      },
    ),
    startTime: arbInstant.map(formatInstant),
    completionTime: arbInstant.map(formatInstant),
    lastReconcileTime: arbInstant.map(formatInstant),
  },
  { requiredKeys: [] },
);

/** A job of `kind` named job-1 with replica specs and the given status (absent when undefined). */
export const kubeflowJob = (
  kind: KubeflowKindName,
  status: Record<string, unknown> | undefined,
  created: Instant,
  replicas: Readonly<Record<string, number>> = { Worker: 2 },
): KubeObject => ({
  apiVersion: 'kubeflow.org/v1',
  kind,
  metadata: { name: 'job-1', namespace: 'ml', uid: 'uid-job-1', creationTimestamp: formatInstant(created) },
  spec: {
    [kubeflowKinds[kind].replicaSpecsKey]: Object.fromEntries(
      Object.entries(replicas).map(([r, n]) => [r, { replicas: n, template: { spec: { containers: [] } } }]),
    ),
  },
  ...(status === undefined ? {} : { status }),
});

/** A job of any of the three kinds with any status (or none). */
export const arbKubeflowJob: fc.Arbitrary<KubeObject> = fc
  .record({
    kind: fc.constantFrom<KubeflowKindName>('PyTorchJob', 'TFJob', 'MPIJob'),
    status: fc.option(arbKubeflowStatus, { nil: undefined }),
    created: arbInstant,
  })
  .map(({ kind, status, created }) => kubeflowJob(kind, status, created));

/** Job-shaped garbage: wrong types in every field the phase mapping reads. */
export const arbGarbageKubeflowJob: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything(),
  fc.record({
    kind: fc.constantFrom('PyTorchJob', 'TFJob', 'MPIJob'),
    metadata: fc.oneof(fc.anything(), fc.record({ name: fc.anything(), creationTimestamp: fc.anything() })),
    spec: fc.anything(),
    status: fc.oneof(
      fc.anything(),
      fc.record({ conditions: fc.oneof(fc.anything(), fc.array(fc.anything(), { maxLength: 4 })) }),
    ),
  }),
);

// -------------------------------------------------------------------------------------
// statuses moving forward, as the training operator writes them
// -------------------------------------------------------------------------------------

/** One observation of a job: the observer's clock and the job as then seen. */
export interface KubeflowObservation {
  readonly now: Instant;
  readonly job: KubeObject;
}

type Step = 'Running' | 'Restarting' | 'Suspended' | 'Succeeded' | 'Failed';

interface Cond {
  type: string;
  status: string;
  reason: string;
  message: string;
  lastUpdateTime: string;
  lastTransitionTime: string;
}

/** The operator's setCondition: replace the type's entry at the end; Running and Restarting exclude each other. */
const setCondition = (conds: ReadonlyArray<Cond>, c: Cond): Cond[] => {
  const out: Cond[] = [];
  for (const x of conds) {
    if (x.type === c.type) continue;
    if (
      (c.type === 'Restarting' && x.type === 'Running') ||
      (c.type === 'Running' && x.type === 'Restarting')
    )
      continue;
    const finishing = c.type === 'Succeeded' || c.type === 'Failed';
    out.push(finishing && (x.type === 'Running' || x.type === 'Suspended') ? { ...x, status: 'False' } : x);
  }
  out.push(c);
  return out;
};

/**
 * Observations of one job whose status moves forward as the training operator writes it: nothing yet, Created, then
 * Running / Restarting / Suspended in some order, possibly ending Succeeded or Failed; every step at a later time,
 * with startTime once running and completionTime at the end. Seen at a clock at or after each write.
 */
export const arbKubeflowObservations = (
  opts: { readonly kind?: KubeflowKindName; readonly maxSteps?: number } = {},
): fc.Arbitrary<{
  readonly kind: KubeflowKindName;
  readonly observations: ReadonlyArray<KubeflowObservation>;
}> =>
  fc
    .record({
      kind:
        opts.kind === undefined
          ? fc.constantFrom<KubeflowKindName>('PyTorchJob', 'TFJob', 'MPIJob')
          : fc.constant(opts.kind),
      created: arbInstant,
      gaps: fc.array(fc.integer({ min: 0, max: 120 }), { minLength: 8, maxLength: 8 }),
      steps: fc.array(fc.constantFrom<Step>('Running', 'Restarting', 'Suspended'), {
        maxLength: opts.maxSteps ?? 4,
      }),
      end: fc.constantFrom<Step | undefined>('Succeeded', 'Failed', undefined),
      seenBeforeOperator: fc.boolean(),
      lag: fc.integer({ min: 0, max: 30 }),
    })
    .map(({ kind, created, gaps, steps, end, seenBeforeOperator, lag }) => {
      const observations: KubeflowObservation[] = [];
      let t = created;
      let conds: Cond[] = [];
      let startTime: string | undefined;
      const gap = (i: number): number => (gaps[i % gaps.length] ?? 1) * SECOND;
      const seen = (status: Record<string, unknown> | undefined): void => {
        observations.push({ now: t + lag * SECOND, job: kubeflowJob(kind, status, created) });
      };
      const cond = (type: string, reason: string): Cond => ({
        type,
        status: 'True',
        reason,
        message: `${kind} ml/job-1 is ${type.toLowerCase()}.`,
        lastUpdateTime: formatInstant(t),
        lastTransitionTime: formatInstant(t),
      });
      if (seenBeforeOperator) seen(undefined);
      t += gap(0);
      conds = setCondition(conds, cond('Created', `${kind}Created`));
      seen({ conditions: conds });
      const all: Step[] = [...steps, ...(end === undefined ? [] : [end])];
      all.forEach((s, i) => {
        t += gap(i + 1);
        conds = setCondition(conds, cond(s, `${kind}${s}`));
        if (s === 'Running' && startTime === undefined) startTime = formatInstant(t);
        const finished = s === 'Succeeded' || s === 'Failed';
        seen({
          conditions: conds,
          ...(startTime === undefined ? {} : { startTime }),
          ...(finished ? { completionTime: formatInstant(t) } : {}),
          replicaStatuses: { Worker: { active: finished ? 0 : s === 'Running' ? 2 : 0 } },
        });
      });
      return { kind, observations };
    });

// -------------------------------------------------------------------------------------
// tasks
// -------------------------------------------------------------------------------------

const arbGroup = (min: number) =>
  fc.record(
    {
      common: fc.record(
        {
          replicas: fc.integer({ min, max: 4 }),
          image: fc.constantFrom('ghcr.io/example/trainer:v2', ''),
          restartPolicy: fc.constantFrom('RESTART_POLICY_NEVER', 'RESTART_POLICY_ON_FAILURE', 2),
          resources: fc.constantFrom(
            { requests: [{ name: 'CPU', value: '2' }] },
            { requests: [{ name: 'MEMORY', value: '2Gi' }], limits: [{ name: 'MEMORY', value: '4Gi' }] },
            { limits: { cpu: '3' } },
          ),
        },
        { requiredKeys: ['replicas'] },
      ),
    },
    { requiredKeys: ['common'] },
  );

const arbRunPolicy = fc.record(
  {
    cleanPodPolicy: fc.constantFrom(
      'CLEANPOD_POLICY_NONE',
      'CLEANPOD_POLICY_RUNNING',
      'CLEANPOD_POLICY_ALL',
      1,
    ),
    ttlSecondsAfterFinished: fc.nat({ max: 3600 }),
    activeDeadlineSeconds: fc.nat({ max: 86_400 }),
    backoffLimit: fc.nat({ max: 5 }),
  },
  { requiredKeys: [] },
);

/** A valid payload (version 0 or 1) for a task type, in either field spelling. */
export const arbKubeflowPayload = (
  taskType: 'pytorch' | 'tensorflow' | 'mpi',
): fc.Arbitrary<{ readonly typeVersion: 0 | 1; readonly custom: Record<string, unknown> }> => {
  const elastic = fc.option(
    fc.record({
      rdzvBackend: fc.constantFrom('c10d', 'etcd', ''),
      minReplicas: fc.integer({ min: 1, max: 2 }),
      maxReplicas: fc.integer({ min: 2, max: 4 }),
      nprocPerNode: fc.nat({ max: 8 }),
      maxRestarts: fc.nat({ max: 3 }),
    }),
    { nil: undefined },
  );
  const v0 =
    taskType === 'pytorch'
      ? fc.record({ workers: fc.integer({ min: 1, max: 4 }), elastic }).map(({ workers, elastic: e }) => ({
          workers,
          ...(e === undefined ? {} : { elastic_config: e }),
        }))
      : taskType === 'tensorflow'
        ? fc.record(
            {
              workers: fc.integer({ min: 1, max: 4 }),
              ps_replicas: fc.nat({ max: 2 }),
              chiefReplicas: fc.nat({ max: 1 }),
              evaluator_replicas: fc.nat({ max: 1 }),
            },
            { requiredKeys: ['workers'] },
          )
        : fc.record(
            {
              num_workers: fc.integer({ min: 1, max: 4 }),
              numLauncherReplicas: fc.nat({ max: 2 }),
              slots: fc.nat({ max: 8 }),
            },
            { requiredKeys: ['num_workers'] },
          );
  const v1 =
    taskType === 'pytorch'
      ? fc.record(
          {
            workerReplicas: arbGroup(1),
            master_replicas: arbGroup(0),
            runPolicy: arbRunPolicy,
            elasticConfig: elastic,
          },
          { requiredKeys: ['workerReplicas'] },
        )
      : taskType === 'tensorflow'
        ? fc.record(
            {
              worker_replicas: arbGroup(1),
              psReplicas: arbGroup(0),
              chiefReplicas: arbGroup(0),
              evaluatorReplicas: arbGroup(0),
              run_policy: arbRunPolicy,
            },
            { requiredKeys: ['worker_replicas'] },
          )
        : fc.record(
            {
              workerReplicas: arbGroup(1).map((g) => ({ ...g, command: ['sleep', 'infinity'] })),
              launcherReplicas: arbGroup(0),
              runPolicy: arbRunPolicy,
              slots: fc.nat({ max: 8 }),
            },
            { requiredKeys: ['workerReplicas'] },
          );
  const drop = (r: Record<string, unknown>): Record<string, unknown> =>
    Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined));
  return fc.oneof(
    v0.map((custom) => ({ typeVersion: 0 as const, custom: drop(custom) })),
    v1.map((custom) => ({ typeVersion: 1 as const, custom: drop(custom) })),
  );
};

/**
 * Everything buildResource reads for a Kubeflow task: the pod-construction build context (any task shape, rich
 * platform config, base templates) with the task type set and a valid payload.
 */
export const arbKubeflowBuildContext = (
  taskType: 'pytorch' | 'tensorflow' | 'mpi',
): fc.Arbitrary<BuildContext> =>
  fc.record({ ctx: arbBuildContext, payload: arbKubeflowPayload(taskType) }).map(({ ctx, payload }) => {
    const task: TaskExecution = {
      ...ctx.task,
      task: { ...ctx.task.task, type: taskType, typeVersion: payload.typeVersion, custom: payload.custom },
    };
    return { ...ctx, task };
  });
