// The ray task's payload (task.custom): Flyte's RayJob message, decoded strictly with protobuf-JSON field names.
import * as t from 'io-ts';
import { JsonObject, StringMap } from '../../domain/codec.js';
import { ExtendedResources } from '../../domain/task.js';
import { Int32, message, protoEnum, ProtoResources } from '../crd/index.js';

/** Flyte's core.K8sPod: labels and annotations for the pods, and a pod spec laid over the task's pod. */
export const K8sPod = message('K8sPod', {
  metadata: message('K8sObjectMetadata', { labels: StringMap, annotations: StringMap }),
  podSpec: JsonObject,
});
export type K8sPod = t.TypeOf<typeof K8sPod>;

export const HeadGroupSpec = message('HeadGroupSpec', {
  rayStartParams: StringMap,
  k8sPod: K8sPod,
  extendedResources: ExtendedResources,
});
export type HeadGroupSpec = t.TypeOf<typeof HeadGroupSpec>;

export const WorkerGroupSpec = message('WorkerGroupSpec', {
  groupName: t.string,
  replicas: Int32,
  minReplicas: Int32,
  maxReplicas: Int32,
  rayStartParams: StringMap,
  k8sPod: K8sPod,
  extendedResources: ExtendedResources,
});
export type WorkerGroupSpec = t.TypeOf<typeof WorkerGroupSpec>;

export const upscalingModes = ['UNSPECIFIED', 'DEFAULT', 'AGGRESSIVE', 'CONSERVATIVE'] as const;

export const AutoscalerOptions = message('AutoscalerOptions', {
  upscalingMode: protoEnum('UpscalingMode', upscalingModes, 'UPSCALING_MODE_'),
  idleTimeoutSeconds: Int32,
  env: t.readonlyArray(message('KeyValuePair', { key: t.string, value: t.string })),
  image: t.string,
  resources: ProtoResources,
});
export type AutoscalerOptions = t.TypeOf<typeof AutoscalerOptions>;

export const RayClusterSpec = message('RayCluster', {
  headGroupSpec: HeadGroupSpec,
  workerGroupSpec: t.readonlyArray(WorkerGroupSpec),
  enableAutoscaling: t.boolean,
  autoscalerOptions: AutoscalerOptions,
});
export type RayClusterSpec = t.TypeOf<typeof RayClusterSpec>;

export const RayJobPayload = message('RayJob', {
  rayCluster: RayClusterSpec,
  runtimeEnv: t.string,
  shutdownAfterJobFinishes: t.boolean,
  ttlSecondsAfterFinished: Int32,
  runtimeEnvYaml: t.string,
});
export type RayJobPayload = t.TypeOf<typeof RayJobPayload>;
