// The Kubeflow plugins against Flyte v1.14.0's: models of both answers, the K entries as exact pairs, generated jobs.
import fc from 'fast-check';
import type { KubeObject } from '../../src/domain/kubernetes.js';
import type { PluginState } from '../../src/domain/phase-info.js';
import type { Phase } from '../../src/domain/phase.js';
import { defaultPlatformConfig, type PlatformConfig } from '../../src/domain/platform-config.js';
import type { PhaseContext } from '../../src/domain/plugin.js';
import { parseInstant, type Instant } from '../../src/domain/time.js';
import * as O from 'fp-ts/lib/Option.js';
import {
  arbKubeflowObservations,
  arbKubeflowStatus,
  kubeflowJob,
  type KubeflowKindName,
} from '../../src/testing/kubeflow-arbitraries.js';
import { ORACLE_ERROR, type Answer, type OraclePlugin } from './oracle.js';
import { versionRule } from './versions.js';

/** The three kinds, the oracle's plugin name for each. */
export const KUBEFLOW_PLUGINS: ReadonlyArray<readonly [KubeflowKindName, OraclePlugin]> = [
  ['PyTorchJob', 'pytorch'],
  ['TFJob', 'tensorflow'],
  ['MPIJob', 'mpi'],
];

/** One observation of a job: the job, the clock, the config (with `plugins.kf-operator.timeout`). */
export interface KubeflowInput {
  readonly job: KubeObject;
  readonly now: Instant;
  readonly config: PlatformConfig;
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
      job: kubeflowJob(kind, status, created),
      now: created + after * 1000,
      config: withTimeout(timeout),
      timeout,
    }));

/** Observations of one job whose status moves forward as the training operator writes it. */
export const arbKubeflowSequence = (kind: KubeflowKindName): fc.Arbitrary<ReadonlyArray<KubeflowInput>> =>
  fc
    .tuple(arbKubeflowObservations({ kind }), arbTimeout)
    .map(([{ observations }, timeout]) =>
      observations.map((o) => ({ job: o.job, now: o.now, config: withTimeout(timeout), timeout })),
    );

// -------------------------------------------------------------------------------------
// reading a generated job
// -------------------------------------------------------------------------------------

interface Cond {
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
      ? conds.map((c) => {
          const r = rec(c);
          return {
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

type Decided = Omit<Answer, 'version'> & { readonly branch: string; readonly condition?: Cond };

const answer = (phase: Phase, reason = '', branch: string, condition?: Cond): Decided => ({
  phase,
  reason,
  cleanup: false,
  branch,
  ...(condition === undefined ? {} : { condition }),
});

const failed = (code: string, kind: 'USER' | 'SYSTEM', branch: string, condition?: Cond): Decided => ({
  phase: 'RetryableFailure',
  reason: '',
  code,
  kind,
  cleanup: false,
  branch,
  ...(condition === undefined ? {} : { condition }),
});

/** Flyte's answer when its plugin returns an error: compared as Undefined with ORACLE_ERROR. */
const flyteError = (branch: string): Decided => ({
  phase: 'Undefined',
  reason: '',
  code: ORACLE_ERROR,
  cleanup: false,
  branch,
});

/**
 * v1.14.0's GetTaskPhase of the three plugins (README.md): the operator-timeout error unless startTime is set, the
 * current condition (sorted by lastTransitionTime only, newest first; Go's sort of at most 12 items is an insertion
 * sort, so ties keep list order; a missing time is the oldest), the condition table, Undefined for other types.
 */
const flyteModel = (x: KubeflowInput, job: Job): Decided => {
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
const kubetasksModel = (x: KubeflowInput, job: Job): Decided => {
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
  const byActivity = (reason: string, branch: string, c?: Cond): Decided =>
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

/** A K row as a predicate on the input and both models' decisions. */
interface KubeflowEntry {
  readonly id: string;
  readonly applies: (x: KubeflowInput, job: Job, k: Decided, f: Decided) => boolean;
}

export const kubeflowEntries: ReadonlyArray<KubeflowEntry> = [
  {
    id: 'K1/suspended-and-unknown-types',
    // Flyte: Undefined for Suspended and unknown types, Queued JobCreated for an empty type.
    applies: (_x, _job, _k, f) =>
      f.branch === 'undefined-type' || (f.branch === 'created' && f.condition?.type === ''),
  },
  { id: 'K2/no-current-condition', applies: (_x, _job, _k, f) => f.branch === 'no-current-error' },
  {
    id: 'K3/current-condition-order',
    applies: (_x, _job, k, f) =>
      k.condition !== undefined && f.condition !== undefined && k.condition !== f.condition,
  },
  {
    id: 'K4/operator-timeout',
    applies: (_x, _job, k, f) => f.branch === 'timeout-error' || k.branch === 'timeout',
  },
  { id: 'K20/restarting-reason', applies: (_x, _job, k) => k.branch === 'restarting' },
];

const same = (
  a: Omit<Answer, 'version' | 'message' | 'error'>,
  b: Omit<Answer, 'version' | 'message' | 'error'>,
) =>
  a.phase === b.phase &&
  a.reason === b.reason &&
  (a.code ?? '') === (b.code ?? '') &&
  (a.kind ?? '') === (b.kind ?? '') &&
  a.cleanup === b.cleanup;

export type KubeflowVerdict =
  | { readonly tag: 'equal' }
  | { readonly tag: 'explained'; readonly ids: ReadonlyArray<string> }
  | { readonly tag: 'unexplained'; readonly why: string };

/**
 * kubetasks' answer must be what its documented model says (phase, code, kind, cleanup, reason, and the version by
 * the catalogue's rule from the state it was handed); the oracle's, what v1.14.0's model says (its version rule plus
 * the manager's floor; an error answer has no version step). Where the two models differ, the K rows that apply
 * name the difference; a difference no row covers is unexplained.
 */
export const kubeflowVerdict = (
  x: KubeflowInput,
  previous: PluginState | undefined,
  k: Answer,
  f: Answer,
): KubeflowVerdict => {
  const job = readJob(x.job);
  const km = kubetasksModel(x, job);
  const fm = flyteModel(x, job);
  const kv = versionRule('catalogue', 0, km.phase, km.reason, previous);
  // An error answer has no version step; otherwise the plugin-level version is exactly v1.14.0's rule, and the task
  // sees it raised by the manager's floor (fv).
  const error = fm.code === ORACLE_ERROR;
  const fPlugin = error ? 0 : versionRule('v1.14.0', 0, fm.phase, fm.reason, previous, false);
  const fv = error ? 0 : versionRule('v1.14.0', 0, fm.phase, fm.reason, previous);
  if (!same(k, km) || k.version !== kv) {
    return {
      tag: 'unexplained',
      why: `kubetasks answered ${JSON.stringify(k)}, its documented behaviour is ${JSON.stringify({ ...km, version: kv })}`,
    };
  }
  if (!same(f, fm) || f.version !== fPlugin) {
    return {
      tag: 'unexplained',
      why: `the oracle answered ${JSON.stringify(f)}, the v1.14.0 model says ${JSON.stringify({ ...fm, version: fv })}`,
    };
  }
  if (same(km, fm) && kv === fv) return { tag: 'equal' };
  const ids = kubeflowEntries.filter((e) => e.applies(x, job, km, fm)).map((e) => e.id);
  if (ids.length === 0 && km.phase === fm.phase && km.reason === fm.reason && same(km, fm)) {
    // Only the version differs: the phase and reason agree, so it is v1.14.0's Running rule.
    return { tag: 'explained', ids: ['v1.14.0/running-version-not-bumped'] };
  }
  return ids.length === 0
    ? { tag: 'unexplained', why: `no entry covers ${JSON.stringify({ kubetasks: km, flyte: fm })}` }
    : { tag: 'explained', ids };
};

/** The phase context kubetasks' plugin is called with for one observation. */
export const kubeflowContext = (x: KubeflowInput, previous: PluginState | undefined): PhaseContext => ({
  now: x.now,
  config: x.config,
  ...(previous === undefined ? {} : { previous }),
});
