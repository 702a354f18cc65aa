// The pod plugin's phase mapping: getTaskPhase and its explanation, events, GC helpers, the table and the differences.
export { explainPodTaskPhase, getPodTaskPhase, isPodReady, type Explanation } from './classify.js';
export {
  NODE_SHUTDOWN_REASONS,
  PREEMPTION_REASONS,
  RATE_LIMITED,
  SIGKILL_EXIT_CODES,
  DEFAULT_PENDING_REASON,
} from './classify.js';
export {
  attachEvents,
  eventsRegarding,
  latestEventTime,
  readEvent,
  regardingOf,
  type EventFilter,
  type KubeEvent,
  type EventSubject,
} from '../../../domain/events.js';
export { isPodTerminal, podCompletionTime } from './gc.js';
export { buildLogContext, buildLogLinks, renderLogTemplate } from './logs.js';
export {
  DEFAULT_CONTAINER_ANNOTATION,
  PRIMARY_CONTAINER_ANNOTATION,
  primaryContainerName,
  primaryContainerNameOf,
} from './primary.js';
export { readPod, type PodView } from './pod-view.js';
export { phaseTable, renderPhaseTable, rowOf, rows, type PhaseRow, type RowId } from './table.js';
export { differences, differenceIds, type Difference, type DifferenceId } from './differences.js';
