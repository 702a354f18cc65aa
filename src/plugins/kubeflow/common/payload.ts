// Protobuf-JSON codecs for the Kubeflow task payloads: messages, int32, enums, resources, replica groups, run policy.
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { isPlainObject } from '../../../domain/codec.js';
import { QuantityString } from '../../../domain/core-v1/scalars.js';
import * as Q from '../../../domain/quantity.js';
import { Int32, message, protoEnum, ResourceEntry, type ResourceName } from '../../crd/index.js';

// The protobuf-JSON building blocks are the CRD toolkit's; the Kubeflow payloads only add their messages.
export { CUSTOM_PATH, decodePayload, Int32, message, protoEnum, protoName } from '../../crd/index.js';

// -------------------------------------------------------------------------------------
// resources: flyteidl core.Resources, or a Kubernetes resource list
// -------------------------------------------------------------------------------------

/** The Kubernetes resource of each flyteidl ResourceName the training operators' pods get (UNKNOWN and STORAGE: none). */
const K8S_NAME: Readonly<Record<ResourceName, string | undefined>> = {
  UNKNOWN: undefined,
  CPU: 'cpu',
  GPU: 'gpu',
  MEMORY: 'memory',
  STORAGE: undefined,
  EPHEMERAL_STORAGE: 'ephemeral-storage',
};

// Flyte drops zero quantities when it converts resources.
const isZeroQuantity = (s: string): boolean => {
  const q = Q.parse(s);
  return E.isRight(q) && Q.isZero(q.right);
};

/**
 * One side of a resource requirement: flyteidl's list of `{name, value}` entries (CPU, GPU, MEMORY,
 * EPHEMERAL_STORAGE; UNKNOWN and STORAGE are ignored as in Flyte; zero values dropped), or a Kubernetes resource list
 * (`{cpu: "2", memory: 4Gi}`) as kubetasks task files write resources. Decodes to a Kubernetes resource list.
 */
export const ResourceSide = new t.Type<Readonly<Record<string, string>>, unknown, unknown>(
  'ResourceSide',
  (u): u is Readonly<Record<string, string>> =>
    isPlainObject(u) && Object.values(u).every((v) => typeof v === 'string'),
  (u, c) => {
    if (Array.isArray(u)) {
      const out: Record<string, string> = {};
      const errors: t.ValidationError[] = [];
      u.forEach((entry: unknown, i) => {
        const ec = t.appendContext(c, String(i), ResourceEntry, entry);
        const r = ResourceEntry.validate(entry, ec);
        if (E.isLeft(r)) {
          errors.push(...r.left);
          return;
        }
        const name = K8S_NAME[r.right.name ?? 'UNKNOWN'];
        if (name === undefined) return;
        const raw = r.right.value ?? '';
        const q = QuantityString.validate(raw, t.appendContext(ec, 'value', QuantityString, raw));
        if (E.isLeft(q)) errors.push(...q.left);
        else if (!isZeroQuantity(q.right)) out[name] = q.right;
      });
      return errors.length > 0 ? t.failures(errors) : t.success(out);
    }
    if (isPlainObject(u)) {
      const out: Record<string, string> = {};
      const errors: t.ValidationError[] = [];
      for (const [k, v] of Object.entries(u)) {
        const q = QuantityString.validate(v, t.appendContext(c, k, QuantityString, v));
        if (E.isLeft(q)) errors.push(...q.left);
        else out[k] = q.right;
      }
      return errors.length > 0 ? t.failures(errors) : t.success(out);
    }
    return t.failure(
      u,
      c,
      'a list of {name, value} resource entries, or a mapping of resource names to quantities',
    );
  },
  (a) => a,
);

export const ResourcesC = message('Resources', { requests: ResourceSide, limits: ResourceSide });
export type GroupResources = t.TypeOf<typeof ResourcesC>;

// -------------------------------------------------------------------------------------
// replica groups and run policy (task type version 1)
// -------------------------------------------------------------------------------------

export const RESTART_POLICIES = [
  'RESTART_POLICY_NEVER',
  'RESTART_POLICY_ON_FAILURE',
  'RESTART_POLICY_ALWAYS',
] as const;
export type RestartPolicy = 'Never' | 'OnFailure' | 'Always';
/** The replica spec's restartPolicy for each enum value (an unset policy means Never). */
export const RESTART_POLICY_OF: Readonly<Record<(typeof RESTART_POLICIES)[number], RestartPolicy>> = {
  RESTART_POLICY_NEVER: 'Never',
  RESTART_POLICY_ON_FAILURE: 'OnFailure',
  RESTART_POLICY_ALWAYS: 'Always',
};

export const CLEAN_POD_POLICIES = [
  'CLEANPOD_POLICY_NONE',
  'CLEANPOD_POLICY_RUNNING',
  'CLEANPOD_POLICY_ALL',
] as const;
/** The runPolicy's cleanPodPolicy for each enum value (an unset policy means None). */
export const CLEAN_POD_POLICY_OF: Readonly<Record<(typeof CLEAN_POD_POLICIES)[number], string>> = {
  CLEANPOD_POLICY_NONE: 'None',
  CLEANPOD_POLICY_RUNNING: 'Running',
  CLEANPOD_POLICY_ALL: 'All',
};

const RestartPolicyC = protoEnum('RestartPolicy', RESTART_POLICIES);

/** flyteidl CommonReplicaSpec. */
export const CommonReplicaSpecC = message('CommonReplicaSpec', {
  replicas: Int32,
  image: t.string,
  resources: ResourcesC,
  restartPolicy: RestartPolicyC,
});

/** A replica group (Distributed<Kind>TrainingReplicaSpec): `common`, or the deprecated top-level fields. */
export const ReplicaGroupC = message('ReplicaGroup', {
  replicas: Int32,
  image: t.string,
  resources: ResourcesC,
  restartPolicy: RestartPolicyC,
  common: CommonReplicaSpecC,
});
export type ReplicaGroup = t.TypeOf<typeof ReplicaGroupC>;

/** MPI's replica group, which adds the command that replaces the container's args. */
export const MpiReplicaGroupC = message('MpiReplicaGroup', {
  replicas: Int32,
  image: t.string,
  resources: ResourcesC,
  restartPolicy: RestartPolicyC,
  command: t.readonlyArray(t.string),
  common: CommonReplicaSpecC,
});
export type MpiReplicaGroup = t.TypeOf<typeof MpiReplicaGroupC>;

export const RunPolicyC = message('RunPolicy', {
  cleanPodPolicy: protoEnum('CleanPodPolicy', CLEAN_POD_POLICIES),
  ttlSecondsAfterFinished: Int32,
  activeDeadlineSeconds: Int32,
  backoffLimit: Int32,
});
export type RunPolicyPayload = t.TypeOf<typeof RunPolicyC>;
