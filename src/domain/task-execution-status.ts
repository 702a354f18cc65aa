// A TaskExecution's status by the Kubernetes API conventions, and the pure step from a task update to the next one.
import * as t from 'io-ts';
import { describe, JsonObject, NonEmptyString, NonNegativeInt, oneOf, struct } from './codec.js';
import { isTerminal, phases, type Phase } from './phase.js';
import type { PhaseInfo } from './phase-info.js';
import { formatInstant, type Instant } from './time.js';

// -------------------------------------------------------------------------------------
// model (the codecs are the source of the CRD's status schema)
// -------------------------------------------------------------------------------------

/** An RFC 3339 timestamp as Kubernetes writes it (`2026-12-07T16:50:08Z`). */
export const DateTime = new t.Type<string, string, unknown>(
  'DateTime',
  (u): u is string => typeof u === 'string',
  (u, c) => (typeof u === 'string' ? t.success(u) : t.failure(u, c, 'an RFC 3339 timestamp')),
  (a) => a,
);

const ConditionStatusC = oneOf('ConditionStatus', ['True', 'False', 'Unknown']);

/** A condition in metav1.Condition's shape. */
export const ConditionC = struct(
  'Condition',
  {
    type: NonEmptyString,
    status: ConditionStatusC,
    reason: describe(NonEmptyString, 'A CamelCase reason for the last transition.'),
    message: t.string,
    lastTransitionTime: DateTime,
  },
  { observedGeneration: NonNegativeInt },
);
export type Condition = t.TypeOf<typeof ConditionC>;

const ErrorKindC = oneOf('ErrorKind', ['USER', 'SYSTEM', 'UNKNOWN']);

export const StatusObjectC = struct(
  'StatusObject',
  { apiVersion: NonEmptyString, kind: NonEmptyString, name: NonEmptyString },
  { namespace: t.string },
);
export type StatusObject = t.TypeOf<typeof StatusObjectC>;

export const TaskExecutionStatusC = struct(
  'TaskExecutionStatus',
  {},
  {
    phase: oneOf('Phase', phases),
    phaseVersion: describe(NonNegativeInt, 'Bumped by the plugin when the reason is news within a phase.'),
    reason: describe(t.string, 'The error code of a failure, else a short reason when the plugin gives one.'),
    message: t.string,
    error: struct('StatusError', { code: t.string, kind: ErrorKindC }),
    attempt: describe(NonNegativeInt, 'Zero-based attempt the phase belongs to.'),
    logs: t.readonlyArray(struct('StatusLog', { name: t.string, uri: t.string })),
    objects: describe(t.readonlyArray(StatusObjectC), 'The objects the task created.'),
    startTime: DateTime,
    completionTime: DateTime,
    observedGeneration: NonNegativeInt,
    conditions: t.readonlyArray(ConditionC),
    state: describe(
      JsonObject,
      "The lifecycle machine's state (opaque, versioned): written before the controller acts, read on restart.",
    ),
  },
  'Observed state of the task, written by the controller.',
);
export type TaskExecutionStatus = t.TypeOf<typeof TaskExecutionStatusC>;

/** The keys of the status the phase function owns (everything but `state`). */
export const STATUS_KEYS = [
  'phase',
  'phaseVersion',
  'reason',
  'message',
  'error',
  'attempt',
  'logs',
  'objects',
  'startTime',
  'completionTime',
  'observedGeneration',
  'conditions',
] as const;

/** The condition every TaskExecution carries: Unknown while the task runs, then True or False (as Tekton). */
export const SUCCEEDED = 'Succeeded';

/** The API server's limit on a condition's message is 32,768 bytes; messages are cut well below it. */
export const MESSAGE_LIMIT = 8192;

/** metav1.Condition's reason format. */
export const CONDITION_REASON = /^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/u;

// -------------------------------------------------------------------------------------
// ordering: the status never goes backwards
// -------------------------------------------------------------------------------------

/** A phase's place within one attempt, as a user sees it progress (Flyte's ordinals put WaitingForCache last). */
const rank: Readonly<Record<Phase, number>> = {
  Undefined: 0,
  NotReady: 1,
  WaitingForResources: 2,
  Queued: 3,
  WaitingForCache: 3,
  Initializing: 4,
  Running: 5,
  RetryableFailure: 6,
  Success: 7,
  PermanentFailure: 7,
  Aborted: 7,
};

/** What a status shows, as an ordered key: attempt, then phase, then phase version. */
export const progressKey = (s: TaskExecutionStatus): readonly [number, number, number] => [
  s.attempt ?? 0,
  s.phase === undefined ? -1 : rank[s.phase],
  s.phaseVersion ?? 0,
];

const compareKeys = (a: readonly number[], b: readonly number[]): number => {
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
};

/** Whether the status has its final outcome (it then never changes again). */
export const isFinal = (s: TaskExecutionStatus): boolean => s.completionTime !== undefined;

/**
 * Whether `a` shows less than `b`: `b` has the outcome and `a` has not, or `b` is further on by (attempt, phase,
 * version). Writing `a` over `b` would move the status backwards.
 */
export const showsLess = (a: TaskExecutionStatus, b: TaskExecutionStatus): boolean =>
  isFinal(b) ? !isFinal(a) : !isFinal(a) && compareKeys(progressKey(a), progressKey(b)) < 0;

/** What a user would see change: the same key means no write is worth making. */
export const visibleKey = (s: TaskExecutionStatus): string =>
  `${s.attempt ?? ''}/${s.phase ?? ''}/${s.phaseVersion ?? ''}/${isFinal(s) ? 'final' : ''}`;

// -------------------------------------------------------------------------------------
// the step
// -------------------------------------------------------------------------------------

/** One update of the task, as the controller hands it over. */
export interface StatusUpdate {
  readonly phaseInfo: PhaseInfo;
  readonly attempt: number;
  /** The task's outcome (attempt-level failures are not final). */
  readonly final: boolean;
  readonly at: Instant;
  /** The TaskExecution's metadata.generation the controller acted on. */
  readonly generation?: number;
  /** The objects the task has created so far. */
  readonly objects?: ReadonlyArray<StatusObject>;
}

const cut = (s: string): string => (s.length > MESSAGE_LIMIT ? `${s.slice(0, MESSAGE_LIMIT - 1)}…` : s);

/** A reason worth a column: the error code, or the plugin's reason when it is one CamelCase word. */
const shortReason = (pi: PhaseInfo): string =>
  pi.error?.code ?? (/^[A-Z][A-Za-z0-9]*$/u.test(pi.reason) ? pi.reason : '');

const conditionStatus = (phase: Phase, final: boolean): Condition['status'] =>
  phase === 'Success' ? 'True' : final && isTerminal(phase) ? 'False' : 'Unknown';

/** The Succeeded condition after `prev`'s, its transition time kept unless its status changed. */
const succeeded = (
  prev: ReadonlyArray<Condition> | undefined,
  status: Condition['status'],
  reason: string,
  message: string,
  at: Instant,
  generation: number | undefined,
): ReadonlyArray<Condition> => {
  const old = prev?.find((c) => c.type === SUCCEEDED);
  const others = (prev ?? []).filter((c) => c.type !== SUCCEEDED);
  return [
    ...others,
    {
      type: SUCCEEDED,
      status,
      reason,
      message: cut(message),
      lastTransitionTime:
        old !== undefined && old.status === status ? old.lastTransitionTime : formatInstant(at),
      ...(generation === undefined ? {} : { observedGeneration: generation }),
    },
  ];
};

/**
 * The status after an update. It never goes backwards: an update whose (attempt, phase, version) is not ahead
 * of the status's is ignored, an Undefined phase says nothing, and once the outcome is written (completionTime)
 * nothing changes it. `state` is not this function's: it is kept as it is.
 */
export const nextStatus = (prev: TaskExecutionStatus, u: StatusUpdate): TaskExecutionStatus => {
  const pi = u.phaseInfo;
  if (isFinal(prev) || pi.phase === 'Undefined') return prev;
  const key = [u.attempt, rank[pi.phase], pi.version] as const;
  const ahead =
    compareKeys(key, progressKey(prev)) > 0 || (u.final && compareKeys(key, progressKey(prev)) === 0);
  if (!ahead) return prev;
  const final = u.final && isTerminal(pi.phase);
  const message = pi.error?.message ?? pi.reason;
  const objects = u.objects ?? prev.objects;
  const generation = u.generation ?? prev.observedGeneration;
  const logs = pi.info.logs.map((l) => ({ name: l.name, uri: l.uri }));
  return {
    ...(prev.state === undefined ? {} : { state: prev.state }),
    phase: pi.phase,
    phaseVersion: Math.max(0, Math.trunc(pi.version)),
    reason: shortReason(pi),
    message: cut(message),
    ...(pi.error === undefined ? {} : { error: { code: pi.error.code, kind: pi.error.kind } }),
    attempt: u.attempt,
    ...(logs.length > 0 ? { logs } : prev.logs === undefined ? {} : { logs: prev.logs }),
    ...(objects === undefined || objects.length === 0 ? {} : { objects }),
    startTime: prev.startTime ?? formatInstant(u.at),
    ...(final ? { completionTime: formatInstant(u.at) } : {}),
    ...(generation === undefined ? {} : { observedGeneration: generation }),
    conditions: succeeded(
      prev.conditions,
      conditionStatus(pi.phase, final),
      pi.phase,
      message === '' ? pi.phase : message,
      u.at,
      generation,
    ),
  };
};

/**
 * The status of a TaskExecution the controller refuses (its spec does not decode, no plugin serves its type): a
 * permanent USER failure with the reason as its code, final at once.
 */
export const rejectedStatus = (
  code: string,
  message: string,
  at: Instant,
  generation?: number,
): TaskExecutionStatus => ({
  phase: 'PermanentFailure',
  phaseVersion: 0,
  reason: code,
  message: cut(message),
  error: { code, kind: 'USER' },
  attempt: 0,
  startTime: formatInstant(at),
  completionTime: formatInstant(at),
  ...(generation === undefined ? {} : { observedGeneration: generation }),
  conditions: succeeded(undefined, 'False', code, message, at, generation),
});

/** The status as the phase function owns it: every key but `state`. */
export const withoutState = (s: TaskExecutionStatus): TaskExecutionStatus => {
  const { state: _state, ...rest } = s;
  return rest;
};

/**
 * The PhaseInfo a status shows, for clients that follow a TaskExecution (`kubetasks submit --watch` prints the same
 * lines as `run` from it): phase, version, the message as reason, and the error with the message.
 */
export const phaseInfoOfStatus = (s: TaskExecutionStatus): PhaseInfo => {
  const message = s.message ?? '';
  return {
    phase: s.phase ?? 'Undefined',
    version: s.phaseVersion ?? 0,
    reason: s.error === undefined ? message : '',
    cleanupOnFailure: false,
    info: { logs: [], additionalReasons: [], externalResources: [] },
    ...(s.error === undefined ? {} : { error: { code: s.error.code, kind: s.error.kind, message } }),
  };
};
