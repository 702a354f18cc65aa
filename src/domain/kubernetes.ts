// Kubernetes object types as plain JSON (from kubernetes-types), plus the few generic shapes the domain needs.
export type {
  Affinity,
  Container,
  ContainerStatus,
  EnvFromSource,
  EnvVar,
  Event as CoreEvent,
  NodeSelectorRequirement,
  NodeSelectorTerm,
  Pod,
  PodCondition,
  PodDNSConfig,
  PodSecurityContext,
  PodSpec,
  PodStatus,
  PodTemplateSpec,
  ResourceRequirements,
  SecurityContext,
  Toleration,
  Volume,
  VolumeMount,
} from 'kubernetes-types/core/v1.js';
export type { ObjectMeta, OwnerReference, Status } from 'kubernetes-types/meta/v1.js';
export type { Job } from 'kubernetes-types/batch/v1.js';

import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';

/** The group/version/kind pair that identifies a resource type (`v1`/`Pod`, `ray.io/v1`/`RayJob`). */
export interface GroupVersionKind {
  readonly apiVersion: string;
  readonly kind: string;
}

/** Any Kubernetes object as JSON: apiVersion, kind, metadata, and whatever else its kind carries. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata?: ObjectMeta;
  readonly [field: string]: unknown;
}

export const gvkKey = (gvk: GroupVersionKind): string => `${gvk.apiVersion}/${gvk.kind}`;

export const sameKind = (a: GroupVersionKind, b: GroupVersionKind): boolean =>
  a.apiVersion === b.apiVersion && a.kind === b.kind;

/** The API group of an apiVersion ("" for the core group). */
export const groupOf = (apiVersion: string): string => {
  const i = apiVersion.indexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
};
