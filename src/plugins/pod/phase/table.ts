// The pod phase decision table as data: every row the mapping can fire, its outcome, and its markdown rendering.
import type { ErrorKind } from '../../../domain/phase-info.js';
import type { Phase } from '../../../domain/phase.js';
import { formatDuration } from '../../../domain/time.js';
import { defaultPlatformConfig } from '../../../domain/platform-config.js';
import { COMPAT_DOC, type DifferenceId } from './differences.js';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

export type Section = 'Input' | 'Pending' | 'Primary container' | 'Failure' | 'Running' | 'Succeeded';

/** An error code: a constant, or a value taken from the pod (described for the docs). */
export type CodeSpec = { readonly literal: string } | { readonly computed: string };

interface RowBase {
  readonly section: Section;
  /** When the row fires, in the order rows are tried within the section. */
  readonly when: string;
  /** The PhaseInfo reason (non-failures) or the error message (failures). */
  readonly text: string;
  readonly differs?: ReadonlyArray<DifferenceId>;
}

/** A row that answers a non-failure phase. */
export interface ProgressRow extends RowBase {
  readonly phase: Extract<Phase, 'Undefined' | 'Queued' | 'Initializing' | 'Running' | 'Success'>;
  /** The version before any bump against the previous observation. */
  readonly version: number;
}

/** A row that answers a failure. */
export interface FailureRow extends RowBase {
  readonly phase: Extract<Phase, 'RetryableFailure' | 'PermanentFailure'>;
  readonly code: CodeSpec;
  readonly kind: Extract<ErrorKind, 'USER' | 'SYSTEM'>;
  readonly cleanup: boolean;
}

/**
 * One row of the pod phase decision table: when it fires and what it answers. Rows are data so that the docs'
 * table, the `explain` command and the tests come from the same source as the mapping.
 */
export type PhaseRow = ProgressRow | FailureRow;

export const isFailureRow = (r: PhaseRow): r is FailureRow => 'kind' in r;

const lit = (literal: string): CodeSpec => ({ literal });
const computed = (description: string): CodeSpec => ({ computed: description });

const k8s = defaultPlatformConfig.plugins.k8s;
const grace = (ms: number): string => formatDuration(ms);
const WAITING =
  'Ready=False and the first waiting init container (else the first unready waiting container) has';
const WAITING_REASON = '`[<Ready.reason>|<waiting.reason>]: <Ready.message>|<waiting.message>`';
const WAITING_CODE = computed('`<Ready.reason>|<waiting.reason>`');
const GRACE_MESSAGE = '`Grace period [<grace>] exceeded|<Ready.message>|<waiting.message>`';
const FAILURE_SIGNALS = 'Pod Failed, or its primary container terminated with a non-zero exit code:';
const CRASH_LOOP_TEXT =
  'empty; when the primary is waiting in `CrashLoopBackOff`: `container <name> is crash-looping (CrashLoopBackOff, <n> restarts): <waiting.message>`';
const EXIT_CODE_MESSAGE =
  '`<status.message>`, then per terminated container `[<name>] terminated with exit code (<n>). Reason [<reason>]. Message: <message>.`';

// -------------------------------------------------------------------------------------
// the rows, in the order they are tried
// -------------------------------------------------------------------------------------

/**
 * Every row of the pod phase decision table by id, in the order the mapping tries them within each section.
 */
export const rows = {
  // Input --------------------------------------------------------------------------------
  'input.not-a-pod': {
    section: 'Input',
    when: 'The value is not an object, or its `kind` is set and is not `Pod`',
    phase: 'Undefined',
    version: 0,
    text: '`unexpected resource type: expected a v1 Pod, got <what>`',
    differs: ['not-a-pod-is-undefined'],
  },
  'input.unknown-phase': {
    section: 'Input',
    when: '`status.phase` is `Unknown` (the node stopped reporting)',
    phase: 'Undefined',
    version: 0,
    text: 'empty (no info, no logs), as in Flyte',
  },
  'input.unschedulable-phase': {
    section: 'Input',
    when: '`status.phase` is the literal `Unschedulable` (not a real phase; kept from Flyte)',
    phase: 'Queued',
    version: 0,
    text: '`pod unschedulable`',
  },
  'input.unrecognised-phase': {
    section: 'Input',
    when: '`status.phase` is set to anything else',
    phase: 'Undefined',
    version: 0,
    text: '`unrecognised pod phase "<phase>"`',
    differs: ['no-phase-is-pending'],
  },
  // Pending ------------------------------------------------------------------------------
  'pending.unscheduled': {
    section: 'Pending',
    when: 'Pending (or no phase yet); conditions in order: `PodScheduled=False`',
    phase: 'Queued',
    version: 0,
    text: '`<reason>:<message>` of the condition',
    differs: ['no-phase-is-pending'],
  },
  'pending.unschedulable-condition': {
    section: 'Pending',
    when: 'a condition of type `Unschedulable` (legacy, kept from Flyte)',
    phase: 'Queued',
    version: 0,
    text: '`<reason>:<message>` of the condition',
  },
  'pending.waiting.starting': {
    section: 'Pending',
    when: `${WAITING} waiting reason \`ErrImagePull\`, \`ContainerCreating\` or \`PodInitializing\``,
    phase: 'Initializing',
    version: 0,
    text: WAITING_REASON,
    differs: ['logs-while-pending'],
  },
  'pending.waiting.create-container-error': {
    section: 'Pending',
    when: `${WAITING} \`CreateContainerError\`, within \`create-container-error-grace-period\` (${grace(k8s['create-container-error-grace-period'])})`,
    phase: 'Initializing',
    version: 0,
    text: WAITING_REASON,
    differs: ['grace-periods-take-now'],
  },
  'pending.waiting.create-container-error.expired': {
    section: 'Pending',
    when: `${WAITING} \`CreateContainerError\`, grace period exceeded`,
    phase: 'PermanentFailure',
    code: WAITING_CODE,
    kind: 'USER',
    cleanup: true,
    text: GRACE_MESSAGE,
    differs: ['grace-periods-take-now', 'logs-while-pending'],
  },
  'pending.waiting.create-container-config-error': {
    section: 'Pending',
    when: `${WAITING} \`CreateContainerConfigError\` (missing Secret or ConfigMap), within \`create-container-config-error-grace-period\` (${grace(k8s['create-container-config-error-grace-period'])})`,
    phase: 'Initializing',
    version: 0,
    text: WAITING_REASON,
    differs: ['create-container-config-error-grace', 'grace-periods-take-now'],
  },
  'pending.waiting.create-container-config-error.expired': {
    section: 'Pending',
    when: `${WAITING} \`CreateContainerConfigError\`, grace period exceeded`,
    phase: 'PermanentFailure',
    code: WAITING_CODE,
    kind: 'USER',
    cleanup: true,
    text: GRACE_MESSAGE,
    differs: ['create-container-config-error-grace', 'grace-periods-take-now', 'logs-while-pending'],
  },
  'pending.waiting.invalid-image-name': {
    section: 'Pending',
    when: `${WAITING} \`InvalidImageName\``,
    phase: 'PermanentFailure',
    code: WAITING_CODE,
    kind: 'USER',
    cleanup: true,
    text: '`<Ready.message>|<waiting.message>`',
    differs: ['logs-while-pending'],
  },
  'pending.waiting.image-pull-backoff': {
    section: 'Pending',
    when: `${WAITING} \`ImagePullBackOff\`, within \`image-pull-backoff-grace-period\` (${grace(k8s['image-pull-backoff-grace-period'])})`,
    phase: 'Initializing',
    version: 0,
    text: WAITING_REASON,
    differs: ['grace-periods-take-now'],
  },
  'pending.waiting.image-pull-backoff.rate-limited': {
    section: 'Pending',
    when: `${WAITING} \`ImagePullBackOff\` with \`429 Too Many Requests\` in the waiting message (registry rate limit), grace period exceeded`,
    phase: 'RetryableFailure',
    code: WAITING_CODE,
    kind: 'SYSTEM',
    cleanup: true,
    text: GRACE_MESSAGE,
    differs: ['grace-periods-take-now', 'logs-while-pending'],
  },
  'pending.waiting.image-pull-backoff.expired': {
    section: 'Pending',
    when: `${WAITING} \`ImagePullBackOff\`, grace period exceeded`,
    phase: 'RetryableFailure',
    code: WAITING_CODE,
    kind: 'USER',
    cleanup: true,
    text: GRACE_MESSAGE,
    differs: ['grace-periods-take-now', 'logs-while-pending'],
  },
  'pending.waiting.other': {
    section: 'Pending',
    when: `${WAITING} any other waiting reason (\`RegistryUnavailable\`, \`RunContainerError\`, \`CrashLoopBackOff\`, ...)`,
    phase: 'RetryableFailure',
    code: WAITING_CODE,
    kind: 'SYSTEM',
    cleanup: true,
    text: '`<Ready.message>|<waiting.message>`',
    differs: ['logs-while-pending'],
  },
  'pending.default': {
    section: 'Pending',
    when: 'no condition above matched',
    phase: 'Queued',
    version: 0,
    text: "`Demistify Pending` (Flyte's spelling, kept so existing searches still match)",
  },
  'pending.timeout': {
    section: 'Pending',
    when:
      'any non-terminal Pending answer above, when `pod-pending-timeout` > 0 and `now` is at least that long after ' +
      'the deciding condition (else the latest condition, else creation)',
    phase: 'RetryableFailure',
    code: lit('PodPendingTimeout'),
    kind: 'SYSTEM',
    cleanup: true,
    text: 'the reason of the non-terminal answer',
    differs: ['pending-timeout-anchor', 'logs-while-pending'],
  },
  // Primary container ---------------------------------------------------------------------
  'primary.oom-killed': {
    section: 'Primary container',
    when:
      'Running, Succeeded or Failed pod with the `primary_container_name` annotation, primary terminated with a ' +
      'reason containing `OOMKilled` (any exit code)',
    phase: 'RetryableFailure',
    code: lit('OOMKilled'),
    kind: 'USER',
    cleanup: false,
    text: EXIT_CODE_MESSAGE,
    differs: ['primary-decides'],
  },
  'primary.succeeded': {
    section: 'Primary container',
    when: 'as above, primary terminated with exit code 0 (other containers are not examined)',
    phase: 'Success',
    version: 0,
    text: 'empty',
    differs: ['primary-decides'],
  },
  // Failure signals, in precedence order --------------------------------------------------
  'failed.node-shutdown': {
    section: 'Failure',
    when: `${FAILURE_SIGNALS} pod reason \`Shutdown\`, \`Terminated\`, \`NodeShutdown\` or \`NodeAffinity\``,
    phase: 'RetryableFailure',
    code: lit('Interrupted'),
    kind: 'SYSTEM',
    cleanup: false,
    text: EXIT_CODE_MESSAGE,
  },
  'failed.preempted': {
    section: 'Failure',
    when: 'condition `DisruptionTarget=True` with reason `PreemptionByScheduler` or `PreemptionByKubeScheduler`',
    phase: 'RetryableFailure',
    code: lit('Preempted'),
    kind: 'SYSTEM',
    cleanup: false,
    text: '`<condition.reason>: <condition.message>` and the container lines',
    differs: ['disruption-target'],
  },
  'failed.evicted-by-system': {
    section: 'Failure',
    when:
      'condition `DisruptionTarget=True` with any other reason (`EvictionByEvictionAPI`, `DeletionByTaintManager`, ' +
      '`DeletionByPodGC`, `TerminationByKubelet`, ...)',
    phase: 'RetryableFailure',
    code: lit('EvictedBySystem'),
    kind: 'SYSTEM',
    cleanup: false,
    text: '`<condition.reason>: <condition.message>` and the container lines',
    differs: ['disruption-target'],
  },
  'failed.pod-reason': {
    section: 'Failure',
    when: 'any other pod reason (`Evicted`, `DeadlineExceeded`, `OutOfcpu`, `UnexpectedAdmissionError`, ...)',
    phase: 'RetryableFailure',
    code: computed('`<status.reason>`'),
    kind: 'USER',
    cleanup: false,
    text: EXIT_CODE_MESSAGE,
    differs: ['pod-reason-first'],
  },
  'failed.primary.sigkill': {
    section: 'Failure',
    when: 'the primary terminated with exit code 137 or 247 (SIGKILL) and was not OOM-killed',
    phase: 'RetryableFailure',
    code: lit('Interrupted'),
    kind: 'SYSTEM',
    cleanup: false,
    text: EXIT_CODE_MESSAGE,
  },
  'failed.primary.exit-code': {
    section: 'Failure',
    when: 'the primary terminated with another non-zero exit code',
    phase: 'RetryableFailure',
    code: computed('`<terminated.reason>` (`Error` when empty)'),
    kind: 'USER',
    cleanup: false,
    text: EXIT_CODE_MESSAGE,
    differs: ['same-failure-running-or-failed'],
  },
  'failed.container.oom-killed': {
    section: 'Failure',
    when: 'no primary termination; some container (init, regular, ephemeral) terminated with reason `OOMKilled`',
    phase: 'RetryableFailure',
    code: lit('OOMKilled'),
    kind: 'USER',
    cleanup: false,
    text: EXIT_CODE_MESSAGE,
    differs: ['container-precedence', 'current-state-first'],
  },
  'failed.container.sigkill': {
    section: 'Failure',
    when: 'some non-primary container terminated with exit code 137 or 247',
    phase: 'RetryableFailure',
    code: lit('Interrupted'),
    kind: 'USER',
    cleanup: false,
    text: EXIT_CODE_MESSAGE,
    differs: ['container-precedence'],
  },
  'failed.container.exit-code': {
    section: 'Failure',
    when: 'the first container with a non-zero exit code',
    phase: 'RetryableFailure',
    code: computed('`<terminated.reason>` (`Error` when empty)'),
    kind: 'USER',
    cleanup: false,
    text: EXIT_CODE_MESSAGE,
    differs: ['only-infrastructure-is-system'],
  },
  'failed.no-status': {
    section: 'Failure',
    when: 'nothing in the status explains the failure (no pod reason, no non-zero termination)',
    phase: 'RetryableFailure',
    code: lit('Interrupted'),
    kind: 'SYSTEM',
    cleanup: false,
    text: '`Pod failed. No message received from kubernetes.` (or the pod message) and the container lines',
  },
  // Running ----------------------------------------------------------------------------------
  'running.primary.not-started': {
    section: 'Running',
    when: 'Running with the annotation; the primary has no status yet (or one with an empty state) but is in the pod spec',
    phase: 'Running',
    version: 0,
    text: 'empty',
  },
  'running.primary.not-found': {
    section: 'Running',
    when: 'Running with the annotation; the primary has no status with a state and is not in the spec (as Flyte)',
    phase: 'PermanentFailure',
    code: lit('PrimaryContainerNotFound'),
    kind: 'USER',
    cleanup: false,
    text: "`Primary container [<name>] not found in pod's container statuses`",
  },
  'running.primary.running': {
    section: 'Running',
    when: 'Running with the annotation; the primary is waiting or running',
    phase: 'Running',
    version: 1,
    text: CRASH_LOOP_TEXT,
    differs: ['crash-loop-reason'],
  },
  'running.default': {
    section: 'Running',
    when:
      'Running without the annotation, unless every regular and init container status is terminated with exit ' +
      'code 0 (then the Succeeded rows apply)',
    phase: 'Running',
    version: 1,
    text: CRASH_LOOP_TEXT,
    differs: ['empty-state-is-not-success', 'crash-loop-reason'],
  },
  // Succeeded --------------------------------------------------------------------------------
  'succeeded.oom-killed': {
    section: 'Succeeded',
    when:
      'Succeeded (or Running without the annotation and every container terminated with exit code 0), and some ' +
      'container terminated with a reason containing `OOMKilled`',
    phase: 'RetryableFailure',
    code: lit('OOMKilled'),
    kind: 'USER',
    cleanup: false,
    text: '`Pod reported success despite being OOMKilled`',
  },
  'succeeded.ok': {
    section: 'Succeeded',
    when: 'otherwise',
    phase: 'Success',
    version: 0,
    text: 'empty',
  },
} as const satisfies Record<string, PhaseRow>;

/**
 * The id of a decision table row, as `kubetasks explain` prints it and tests name it; the compiler rejects a
 * misspelt one.
 */
export type RowId = keyof typeof rows;

/** Rows that answer a failure, and those that do not (checked by the compiler where answers are built). */
export type FailureRowId = {
  [K in RowId]: (typeof rows)[K] extends { readonly kind: string } ? K : never;
}[RowId];
export type ProgressRowId = Exclude<RowId, FailureRowId>;

export const failureRow = (id: FailureRowId): FailureRow => rows[id];
export const progressRow = (id: ProgressRowId): ProgressRow => rows[id];

/** The rows in table order. */
export const phaseTable: ReadonlyArray<{ readonly id: RowId; readonly row: PhaseRow }> = (
  Object.keys(rows) as RowId[]
).map((id) => ({ id, row: rows[id] }));

/** The row with that id. */
export const rowOf = (id: RowId): PhaseRow => rows[id];

// -------------------------------------------------------------------------------------
// rendering
// -------------------------------------------------------------------------------------

const cell = (s: string): string => s.replaceAll('|', '\\|').replaceAll('\n', ' ');

const codeCell = (r: PhaseRow): string => {
  if (!isFailureRow(r)) return '';
  return 'literal' in r.code ? `\`${r.code.literal}\`` : r.code.computed;
};

/** The decision table as a markdown table; docs/phase-mapping.md embeds exactly this text. */
export const renderPhaseTable = (): string => {
  const header =
    '| Row | Section | When | Phase | Version | Code | Kind | Cleanup | Reason or message | Differs from Flyte |\n' +
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n';
  const body = phaseTable
    .map(({ id, row }) => {
      const differs = (row.differs ?? [])
        .map((d) => `[${d}](${COMPAT_DOC.replace('docs/', '')}#${d})`)
        .join(', ');
      const cols = [
        `\`${id}\``,
        row.section,
        cell(row.when),
        row.phase,
        isFailureRow(row) ? '' : String(row.version),
        cell(codeCell(row)),
        isFailureRow(row) ? row.kind : '',
        isFailureRow(row) ? (row.cleanup ? 'yes' : 'no') : '',
        cell(row.text),
        differs,
      ];
      return `| ${cols.join(' | ')} |`;
    })
    .join('\n');
  return `${header}${body}\n`;
};
