// Public API of kubetasks: the pure domain, one namespace per module, in the style of fp-ts; runs in any JS runtime.
/**
 * The pure core and the plugin manager: write a plugin (`Plugin`, `PhaseInfo`, `Task`), register plugins
 * (`Registry`, `builtInRegistry`) and run tasks on a cluster (`Manager`). Domain modules are namespaces in
 * the style of fp-ts: `import { Phase, Quantity } from 'kubetasks'`.
 *
 * @module kubetasks
 */
/**
 * Building blocks for strict io-ts codecs: structs that reject unknown keys with a did-you-mean suggestion,
 * defaults and descriptions that also feed the JSON Schema, and decode issues with paths. What every
 * user-written document is decoded with.
 */
export * as Codec from './domain/codec.js';
/**
 * JSON Schema generated from the codecs, so editors can complete and check platform config and task files
 * with the same rules kubetasks applies.
 */
export * as JsonSchema from './domain/json-schema.js';
/**
 * Strict codecs for the Kubernetes core/v1 objects an operator writes into the platform configuration
 * (tolerations, affinity, security contexts, ...), so a typo there is reported with its line instead of at
 * pod creation.
 */
export * as KubernetesCodecs from './domain/kubernetes-codecs.js';
/**
 * Kubernetes naming rules: the API server's validators, Flyte-compatible sanitizers, and the names kubetasks
 * gives the objects it creates.
 */
export * as Names from './domain/names.js';
/** Flyte's eleven task phases and their predicates (terminal, failure, ...). */
export * as Phase from './domain/phase.js';
/**
 * The answer a plugin gives for an observed resource (phase, version, reason, error, logs), with Flyte's
 * constructors and combinators.
 */
export * as PhaseInfo from './domain/phase-info.js';
/**
 * The platform configuration: Flyte's `plugins.k8s` section plus executor, task routing and log link
 * settings, decoded strictly with defaults.
 */
export * as PlatformConfig from './domain/platform-config.js';
/**
 * The plugin contract: what a plugin provides (pure build and phase functions) and what it is given (build
 * and phase contexts).
 */
export * as Plugin from './domain/plugin.js';
/**
 * Plugin-specific sections of the platform configuration (`plugins.spark`, `plugins.ray`, ...): declared by
 * each plugin and decoded as strictly as the rest.
 */
export * as PluginConfig from './domain/plugin-config.js';
/**
 * The metadata the plugin manager adds to every object it creates (name, namespace, labels, annotations,
 * owner, finalizer).
 */
export * as ObjectMetadata from './domain/object-metadata.js';
/**
 * Kubernetes resource quantities ("500m", "1Gi"), exact: parsing, canonical printing, ordering and sums as
 * the API server computes them.
 */
export * as Quantity from './domain/quantity.js';
/**
 * The plugin registry: which plugin serves which task type, built once and immutable; conflicts are error
 * values.
 */
export * as Registry from './domain/registry.js';
/**
 * The task file: codecs for a task template and one execution of it, and helpers that read them (attempts,
 * names, owner).
 */
export * as Task from './domain/task.js';
/**
 * Instants (epoch milliseconds) and durations (milliseconds) as plain numbers, with Kubernetes and Go
 * formats; nothing here reads a clock.
 */
export * as Time from './domain/time.js';
/** Input documents (YAML or JSON) with source positions, so decode issues point at a line and column. */
export * as Source from './app/source.js';
/**
 * Loading the two user documents, the platform configuration and the task file, with errors ready to print.
 */
export * as Inputs from './app/inputs.js';
/**
 * What `kubetasks explain` does, without I/O: the PhaseInfo of a resource (or a List with its related pods and
 * events), the decision-table rows that fired and the evidence, and the text and JSON the CLI prints.
 */
export * as Explain from './app/explain.js';
/**
 * What `kubetasks render` does, without I/O: a task file routed to its plugin and built, with the manager's
 * metadata, errors positioned in the file, and the text the CLI prints.
 */
export * as Render from './app/render.js';
export type { GroupVersionKind, KubeObject } from './domain/kubernetes.js';
/**
 * A task's lifecycle as a pure state machine: from a state and an observation, the next state and the
 * commands to run. The manager interprets it; tests drive it directly.
 */
export * as Lifecycle from './domain/lifecycle/step.js';
/** The persisted state of one task's lifecycle: versioned plain data, read back after a restart. */
export * as LifecycleState from './domain/lifecycle/state.js';
export type { Command, Emission, Observation } from './domain/lifecycle/protocol.js';
export {
  Manager,
  MANAGED_LABEL,
  TASK_ANNOTATION,
  type ManagerOptions,
  type SubmitError,
  type TaskUpdate,
} from './app/manager.js';
export { Informer } from './app/informer.js';
/**
 * Leader election on a Lease as a pure state machine (client-go's semantics, time as a value): from a state and an
 * observation (a read of the Lease, a write's answer, a timer), the next state and the commands to run.
 */
export * as LeaderElection from './domain/leader-election/step.js';
/** The lease duration, renew deadline and retry period of leader election, with client-go's defaults and rules. */
export * as LeaseTimings from './domain/leader-election/timings.js';
export { alwaysLeader, type Leadership, type LeadershipEnd } from './app/leadership.js';
export {
  leaseLeadership,
  LEADER_GAUGE,
  TRANSITIONS_COUNTER,
  type LeaseLeadershipOptions,
} from './app/lease-leadership.js';
export {
  builtInConfigSections,
  builtInPlatformConfigC,
  builtInPlugins,
  builtInRegistry,
  podPlugin,
} from './plugins/index.js';
export type * from './ports/cluster.js';
export type { ApiError, StatusReason } from './domain/api-error.js';
export type { Clock } from './ports/clock.js';
export type { Logger } from './ports/logger.js';
export type { Metrics } from './ports/metrics.js';
export type {
  StateStore,
  StateStoreError,
  StoredTask,
  StoredTasks,
  UnreadableRecord,
} from './ports/state-store.js';
/**
 * Pod construction as the pod plugin does it, and the pieces (resources, environment, templates,
 * accelerators) that other plugins reuse for the pods of their custom resources.
 */
export * as PodBuild from './plugins/pod/build/index.js';
/**
 * The pod plugin's phase mapping: a pod to a PhaseInfo, with its explanation, its decision table and its
 * documented differences from Flyte.
 */
export * as PodPhase from './plugins/pod/phase/index.js';
/**
 * A toolkit for plugins of custom resources: payload codecs, pod templates, a status reader, related pods and
 * log links.
 */
export * as Crd from './plugins/crd/index.js';
