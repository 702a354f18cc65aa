// The pod templates of a custom resource: the role's pod spec under the one metadata policy every CRD plugin follows.
import type { PodSpec } from '../../domain/kubernetes.js';
import { taskPodMetadata } from '../../domain/object-metadata.js';
import type { BuildContext } from '../../domain/plugin.js';

/** A pod template as the operators' CRDs hold it (`template: {metadata, spec}`). */
export interface PodTemplateSpec {
  readonly metadata: {
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
  };
  readonly spec: PodSpec;
}

/** A role's own pod metadata: what pod templates and the payload gave its pod. */
export interface OwnMetadata {
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

/**
 * The pod template of a role: `spec`, with `taskPodMetadata` (config defaults < the pod's own < the execution's, the
 * managed label, no `kubetasks.dev/` annotation), then `operatorAnnotations` the operator itself reads (the primary
 * container's name), which nothing overrides. Empty maps are left out.
 */
export const podTemplate = (
  ctx: BuildContext,
  own: OwnMetadata,
  spec: PodSpec,
  operatorAnnotations: Readonly<Record<string, string>> = {},
): PodTemplateSpec => {
  const meta = taskPodMetadata(ctx, own);
  const annotations = { ...meta.annotations, ...operatorAnnotations };
  return {
    metadata: {
      ...(Object.keys(meta.labels).length === 0 ? {} : { labels: meta.labels }),
      ...(Object.keys(annotations).length === 0 ? {} : { annotations }),
    },
    spec,
  };
};

/**
 * The custom resource's own metadata: the task pod's labels and annotations (from pod templates), which the plugin
 * manager then unions with the config's and the execution's (addObjectMetadata). Empty maps are left out.
 */
export const resourceMetadata = (
  pod: OwnMetadata,
): { labels?: Record<string, string>; annotations?: Record<string, string> } => {
  const labels = pod.labels ?? {};
  const annotations = pod.annotations ?? {};
  return {
    ...(Object.keys(labels).length === 0 ? {} : { labels: { ...labels } }),
    ...(Object.keys(annotations).length === 0 ? {} : { annotations: { ...annotations } }),
  };
};
