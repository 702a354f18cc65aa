// The Kubeflow plugins against Flyte v1.14.0's: models of both answers, the K entries as exact pairs, generated jobs.
import fc from 'fast-check';
import type { KubeObject } from '../../src/domain/kubernetes.js';
import type { Phase } from '../../src/domain/phase.js';
import { defaultPlatformConfig, type PlatformConfig } from '../../src/domain/platform-config.js';
import { parseInstant, type Instant } from '../../src/domain/time.js';
import * as O from 'fp-ts/lib/Option.js';
import {
  arbKubeflowObservations,
  arbKubeflowStatus,
  kubeflowJob,
  type KubeflowKindName,
} from '../../src/testing/kubeflow-arbitraries.js';
import type { OraclePlugin } from './oracle.js';
import {
  flyteError,
  type Decided,
  type ResourceEntry,
  type ResourceInput,
  type ResourceModels,
} from './resource-verdict.js';

/** The three kinds, the oracle's plugin name for each. */
export const KUBEFLOW_PLUGINS: ReadonlyArray<readonly [KubeflowKindName, OraclePlugin]> = [
  ['PyTorchJob', 'pytorch'],
  ['TFJob', 'tensorflow'],
  ['MPIJob', 'mpi'],
];

/** One observation of a job: the job, the clock, the config (with `plugins.kf-operator.timeout`, also in `timeout`). */
export interface KubeflowInput extends ResourceInput {
  readonly timeout: number;
}

/** The default config with `plugins.kf-operator.timeout` (a section only the loader knows the type of). */
const withTimeout = (timeout: number): PlatformConfig => {
  const plugins: Readonly<Record<string, unknown>> = {
    ...defaultPlatformConfig.plugins,
    'kf-operator': { timeout },
  };
  return { ...defaultPlatformConfig, plugins: plugins as PlatformConfig['plugins'] };
};

const arbTimeout = fc.constantFrom(0, 60_000, 60_000, 300_000);

/** A job of `kind` with any status (or none), seen 0 to 10 minutes after its creation. */
export const arbKubeflowInput = (kind: KubeflowKindName): fc.Arbitrary<KubeflowInput> =>
  fc
    .record({
      status: fc.option(arbKubeflowStatus, { nil: undefined }),
      created: fc.integer({ min: 1_704_067_200, max: 1_798_761_600 }).map((s) => s * 1000),
      after: fc.integer({ min: 0, max: 600 }),
      timeout: arbTimeout,
    })
    .map(({ status, created, after, timeout }) => ({
      resource: kubeflowJob(kind, status, created),
      now: created + after * 1000,
      config: withTimeout(timeout),
      timeout,
    }));

/** Observations of one job whose status moves forward as the training operator writes it. */
export const arbKubeflowSequence = (kind: KubeflowKindName): fc.Arbitrary<ReadonlyArray<KubeflowInput>> =>
  fc
    .tuple(arbKubeflowObservations({ kind }), arbTimeout)
    .map(([{ observations }, timeout]) =>
      observations.map((o) => ({ resource: o.job, now: o.now, config: withTimeout(timeout), timeout })),
    );

// -------------------------------------------------------------------------------------
// reading a generated job
// -------------------------------------------------------------------------------------

interface Cond {
  /** The condition's place in the job's list: the two models' current conditions are compared by it (K3). */
  readonly index: number;
  readonly type: string;
  readonly status: string;
  readonly reason: string;
  readonly message: string;
  readonly transition: Instant | undefined;
  readonly update: Instant | undefined;
}

interface Job {
  readonly created: Instant | undefined;
  readonly started: boolean;
  /** undefined: no `conditions` field at all (Go decodes a nil slice); [] is an empty list. */
  readonly conditions: ReadonlyArray<Cond> | undefined;
  readonly active: number;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const instant = (v: unknown): Instant | undefined =>
  typeof v === 'string' ? O.toUndefined(parseInstant(v)) : undefined;
const rec = (v: unknown): Readonly<Record<string, unknown>> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

const readJob = (job: KubeObject): Job => {
  const status = rec((job as { status?: unknown }).status);
  const conds = status['conditions'];
  const replicas = Object.values(rec(status['replicaStatuses']));
  return {
    created: instant(job.metadata?.creationTimestamp),
    started: instant(status['startTime']) !== undefined,
    conditions: Array.isArray(conds)
      ? conds.map((c, index) => {
          const r = rec(c);
          return {
            index,
            type: str(r['type']),
            status: str(r['status']),
            reason: str(r['reason']),
            message: str(r['message']),
            transition: instant(r['lastTransitionTime']),
            update: instant(r['lastUpdateTime']),
          };
        })
      : undefined,
    active: replicas.reduce<number>((n, r) => n + (Number(rec(r)['active']) || 0), 0),
  };
};

// -------------------------------------------------------------------------------------
// the two models
// -------------------------------------------------------------------------------------

/** A decision with the condition that made it, if one did. */
interface KubeflowDecided extends Decided {
  readonly condition?: Cond;
}

const answer = (phase: Phase, reason = '', branch: string, condition?: Cond): KubeflowDecided => ({
  phase,
  reason,
  cleanup: false,
  branch,
  versionStep: true,
  ...(condition === undefined ? {} : { condition }),
});

const failed = (
  code: string,
  kind: 'USER' | 'SYSTEM',
  branch: string,
  condition?: Cond,
): KubeflowDecided => ({
  phase: 'RetryableFailure',
  reason: '',
  code,
  kind,
  cleanup: false,
  branch,
  versionStep: true,
  ...(condition === undefined ? {} : { condition }),
});

/**
 * v1.14.0's GetTaskPhase of the three plugins (README.md): the operator-timeout error unless startTime is set, the
 * current condition (sorted by lastTransitionTime only, newest first; Go's sort of at most 12 items is an insertion
 * sort, so ties keep list order; a missing time is the oldest), the condition table, Undefined for other types.
 */
const flyteModel = (x: KubeflowInput, job: Job): KubeflowDecided => {
  if (!job.started && (job.created ?? 0) + x.timeout < x.now) return flyteError('timeout-error');
  if (job.conditions === undefined) return answer('Queued', 'JobCreated', 'no-conditions');
  const sorted = job.conditions
    .map((c, i) => ({ c, i }))
    .sort((a, b) => (b.c.transition ?? -Infinity) - (a.c.transition ?? -Infinity) || a.i - b.i)
    .map(({ c }) => c);
  const current = sorted.find((c) => c.status === 'True');
  if (current === undefined) return flyteError('no-current-error');
  switch (current.type) {
    case '':
    case 'Created':
      return answer('Queued', 'JobCreated', 'created', current);
    case 'Running':
    case 'Restarting':
      return answer('Running', '', 'running', current);
    case 'Succeeded':
      return answer('Success', '', 'succeeded', current);
    case 'Failed':
      return failed('DownstreamSystemError', 'USER', 'failed', current);
    default:
      return answer('Undefined', '', 'undefined-type', current);
  }
};

/** The kubetasks behaviour docs/plugins/kubeflow.md and the K rows describe (no related pods are handed over). */
const kubetasksModel = (x: KubeflowInput, job: Job): KubeflowDecided => {
  const conds = job.conditions ?? [];
  const time = (c: Cond): number => c.transition ?? c.update ?? -Infinity;
  // Newest first; untimed last; ties to the later list position.
  const newest = conds
    .map((c, i) => ({ c, i }))
    .sort((a, b) => time(b.c) - time(a.c) || b.i - a.i)
    .map(({ c }) => c);
  const terminal = newest.find((c) => c.status === 'True' && (c.type === 'Succeeded' || c.type === 'Failed'));
  if (terminal !== undefined) {
    return terminal.type === 'Succeeded'
      ? answer('Success', '', 'terminal', terminal)
      : failed('DownstreamSystemError', 'USER', 'terminal', terminal);
  }
  if (conds.length === 0) {
    const c = job.created;
    return x.timeout > 0 && !job.started && c !== undefined && x.now - c >= x.timeout
      ? failed('KubeflowOperatorTimeout', 'SYSTEM', 'timeout')
      : answer('Queued', 'JobCreated', 'no-conditions');
  }
  const current = newest.find((c) => c.status === 'True');
  const byActivity = (reason: string, branch: string, c?: Cond): KubeflowDecided =>
    job.active > 0 ? answer('Running', reason, branch, c) : answer('Queued', reason, branch, c);
  if (current === undefined) {
    const types = conds.map((c) => `${c.type}=${c.status}`).join(', ');
    return byActivity(`no current condition (none is True: ${types})`, 'no-current');
  }
  switch (current.type) {
    case 'Created':
      return answer('Queued', 'JobCreated', 'created', current);
    case 'Running':
      return answer('Running', '', 'running', current);
    case 'Restarting':
      return answer('Running', current.reason === '' ? 'Restarting' : current.reason, 'restarting', current);
    case 'Suspended':
      return answer(
        'WaitingForResources',
        current.message === '' ? 'JobSuspended' : `JobSuspended: ${current.message}`,
        'suspended',
        current,
      );
    default:
      return byActivity(`unknown condition type ${JSON.stringify(current.type)}`, 'unknown-type', current);
  }
};

// -------------------------------------------------------------------------------------
// the entries: docs/compatibility.md's K rows that apply to a phase answer
// -------------------------------------------------------------------------------------

const kubeflowEntries: ReadonlyArray<ResourceEntry<KubeflowInput, KubeflowDecided>> = [
  {
    id: 'K1/suspended-and-unknown-types',
    // Flyte: Undefined for Suspended and unknown types, Queued JobCreated for an empty type.
    applies: (_x, _k, f) =>
      f.branch === 'undefined-type' || (f.branch === 'created' && f.condition?.type === ''),
  },
  { id: 'K2/no-current-condition', applies: (_x, _k, f) => f.branch === 'no-current-error' },
  {
    id: 'K3/current-condition-order',
    applies: (_x, k, f) =>
      k.condition !== undefined && f.condition !== undefined && k.condition.index !== f.condition.index,
  },
  {
    id: 'K4/operator-timeout',
    applies: (_x, k, f) => f.branch === 'timeout-error' || k.branch === 'timeout',
  },
  { id: 'K20/restarting-reason', applies: (_x, k) => k.branch === 'restarting' },
];

/**
 * The two models of all three kinds (they share one mapping) and the K rows: kubetasks' answer must be what
 * docs/plugins/kubeflow.md describes (no related pods are handed over), the oracle's what v1.14.0's kfoperators do.
 */
export const kubeflowModels: ResourceModels<KubeflowInput, KubeflowDecided> = {
  flyte: (x) => flyteModel(x, readJob(x.resource)),
  kubetasks: (x) => kubetasksModel(x, readJob(x.resource)),
  entries: kubeflowEntries,
  describe: (x) => `kf-operator.timeout: ${x.timeout}`,
};
