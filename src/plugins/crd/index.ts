// The toolkit for CRD plugins: payload codecs, pod templates, the resource reader, related pods, log links, the guard.
export { guardBuild } from './build-guard.js';
export { effectiveLogs, enablesLinks, renderLinks } from './logs.js';
export { podTemplate, resourceMetadata, type OwnMetadata, type PodTemplateSpec } from './pod-template.js';
export {
  CUSTOM_PATH,
  decodePayload,
  Int32,
  message,
  protoEnum,
  protoName,
  ProtoResources,
  RESOURCE_NAMES,
  ResourceEntry,
  UInt32,
  writtenPath,
  type MessageA,
  type ResourceLists,
  type ResourceName,
} from './proto-json.js';
export {
  currentPod,
  demystifyPod,
  explainedFailure,
  podFailure,
  podPhase,
  POD_KIND,
  podShowsFailure,
  podsQuery,
  relatedPodNamed,
  relatedPods,
  type PodSelection,
  type RelatedPod,
} from './related-pods.js';
export { renamePrimary, type RolePod } from './role-pod.js';
export {
  firstKnown,
  readConditions,
  readResource,
  resourceReader,
  type Condition,
  type ExpectedKind,
  type ResourceParts,
} from './resource-view.js';
