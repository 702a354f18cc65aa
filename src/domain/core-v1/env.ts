// Codecs for a container's environment: variables with literal values or references, and whole sources of them.
import * as t from 'io-ts';
import { struct } from '../codec.js';
import { QuantityString } from './scalars.js';

/**
 * Decodes a reference to a field of the pod (`metadata.name`, `status.podIP`) whose value becomes an
 * environment variable.
 */
export const ObjectFieldSelector = struct(
  'ObjectFieldSelector',
  { fieldPath: t.string },
  { apiVersion: t.string },
  'A field of the pod, such as metadata.name.',
);

/**
 * Decodes a reference to a container's request or limit whose value becomes an environment variable (in units
 * of `divisor`).
 */
export const ResourceFieldSelector = struct(
  'ResourceFieldSelector',
  { resource: t.string },
  { containerName: t.string, divisor: QuantityString },
  'A container resource limit or request, such as limits.cpu.',
);

/**
 * Decodes a reference to one key of a ConfigMap; with `optional` a missing key leaves the variable unset
 * instead of failing the pod.
 */
export const ConfigMapKeySelector = struct(
  'ConfigMapKeySelector',
  { key: t.string },
  { name: t.string, optional: t.boolean },
  'A key of a ConfigMap.',
);

/**
 * Decodes a reference to one key of a Secret; with `optional` a missing key leaves the variable unset instead
 * of failing the pod.
 */
export const SecretKeySelector = struct(
  'SecretKeySelector',
  { key: t.string },
  { name: t.string, optional: t.boolean },
  "A key of a Secret in the pod's namespace.",
);

/** Decodes a reference to one key of an env file in a volume (Kubernetes 1.34+, EnvFiles feature gate). */
export const FileKeySelector = struct(
  'FileKeySelector',
  { volumeName: t.string, path: t.string, key: t.string },
  { optional: t.boolean },
  'A key of an env file in a volume (EnvFiles feature gate).',
);

/**
 * Decodes where an environment variable's value comes from; the API server, not this codec, checks that
 * exactly one source is set.
 */
export const EnvVarSource = struct(
  'EnvVarSource',
  {},
  {
    fieldRef: ObjectFieldSelector,
    resourceFieldRef: ResourceFieldSelector,
    configMapKeyRef: ConfigMapKeySelector,
    secretKeyRef: SecretKeySelector,
    fileKeyRef: FileKeySelector,
  },
  "Where an environment variable's value comes from.",
);

/** Decodes an environment variable with a literal value or a reference. */
export const EnvVar = struct(
  'EnvVar',
  { name: t.string },
  { value: t.string, valueFrom: EnvVarSource },
  'An environment variable: a literal value or a reference.',
);
/** A decoded environment variable, assignable to kubernetes-types' `EnvVar`. */
export type EnvVar = t.TypeOf<typeof EnvVar>;

/** Decodes a ConfigMap whose every key becomes an environment variable. */
export const ConfigMapEnvSource = struct(
  'ConfigMapEnvSource',
  {},
  { name: t.string, optional: t.boolean },
  'A ConfigMap whose keys become environment variables.',
);

/** Decodes a Secret whose every key becomes an environment variable. */
export const SecretEnvSource = struct(
  'SecretEnvSource',
  {},
  { name: t.string, optional: t.boolean },
  'A Secret whose keys become environment variables.',
);

/** Decodes a source of many environment variables at once, with an optional name prefix. */
export const EnvFromSource = struct(
  'EnvFromSource',
  {},
  { prefix: t.string, configMapRef: ConfigMapEnvSource, secretRef: SecretEnvSource },
  'A ConfigMap or Secret whose keys become environment variables.',
);
/** A decoded source of environment variables, assignable to kubernetes-types' `EnvFromSource`. */
export type EnvFromSource = t.TypeOf<typeof EnvFromSource>;
