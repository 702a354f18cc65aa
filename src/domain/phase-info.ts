// PhaseInfo: the immutable answer to "what phase is this task in, and why", with Flyte's constructors.
import * as t from 'io-ts';
import { isTerminal, PhaseC, type Phase } from './phase.js';
import { formatDuration, formatInstantMillis, type Instant } from './time.js';

// -------------------------------------------------------------------------------------
// model (codecs are the source of truth; a PhaseInfo is persisted and read back by the plugin manager)
// -------------------------------------------------------------------------------------

const Millis = t.number;

/** Decodes an `ErrorKind` read back from the state store. */
export const ErrorKindC = t.keyof({ USER: null, SYSTEM: null, UNKNOWN: null }, 'ErrorKind');
/**
 * Whose fault a failure is, as Flyte reports it: `USER` (the task's code, data or spec), `SYSTEM` (the platform:
 * the node, the cluster, kubetasks itself), `UNKNOWN` when nothing tells. A retryable SYSTEM failure is retried
 * within the same attempt (up to the executor's `max-system-failures`), so a broken node does not use up the
 * task's own retries.
 */
export type ErrorKind = t.TypeOf<typeof ErrorKindC>;

/** Decodes an `ExecutionError` read back from the state store. */
export const ExecutionErrorC = t.readonly(
  t.type({ code: t.string, kind: ErrorKindC, message: t.string }, 'ExecutionError'),
);
/**
 * Why a task failed, for the person who ran it: `code` is a stable machine-readable reason (a pod's reason
 * such as `OOMKilled`, or a kubetasks code) to match on, `message` is human text that may change between
 * versions.
 */
export interface ExecutionError extends t.TypeOf<typeof ExecutionErrorC> {}

/** Decodes a `LogLinkType` read back from the state store. */
export const LogLinkTypeC = t.keyof({ EXTERNAL: null, DASHBOARD: null, IDE: null }, 'LogLinkType');
/**
 * How a UI should present a log link: `EXTERNAL` a log viewer, `DASHBOARD` an application's own UI (the Spark
 * driver UI, the Ray dashboard), `IDE` an interactive session.
 */
export type LogLinkType = t.TypeOf<typeof LogLinkTypeC>;

/** Decodes a `TaskLog` read back from the state store. */
export const TaskLogC = t.readonly(
  t.type({ name: t.string, uri: t.string, linkType: LogLinkTypeC, ready: t.boolean }, 'TaskLog'),
);
/**
 * A link to a task's logs, rendered from the platform's log templates. `ready` tells a UI whether the link can be
 * followed yet.
 */
export interface TaskLog extends t.TypeOf<typeof TaskLogC> {}

/** Structured metadata of a Kubernetes Event attached to a phase (Flyte declares it but never fills it). */
export const KubernetesEventMetadataC = t.readonly(
  t.intersection([
    t.type({ type: t.string, reason: t.string, sourceComponent: t.string, count: t.number }),
    t.partial({ involvedKind: t.string, involvedName: t.string, involvedNamespace: t.string }),
  ]),
  'KubernetesEventMetadata',
);
/**
 * The decoded form of a Kubernetes Event's metadata attached to a reason: its type, reason, reporting
 * component, repeat count and the object it is about.
 */
export interface KubernetesEventMetadata extends t.TypeOf<typeof KubernetesEventMetadataC> {}

/** Decodes a `ReasonInfo` read back from the state store. */
export const ReasonInfoC = t.readonly(
  t.intersection([
    t.type({ reason: t.string }),
    t.partial({ occurredAt: Millis, kubernetesEvent: KubernetesEventMetadataC }),
  ]),
  'ReasonInfo',
);
/**
 * One extra reason beside the phase's own, e.g. a scheduler event seen while the pod was pending;
 * `occurredAt` is epoch milliseconds.
 */
export interface ReasonInfo extends t.TypeOf<typeof ReasonInfoC> {}

/** Decodes a `ContainerLogContext` read back from the state store. */
export const ContainerLogContextC = t.readonly(
  t.intersection([t.type({ name: t.string }), t.partial({ startTime: Millis, endTime: Millis })]),
  'ContainerLogContext',
);
/**
 * A container whose logs can be fetched, and when it ran (epoch milliseconds; absent until known), so a log
 * viewer can ask for the right window.
 */
export interface ContainerLogContext extends t.TypeOf<typeof ContainerLogContextC> {}

/** Decodes a `PodLogContext` read back from the state store. */
export const PodLogContextC = t.readonly(
  t.type({
    namespace: t.string,
    podName: t.string,
    primaryContainerName: t.string,
    containers: t.readonlyArray(ContainerLogContextC),
    initContainers: t.readonlyArray(ContainerLogContextC),
  }),
  'PodLogContext',
);
/**
 * Where one pod's logs are: enough for a log viewer to find every container's output without reading the pod.
 */
export interface PodLogContext extends t.TypeOf<typeof PodLogContextC> {}

/** Decodes a `LogContext` read back from the state store. */
export const LogContextC = t.readonly(
  t.type({ primaryPodName: t.string, pods: t.readonlyArray(PodLogContextC) }),
  'LogContext',
);
/** The pods of a task whose logs a viewer can show, and which of them holds the task's main output. */
export interface LogContext extends t.TypeOf<typeof LogContextC> {}

/** Decodes an `ExternalResource` read back from the state store. */
export const ExternalResourceC = t.readonly(
  t.intersection([
    t.type({
      externalId: t.string,
      index: t.number,
      retryAttempt: t.number,
      phase: PhaseC,
      logs: t.readonlyArray(TaskLogC),
    }),
    t.partial({ customInfo: t.UnknownRecord }),
  ]),
  'ExternalResource',
);
/**
 * A sub-unit of a task that has its own phase and logs (one replica of an array-like task), reported so a UI
 * can show each.
 */
export interface ExternalResource extends t.TypeOf<typeof ExternalResourceC> {}

/** Decodes a `TaskInfo` read back from the state store. */
export const TaskInfoC = t.readonly(
  t.intersection([
    t.type({
      logs: t.readonlyArray(TaskLogC),
      additionalReasons: t.readonlyArray(ReasonInfoC),
      externalResources: t.readonlyArray(ExternalResourceC),
    }),
    t.partial({
      occurredAt: Millis,
      reportedAt: Millis,
      logContext: LogContextC,
      customInfo: t.UnknownRecord,
    }),
  ]),
  'TaskInfo',
);
/**
 * Everything reported beside the phase: log links, extra reasons, the log context and plugin-specific
 * `customInfo`. `occurredAt` is when the observed change happened and `reportedAt` when the cluster recorded it
 * (for a pod, its completion condition), both in epoch milliseconds.
 */
export interface TaskInfo extends t.TypeOf<typeof TaskInfoC> {}

/**
 * Decodes a `PhaseInfo`: the manager persists the last one reported for each task and reads it back on
 * restart.
 */
export const PhaseInfoC = t.readonly(
  t.intersection([
    t.type({
      phase: PhaseC,
      version: t.number,
      reason: t.string,
      cleanupOnFailure: t.boolean,
      info: TaskInfoC,
    }),
    t.partial({ error: ExecutionErrorC }),
  ]),
  'PhaseInfo',
);
/**
 * What a plugin answers for an observed resource, and what a manager reports to its subscribers: the phase, a
 * `version` that rises when something changed within the same phase (so a caller can tell news from repeats),
 * a human `reason`, the error of a failure, and whether the resources should be deleted at once on failure
 * (`cleanupOnFailure`).
 */
export interface PhaseInfo extends t.TypeOf<typeof PhaseInfoC> {}

/** What a caller may pass as task info; missing lists default to empty. */
export type TaskInfoInput = Partial<TaskInfo>;

// -------------------------------------------------------------------------------------
// constructors (one per Flyte helper; none mutates its arguments)
// -------------------------------------------------------------------------------------

/** Info with nothing in it, shared (it is immutable) by every phase that has nothing to report. */
export const emptyTaskInfo: TaskInfo = { logs: [], additionalReasons: [], externalResources: [] };

/** Completes a partial TaskInfo into a fresh object, setting occurredAt when given and missing. */
export const taskInfo = (input: TaskInfoInput = {}, occurredAt?: Instant): TaskInfo => ({
  ...input,
  logs: input.logs ?? [],
  additionalReasons: input.additionalReasons ?? [],
  externalResources: input.externalResources ?? [],
  ...(input.occurredAt === undefined && occurredAt !== undefined ? { occurredAt } : {}),
});

const make = (
  phase: Phase,
  version: number,
  reason: string,
  info: TaskInfo,
  error?: ExecutionError,
  cleanupOnFailure = false,
): PhaseInfo => ({
  phase,
  version,
  reason,
  cleanupOnFailure,
  info,
  ...(error === undefined ? {} : { error }),
});

/** Nothing is known this round. Unlike Flyte, info is an empty value rather than absent. */
export const undefinedPhase: PhaseInfo = make('Undefined', 0, '', emptyTaskInfo);

/**
 * Flyte's `PhaseInfoNotReady`: the task cannot start yet for a reason outside it (a dependency is missing);
 * `at` is when that was seen.
 */
export const notReady = (at: Instant, version: number, reason: string): PhaseInfo =>
  make('NotReady', version, reason, taskInfo({}, at));

/**
 * Flyte's `PhaseInfoWaitingForResourcesInfo`: the task waits for quota or capacity. Kept apart from `queued` so a
 * caller can tell a shortage from ordinary scheduling.
 */
export const waitingForResources = (
  at: Instant,
  version: number,
  reason: string,
  info?: TaskInfoInput,
): PhaseInfo => make('WaitingForResources', version, reason, taskInfo(info, at));

/**
 * Flyte's `PhaseInfoQueued`: the resource exists but nothing of the task runs yet (pod pending, job
 * submitted).
 */
export const queued = (at: Instant, version: number, reason: string, info?: TaskInfoInput): PhaseInfo =>
  make('Queued', version, reason, taskInfo(info, at));

/**
 * Flyte's `PhaseInfoInitializing`: the task is being set up (images pulled, init containers run) and will run
 * without further action.
 */
export const initializing = (at: Instant, version: number, reason: string, info?: TaskInfoInput): PhaseInfo =>
  make('Initializing', version, reason, taskInfo(info, at));

/**
 * Flyte's `PhaseInfoRunning`: the task's code runs. `version` should rise when what is reported changes (new
 * logs, a new reason), so a caller passes it on.
 */
export const running = (version: number, info?: TaskInfoInput, reason = ''): PhaseInfo =>
  make('Running', version, reason, taskInfo(info));

/** Flyte's `PhaseInfoSuccess`: the task finished well; its outputs may be read. */
export const success = (info?: TaskInfoInput): PhaseInfo => make('Success', 0, '', taskInfo(info));

/** Flyte's `PhaseInfoAborted`: the task was stopped on request; `reason` says by whom or why. */
export const aborted = (at: Instant, version: number, reason: string): PhaseInfo =>
  make('Aborted', version, reason, taskInfo({}, at));

/**
 * Flyte's `PhaseInfoWaitingForCache`: the task waits for another execution that computes the same outputs, to
 * reuse them rather than run again.
 */
export const waitingForCache = (version: number, info?: TaskInfoInput): PhaseInfo =>
  make('WaitingForCache', version, '', taskInfo(info));

/** A failure phase with an explicit error. Unlike Flyte, the error is required. */
export const failed = (
  phase: 'RetryableFailure' | 'PermanentFailure',
  error: ExecutionError,
  info?: TaskInfoInput,
  cleanupOnFailure = false,
): PhaseInfo => make(phase, 0, '', taskInfo(info), error, cleanupOnFailure);

const failureOf =
  (phase: 'RetryableFailure' | 'PermanentFailure', kind: ErrorKind, cleanup: boolean) =>
  (code: string, message: string, info?: TaskInfoInput): PhaseInfo =>
    failed(phase, { code, kind, message }, info, cleanup);

/** PermanentFailure, USER. */
export const failure = failureOf('PermanentFailure', 'USER', false);
/**
 * PermanentFailure, USER, asking that the resources be deleted at once (when the platform config allows it)
 * rather than kept for inspection.
 */
export const failureWithCleanup = failureOf('PermanentFailure', 'USER', true);
/** RetryableFailure, USER. */
export const retryableFailure = failureOf('RetryableFailure', 'USER', false);
/**
 * RetryableFailure, USER, asking that the resources be deleted at once (when the platform config allows it)
 * rather than kept for inspection.
 */
export const retryableFailureWithCleanup = failureOf('RetryableFailure', 'USER', true);
/** PermanentFailure, SYSTEM. */
export const systemFailure = failureOf('PermanentFailure', 'SYSTEM', false);
/**
 * PermanentFailure, SYSTEM, asking that the resources be deleted at once (when the platform config allows it)
 * rather than kept for inspection.
 */
export const systemFailureWithCleanup = failureOf('PermanentFailure', 'SYSTEM', true);
/** RetryableFailure, SYSTEM. */
export const systemRetryableFailure = failureOf('RetryableFailure', 'SYSTEM', false);
/**
 * RetryableFailure, SYSTEM, asking that the resources be deleted at once (when the platform config allows it)
 * rather than kept for inspection.
 */
export const systemRetryableFailureWithCleanup = failureOf('RetryableFailure', 'SYSTEM', true);

// -------------------------------------------------------------------------------------
// combinators (all return new values)
// -------------------------------------------------------------------------------------

/** A copy with another version. Unlike Flyte's WithVersion, cleanupOnFailure is kept. */
export const withVersion =
  (version: number) =>
  (pi: PhaseInfo): PhaseInfo => ({ ...pi, version });

/** Appends a reason, ", "-joined like Flyte, but an empty addition changes nothing. */
export const withReason =
  (reason: string) =>
  (pi: PhaseInfo): PhaseInfo =>
    reason === '' ? pi : { ...pi, reason: pi.reason === '' ? reason : `${pi.reason}, ${reason}` };

/**
 * A copy whose info is replaced by `f` of the old one; the other `with…` info combinators are built on it.
 */
export const withInfo =
  (f: (info: TaskInfo) => TaskInfo) =>
  (pi: PhaseInfo): PhaseInfo => ({ ...pi, info: f(pi.info) });

/**
 * A copy with `reasons` appended to the info's extra reasons, e.g. pod events that explain a pending phase.
 */
export const withAdditionalReasons = (reasons: ReadonlyArray<ReasonInfo>) =>
  withInfo((info) => ({ ...info, additionalReasons: [...info.additionalReasons, ...reasons] }));

/** A copy that asks (or no longer asks) for the resources to be deleted at once on failure. */
export const withCleanupOnFailure =
  (cleanupOnFailure: boolean) =>
  (pi: PhaseInfo): PhaseInfo => ({ ...pi, cleanupOnFailure });

// -------------------------------------------------------------------------------------
// versions
// -------------------------------------------------------------------------------------

/** What a plugin can read back each round: the last reported phase, version and reason. */
export interface PluginState {
  readonly phase: Phase;
  readonly version: number;
  readonly reason: string;
}

/** Decodes a `PluginState` read back from the state store. */
export const PluginStateC = t.readonly(
  t.type({ phase: PhaseC, version: t.number, reason: t.string }),
  'PluginState',
);

/** What of a reported phase the next round needs: enough for `bumpVersion` to keep versions rising. */
export const pluginStateOf = (pi: PhaseInfo): PluginState => ({
  phase: pi.phase,
  version: pi.version,
  reason: pi.reason,
});

/**
 * Flyte's MaybeUpdatePhaseVersion: within the same phase, a changed reason bumps the version past the stored one.
 * Also the manager's floor: within the same phase, a version never goes below the stored one.
 */
export const bumpVersion =
  (previous: PluginState | undefined) =>
  (pi: PhaseInfo): PhaseInfo => {
    if (previous === undefined || previous.phase !== pi.phase) return pi;
    if (pi.version <= previous.version && pi.reason !== previous.reason)
      return withVersion(previous.version + 1)(pi);
    if (pi.version < previous.version) return withVersion(previous.version)(pi);
    return pi;
  };

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

/** Whether the reported phase is final (see `isTerminal` in `Phase`). */
export const isTerminalPhaseInfo = (pi: PhaseInfo): boolean => isTerminal(pi.phase);

/** Flyte's String(): `Phase<Queued:0 Info<@2026-01-01T00:00:00.000Z> Reason:...>` or `Phase<Name:V Error:...>`. */
export const show = (pi: PhaseInfo): string => {
  if (pi.error !== undefined) {
    return `Phase<${pi.phase}:${pi.version} Error:${pi.error.kind}/${pi.error.code}: ${pi.error.message}>`;
  }
  const at = pi.info.occurredAt === undefined ? '<nil>' : `Info<@${formatInstantMillis(pi.info.occurredAt)}>`;
  return `Phase<${pi.phase}:${pi.version} ${at} Reason:${pi.reason}>`;
};

/** The JSON shape printed by `kubetasks explain -o json` and `kubetasks run -o json`. */
export const toJson = (pi: PhaseInfo): Record<string, unknown> => ({
  phase: pi.phase,
  version: pi.version,
  reason: pi.reason,
  ...(pi.error === undefined ? {} : { error: pi.error }),
  cleanupOnFailure: pi.cleanupOnFailure,
  info: {
    ...(pi.info.occurredAt === undefined ? {} : { occurredAt: formatInstantMillis(pi.info.occurredAt) }),
    ...(pi.info.reportedAt === undefined ? {} : { reportedAt: formatInstantMillis(pi.info.reportedAt) }),
    logs: pi.info.logs,
    additionalReasons: pi.info.additionalReasons.map((r) => ({
      ...r,
      ...(r.occurredAt === undefined ? {} : { occurredAt: formatInstantMillis(r.occurredAt) }),
    })),
    ...(pi.info.logContext === undefined ? {} : { logContext: pi.info.logContext }),
    ...(pi.info.externalResources.length === 0 ? {} : { externalResources: pi.info.externalResources }),
    ...(pi.info.customInfo === undefined ? {} : { customInfo: pi.info.customInfo }),
  },
});

/** The grace-period message shape Flyte uses: `Grace period [3m0s] exceeded|<message>`. */
export const gracePeriodExceeded = (grace: number, message: string): string =>
  `Grace period [${formatDuration(grace)}] exceeded|${message}`;
