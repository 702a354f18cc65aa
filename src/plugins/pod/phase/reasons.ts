// The reasons and exit codes the pod phase mapping recognises, and the fixed texts it reports.

/** Kubelet and node-lifecycle pod reasons that mean the node went away under the pod (Flyte's list). */
export const NODE_SHUTDOWN_REASONS: ReadonlySet<string> = new Set([
  'Shutdown',
  'Terminated',
  'NodeShutdown',
  'NodeAffinity',
]);

/** DisruptionTarget reasons that mean the scheduler preempted the pod for a higher-priority one. */
export const PREEMPTION_REASONS: ReadonlySet<string> = new Set([
  'PreemptionByScheduler',
  'PreemptionByKubeScheduler',
]);

/** Exit codes of a SIGKILL: 128 + 9, and its unsigned 8-bit wrap seen from some runtimes. */
export const SIGKILL_EXIT_CODES: ReadonlySet<number> = new Set([137, 247]);

/**
 * Text in an image pull error that means the registry throttled the pull: once the grace period is over, that
 * back-off is a retryable SYSTEM failure rather than a bad image of the user's.
 */
export const RATE_LIMITED = '429 Too Many Requests';
/**
 * The reason of a pending pod that no more specific rule explains; Flyte's exact text (spelling included), so
 * tools that match on it keep working.
 */
export const DEFAULT_PENDING_REASON = 'Demistify Pending';
export const NO_MESSAGE = 'Pod failed. No message received from kubernetes.';

/** The kubelet's waiting reason for a container it restarts with back-off after repeated failures. */
export const CRASH_LOOP = 'CrashLoopBackOff';

/**
 * The reason of a Running answer whose primary container is crash-looping: Flyte reports plain Running, which hides
 * that the task is failing over and over (docs/compatibility.md#crash-loop-reason).
 */
export const crashLoopReason = (container: string, restarts: number, message: string): string =>
  `container ${container} is crash-looping (${CRASH_LOOP}, ${restarts} ${restarts === 1 ? 'restart' : 'restarts'})` +
  (message === '' ? '' : `: ${message}`);
