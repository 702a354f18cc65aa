// Public API of kubetasks: the pure domain, one namespace per module, in the style of fp-ts.
export * as Codec from './domain/codec.js';
export * as JsonSchema from './domain/json-schema.js';
export * as KubernetesCodecs from './domain/kubernetes-codecs.js';
export * as Names from './domain/names.js';
export * as Phase from './domain/phase.js';
export * as PhaseInfo from './domain/phase-info.js';
export * as PlatformConfig from './domain/platform-config.js';
export * as Plugin from './domain/plugin.js';
export * as Quantity from './domain/quantity.js';
export * as Registry from './domain/registry.js';
export * as Task from './domain/task.js';
export * as Time from './domain/time.js';
export * as Source from './app/source.js';
export * as Inputs from './app/inputs.js';
export type { GroupVersionKind, KubeObject } from './domain/kubernetes.js';
