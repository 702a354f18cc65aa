// The Spark, Ray and Dask plugins against Flyte v1.14.0's: models of both answers and the S, R and D rows as exact pairs.
import fc from 'fast-check';
import type { KubeObject } from '../../src/domain/kubernetes.js';
import type { Phase } from '../../src/domain/phase.js';
import { defaultPlatformConfig } from '../../src/domain/platform-config.js';
import type { Instant } from '../../src/domain/time.js';
import { arbDaskJob, arbDaskJobStatusSequence } from '../../src/testing/dask-arbitraries.js';
import { arbRayJob, arbRayJobStatusSequence } from '../../src/testing/ray-arbitraries.js';
import { arbSparkApplication, arbSparkStatusSequence } from '../../src/testing/spark-arbitraries.js';
import { flyteError, type Decided, type ResourceInput, type ResourceModels } from './resource-verdict.js';

/** The CRD plugins the oracle calls through Flyte's plugin registry (tools/flyte-oracle/crd.go). */
export type CrdPlugin = 'spark' | 'ray' | 'dask';

/** One observation: the custom resource and the clock (the default platform config throughout). */
export type CrdInput = ResourceInput;

const decided = (phase: Phase, reason: string, branch: string, versionStep = true): Decided => ({
  phase,
  reason,
  cleanup: false,
  branch,
  versionStep,
});

const failedWith = (
  phase: 'RetryableFailure' | 'PermanentFailure',
  code: string,
  kind: 'USER' | 'SYSTEM',
  branch: string,
  cleanup = false,
): Decided => ({ phase, reason: '', code, kind, cleanup, branch, versionStep: true });

const rec = (v: unknown): Readonly<Record<string, unknown>> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const statusOf = (x: CrdInput): Readonly<Record<string, unknown>> =>
  rec((x.resource as { status?: unknown }).status);

// -------------------------------------------------------------------------------------
// Spark
// -------------------------------------------------------------------------------------

const sparkState = (x: CrdInput): string => str(rec(statusOf(x)['applicationState'])['state']);

/** v1.14.0's GetTaskPhase (spark.go): five states decide, every other one is Running with no reason. */
const sparkFlyte = (x: CrdInput): Decided => {
  switch (sparkState(x)) {
    case '':
      return decided('Queued', 'job queued', 'new');
    case 'SUBMITTED':
    case 'PENDING_SUBMISSION':
      return decided('Initializing', 'job submitted', 'submitted');
    case 'SUBMISSION_FAILED':
      return failedWith('RetryableFailure', 'DownstreamSystemError', 'USER', 'submission-failed');
    case 'FAILED':
      return failedWith('RetryableFailure', 'DownstreamSystemError', 'USER', 'failed');
    case 'COMPLETED':
      return decided('Success', '', 'completed');
    default:
      return decided('Running', '', 'other');
  }
};

/** Whether the operator submits again (docs/plugins/spark.md, S12): restart policy Always, or OnFailure with retries left. */
const sparkRetriesLeft = (x: CrdInput): boolean => {
  const policy = rec(rec((x.resource as { spec?: unknown }).spec)['restartPolicy']);
  const attempts = statusOf(x)['submissionAttempts'];
  const retries = policy['onSubmissionFailureRetries'];
  if (policy['type'] === 'Always') return true;
  return (
    policy['type'] === 'OnFailure' &&
    typeof retries === 'number' &&
    (typeof attempts === 'number' ? attempts : 0) <= retries
  );
};

/** kubetasks' table (docs/plugins/spark.md) without a driver pod, with the Spark UI readiness note. */
const sparkKubetasks = (x: CrdInput): Decided => {
  const state = sparkState(x);
  const error = str(rec(statusOf(x)['applicationState'])['errorMessage']);
  const ui = str(rec(statusOf(x)['driverInfo'])['webUIIngressAddress']);
  switch (state) {
    case '':
      return decided('Queued', 'job queued', 'new');
    case 'SUBMITTED':
    case 'PENDING_SUBMISSION':
      return decided('Initializing', 'job submitted', 'submitted');
    case 'SUBMISSION_FAILED':
      return sparkRetriesLeft(x)
        ? decided(
            'Initializing',
            `job submission failed, the operator retries: ${error}`,
            'submission-retrying',
          )
        : failedWith('RetryableFailure', 'DownstreamSystemError', 'USER', 'submission-failed');
    case 'FAILED':
      return failedWith('RetryableFailure', 'DownstreamSystemError', 'USER', 'failed');
    case 'COMPLETED':
      return decided('Success', '', 'completed');
    case 'RUNNING':
      return ui === ''
        ? decided('Running', '', 'running')
        : decided('Running', 'Spark driver UI is ready', 'running-ui');
    case 'SUCCEEDING':
      return decided('Running', 'job succeeding', 'transitional');
    case 'FAILING':
      return decided('Running', error === '' ? 'job failing' : `job failing: ${error}`, 'transitional');
    case 'PENDING_RERUN':
      return decided('Running', 'job pending rerun', 'transitional');
    case 'INVALIDATING':
      return decided('Running', 'job invalidating', 'transitional');
    case 'UNKNOWN':
      return decided('Running', 'job state unknown', 'transitional');
    case 'SUSPENDING':
      return decided('WaitingForResources', 'job suspending', 'suspend');
    case 'SUSPENDED':
      return decided('WaitingForResources', 'job suspended', 'suspend');
    case 'RESUMING':
      return decided('Queued', 'job resuming', 'suspend');
    default:
      return decided('Running', `unrecognised application state ${JSON.stringify(state)}`, 'transitional');
  }
};

export const sparkModels: ResourceModels<CrdInput> = {
  flyte: sparkFlyte,
  kubetasks: sparkKubetasks,
  entries: [
    {
      id: 'S12/submission-failed-while-the-operator-retries',
      applies: (_x, k, f) => k.branch === 'submission-retrying' && f.branch === 'submission-failed',
    },
    { id: 'S13/suspend-and-resume', applies: (_x, k, f) => k.branch === 'suspend' && f.branch === 'other' },
    {
      id: 'S14/transitional-states-name-themselves',
      applies: (_x, k, f) => k.branch === 'transitional' && f.branch === 'other',
    },
    {
      // Newer Flyte marks the driver UI link ready while Running and says so in the reason (spark.go's
      // UpdateLinkReadiness, after v1.14.0); the catalogue follows it.
      id: 'v1.14.0/spark-ui-readiness-reason',
      applies: (_x, k, f) => k.branch === 'running-ui' && f.branch === 'other',
    },
  ],
};

// -------------------------------------------------------------------------------------
// Ray
// -------------------------------------------------------------------------------------

const GRACE = 'JobDeploymentStatusTransitionGracePeriodExceeded';

/** v1.14.0's GetTaskPhase (ray.go): an empty status returns before the version step; unknown statuses are errors. */
const rayFlyte = (x: CrdInput): Decided => {
  switch (str(statusOf(x)['jobDeploymentStatus'])) {
    case '':
      return decided('Queued', 'Scheduling', 'new', false);
    case 'Initializing':
      return decided('Initializing', 'cluster is creating', 'initializing');
    case 'Running':
      return decided('Running', '', 'running');
    case 'Complete':
      return decided('Success', '', 'complete');
    case 'Suspended':
      return decided('Queued', 'Suspended', 'suspended');
    case 'Suspending':
      return decided('Queued', 'Suspending', 'suspending');
    case 'Failed':
      return failedWith('PermanentFailure', 'TaskFailedWithError', 'USER', 'failed');
    default:
      return flyteError('unknown-status');
  }
};

/** kubetasks' status table (docs/plugins/ray.md) without the cluster's pods and with the default config. */
const rayKubetasks = (x: CrdInput): Decided => {
  const s = statusOf(x);
  const status = str(s['jobDeploymentStatus']);
  const jobStatus = str(s['jobStatus']);
  const reason = str(s['reason']);
  const message = str(s['message']);
  const jobFailed = (branch: string): Decided =>
    reason === GRACE
      ? failedWith('RetryableFailure', 'TaskFailedWithError', 'SYSTEM', `${branch}-grace`, true)
      : failedWith('PermanentFailure', 'TaskFailedWithError', 'USER', branch);
  switch (status) {
    case '':
    case 'New':
      return decided('Queued', 'Scheduling', 'new');
    case 'Complete':
      if (jobStatus === 'FAILED') return jobFailed('complete-failed');
      if (jobStatus === 'STOPPED')
        return failedWith('PermanentFailure', 'RayJobStopped', 'USER', 'complete-stopped');
      return decided('Success', '', 'complete');
    case 'Failed':
      return jobFailed('failed');
    case 'ValidationFailed':
      return failedWith('PermanentFailure', 'ValidationFailed', 'USER', 'validation-failed');
    case 'Suspending':
      return decided('Queued', 'cluster is about to be suspended', 'suspending');
    case 'Suspended':
      return decided('Queued', 'cluster is suspended', 'suspended');
    case 'Initializing':
      return decided('Initializing', 'cluster is creating', 'initializing');
    case 'Running':
      return decided('Running', jobStatus === '' ? '' : `Ray job ${jobStatus}`, 'running');
    case 'Retrying':
      return decided('Running', `KubeRay is retrying the job after [${reason}] ${message}`, 'retrying');
    case 'Waiting':
      return decided('Initializing', 'waiting for a job to be submitted (InteractiveMode)', 'waiting');
    default: {
      const why = `unknown job deployment status ${JSON.stringify(status)}`;
      return s['startTime'] === undefined
        ? decided('Initializing', why, 'unknown-status')
        : decided('Running', why, 'unknown-status');
    }
  }
};

export const rayModels: ResourceModels<CrdInput> = {
  flyte: rayFlyte,
  kubetasks: rayKubetasks,
  entries: [
    {
      id: 'R4/validation-failed-retrying-waiting',
      applies: (_x, k, f) =>
        f.branch === 'unknown-status' && ['validation-failed', 'retrying', 'waiting'].includes(k.branch),
    },
    {
      // kubetasks names a status no KubeRay it knows writes; Flyte returns an error every round.
      id: 'R4/unknown-deployment-status',
      applies: (_x, k, f) =>
        f.branch === 'unknown-status' && (k.branch === 'unknown-status' || k.branch === 'new'),
    },
    {
      id: 'R6/grace-period-is-a-system-retry',
      applies: (_x, k, f) =>
        k.branch.endsWith('-grace') && (f.branch === 'failed' || f.branch === 'complete'),
    },
    {
      id: 'R7/complete-is-not-always-success',
      applies: (_x, k, f) => k.branch.startsWith('complete-') && f.branch === 'complete',
    },
    {
      // An empty status returns before Flyte's version step: only the version can differ.
      id: 'R9/empty-status-skips-the-version-step',
      applies: (_x, k, f) => k.branch === 'new' && f.branch === 'new',
    },
    {
      // Newer Flyte words the suspend reasons as kubetasks does; v1.14.0 names the status.
      id: 'v1.14.0/ray-suspend-reasons',
      applies: (_x, k, f) => k.branch === f.branch && (k.branch === 'suspending' || k.branch === 'suspended'),
    },
    {
      // kubetasks says which state Ray's job is in while the deployment runs; v1.14.0 reports no reason.
      id: 'R19/running-job-status-reason',
      applies: (_x, k, f) => k.branch === 'running' && f.branch === 'running' && k.reason !== '',
    },
  ],
};

// -------------------------------------------------------------------------------------
// Dask
// -------------------------------------------------------------------------------------

/** v1.14.0's GetTaskPhase (dask.go). */
const daskFlyte = (x: CrdInput): Decided => {
  switch (str(statusOf(x)['jobStatus'])) {
    case '':
      return decided('Initializing', 'unknown', 'empty');
    case 'JobCreated':
      return decided('Initializing', 'job created', 'created');
    case 'ClusterCreated':
      return decided('Initializing', 'cluster created', 'cluster');
    case 'Failed':
      return failedWith('RetryableFailure', 'DownstreamSystemError', 'USER', 'failed');
    case 'Successful':
      return decided('Success', '', 'successful');
    default:
      return decided('Running', '', 'other');
  }
};

/** kubetasks' table (docs/plugins/dask.md) without the job-runner pod. */
const daskKubetasks = (x: CrdInput): Decided => {
  const status = str(statusOf(x)['jobStatus']);
  switch (status) {
    case '':
      return decided('Initializing', 'unknown', 'empty');
    case 'JobCreated':
      return decided('Initializing', 'job created', 'created');
    case 'ClusterCreated':
      return decided('Initializing', 'cluster created', 'cluster');
    case 'Failed':
      return failedWith('RetryableFailure', 'DownstreamSystemError', 'USER', 'failed');
    case 'Successful':
      return decided('Success', '', 'successful');
    case 'Running':
      return decided('Running', '', 'other');
    default:
      return decided('Running', `unknown job status ${JSON.stringify(status)}`, 'unknown');
  }
};

export const daskModels: ResourceModels<CrdInput> = {
  flyte: daskFlyte,
  kubetasks: daskKubetasks,
  entries: [
    {
      id: 'D9/unknown-status-names-itself',
      applies: (_x, k, f) => k.branch === 'unknown' && f.branch === 'other',
    },
  ],
};

/** Each plugin's models. */
export const CRD_MODELS: Readonly<Record<CrdPlugin, ResourceModels<CrdInput>>> = {
  spark: sparkModels,
  ray: rayModels,
  dask: daskModels,
};

// -------------------------------------------------------------------------------------
// inputs
// -------------------------------------------------------------------------------------

const created = (r: KubeObject): Instant =>
  Date.parse(r.metadata?.creationTimestamp ?? '2026-01-01T00:00:00Z');

/** An observation of `resource` at `now` under the default platform config. */
const observation = (resource: KubeObject, now: Instant): CrdInput => ({
  resource,
  now,
  config: defaultPlatformConfig,
});

/** A single resource of the plugin's kind with any status (or none), seen up to 10 minutes after its creation. */
export const arbCrdInput = (plugin: CrdPlugin): fc.Arbitrary<CrdInput> => {
  const resource: fc.Arbitrary<KubeObject> =
    plugin === 'spark'
      ? arbSparkApplication
      : ((plugin === 'ray' ? arbRayJob : arbDaskJob) as fc.Arbitrary<KubeObject>);
  return fc
    .tuple(resource, fc.integer({ min: 0, max: 600 }))
    .map(([r, after]) => observation(r, created(r) + after * 1000));
};

/** Observations of one resource whose status moves forward as its operator writes it. */
export const arbCrdSequence = (plugin: CrdPlugin): fc.Arbitrary<ReadonlyArray<CrdInput>> => {
  switch (plugin) {
    case 'spark':
      return fc
        .tuple(arbSparkStatusSequence(), fc.integer({ min: 1, max: 120 }))
        .map(([rs, gap]) => rs.map((r, i) => observation(r, created(r) + (i + 1) * gap * 1000)));
    case 'ray':
      return arbRayJobStatusSequence.map(({ observations }) =>
        observations.map((o) => observation(o.resource as KubeObject, o.now)),
      );
    case 'dask':
      return arbDaskJobStatusSequence.map(({ observations }) =>
        observations.map((o) => observation(o.resource as KubeObject, o.now)),
      );
  }
};
