// Public API of kubetasks: the pure domain, one namespace per module, in the style of fp-ts.
export * as Codec from './domain/codec.js';
export * as JsonSchema from './domain/json-schema.js';
export * as KubernetesCodecs from './domain/kubernetes-codecs.js';
export * as Names from './domain/names.js';
export * as Phase from './domain/phase.js';
export * as PhaseInfo from './domain/phase-info.js';
export * as PlatformConfig from './domain/platform-config.js';
export * as Plugin from './domain/plugin.js';
export * as PluginConfig from './domain/plugin-config.js';
export * as ObjectMetadata from './domain/object-metadata.js';
export * as Quantity from './domain/quantity.js';
export * as Registry from './domain/registry.js';
export * as Task from './domain/task.js';
export * as Time from './domain/time.js';
export * as Source from './app/source.js';
export * as Inputs from './app/inputs.js';
export type { GroupVersionKind, KubeObject } from './domain/kubernetes.js';
export * as Lifecycle from './domain/lifecycle/step.js';
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
export {
  builtInConfigSections,
  builtInPlatformConfigC,
  builtInPlugins,
  builtInRegistry,
  podPlugin,
} from './plugins/index.js';
export type * from './ports/cluster.js';
export type { ClusterError, StatusReason } from './ports/cluster-error.js';
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
export * as PodBuild from './plugins/pod/build/index.js';
export * as PodPhase from './plugins/pod/phase/index.js';
export * as Crd from './plugins/crd/index.js';
