// Protobuf-JSON codecs for the Kubeflow task payloads: messages, int32, enums, resources, replica groups, run policy.
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { decode, isPlainObject, struct, type PathSegment } from '../../../domain/codec.js';
import { QuantityString } from '../../../domain/kubernetes-codecs.js';
import { badTaskSpecification, type BuildError } from '../../../domain/plugin.js';
import * as Q from '../../../domain/quantity.js';
import { issueMessage } from '../../pod/build/spec-check.js';

// -------------------------------------------------------------------------------------
// messages: proto names (worker_replicas) and lowerCamel JSON names (workerReplicas) both accepted
// -------------------------------------------------------------------------------------

/** The proto field name of a lowerCamel JSON name: `workerReplicas` → `worker_replicas`. */
export const protoName = (camel: string): string => camel.replace(/[A-Z]/g, (m) => `_${m.toLowerCase()}`);

export type MessageOf<P extends t.Props> = { readonly [K in keyof P]?: t.TypeOf<P[K]> };

/**
 * A protobuf message as protobuf-JSON writes it: every field optional, spelled either way (not both), unknown fields
 * rejected with a did-you-mean. Decodes to the lowerCamel spelling.
 */
export const message = <P extends t.Props>(name: string, props: P): t.Type<MessageOf<P>, unknown> => {
  const spellings: Record<string, t.Mixed> = {};
  for (const [k, c] of Object.entries(props)) {
    spellings[k] = c;
    spellings[protoName(k)] = c;
  }
  const inner = struct(name, {}, spellings);
  return new t.Type<MessageOf<P>, unknown, unknown>(
    name,
    (u): u is MessageOf<P> => inner.is(u),
    (u, c) => {
      const r = inner.validate(u, c);
      if (E.isLeft(r)) return r;
      const decoded = r.right as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      const errors: t.ValidationError[] = [];
      for (const k of Object.keys(props)) {
        const p = protoName(k);
        const camel = decoded[k];
        const proto = p === k ? undefined : decoded[p];
        if (camel !== undefined && proto !== undefined) {
          const raw = isPlainObject(u) ? u[p] : undefined;
          errors.push({
            value: raw,
            context: t.appendContext(c, p, t.never, raw),
            message: `only one of "${k}" and "${p}" (two spellings of one field)`,
          });
        }
        const v = camel ?? proto;
        if (v !== undefined) out[k] = v;
      }
      return errors.length > 0 ? t.failures(errors) : t.success(out);
    },
    (a) => a,
  );
};

/** The key a message field is written under in `raw` (the proto or the JSON spelling), for error paths. */
export const writtenKey = (raw: unknown, camel: string): string => {
  const p = protoName(camel);
  return isPlainObject(raw) && raw[p] !== undefined && raw[camel] === undefined ? p : camel;
};

// -------------------------------------------------------------------------------------
// scalars
// -------------------------------------------------------------------------------------

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** A protobuf int32: a whole number in range, or its decimal string (protobuf-JSON accepts both). */
export const Int32 = new t.Type<number, number, unknown>(
  'Int32',
  (u): u is number => typeof u === 'number' && Number.isInteger(u) && u >= INT32_MIN && u <= INT32_MAX,
  (u, c) => {
    const n = typeof u === 'string' && /^-?\d{1,10}$/.test(u) ? Number(u) : u;
    return typeof n === 'number' && Number.isInteger(n) && n >= INT32_MIN && n <= INT32_MAX
      ? t.success(n)
      : t.failure(u, c, 'a whole number (int32)');
  },
  (a) => a,
);

/** A protobuf enum: its value name or its number; decodes to the number. */
export const protoEnum = (name: string, values: ReadonlyArray<string>): t.Type<number, number> =>
  new t.Type<number, number, unknown>(
    name,
    (u): u is number => typeof u === 'number' && Number.isInteger(u) && u >= 0 && u < values.length,
    (u, c) => {
      if (typeof u === 'string') {
        const i = values.indexOf(u);
        if (i >= 0) return t.success(i);
      }
      if (typeof u === 'number' && Number.isInteger(u) && u >= 0 && u < values.length) return t.success(u);
      return t.failure(
        u,
        c,
        `one of ${values.map((v) => JSON.stringify(v)).join(', ')} (or its number 0..${values.length - 1})`,
      );
    },
    (a) => a,
  );

// -------------------------------------------------------------------------------------
// resources: flyteidl core.Resources, or a Kubernetes resource list
// -------------------------------------------------------------------------------------

/** flyteidl ResourceName values, in enum order. */
export const RESOURCE_NAMES = ['UNKNOWN', 'CPU', 'GPU', 'MEMORY', 'STORAGE', 'EPHEMERAL_STORAGE'] as const;

const K8S_NAME: Readonly<Record<string, string | undefined>> = {
  CPU: 'cpu',
  GPU: 'gpu',
  MEMORY: 'memory',
  EPHEMERAL_STORAGE: 'ephemeral-storage',
};

// Flyte drops zero quantities when it converts resources.
const isZeroQuantity = (s: string): boolean => {
  const q = Q.parse(s);
  return E.isRight(q) && Q.isZero(q.right);
};

const ResourceEntry = message('ResourceEntry', {
  name: protoEnum('ResourceName', RESOURCE_NAMES),
  value: t.string,
});

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
        const name = K8S_NAME[RESOURCE_NAMES[r.right.name ?? 0] ?? 'UNKNOWN'];
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
/** The replica spec's restartPolicy for each enum value: an unset policy means Never. */
export const RESTART_POLICY_VALUES = ['Never', 'OnFailure', 'Always'] as const;
export type RestartPolicy = (typeof RESTART_POLICY_VALUES)[number];

export const CLEAN_POD_POLICIES = [
  'CLEANPOD_POLICY_NONE',
  'CLEANPOD_POLICY_RUNNING',
  'CLEANPOD_POLICY_ALL',
] as const;
export const CLEAN_POD_POLICY_VALUES = ['None', 'Running', 'All'] as const;

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

// -------------------------------------------------------------------------------------
// decoding into build errors
// -------------------------------------------------------------------------------------

/** Where a task's payload is in the task file. */
export const CUSTOM_PATH: ReadonlyArray<PathSegment> = ['task', 'custom'];

/** Decodes `task.custom` (absent reads as `{}`, as Flyte unmarshals a nil struct) with a BadTaskSpecification path. */
export const decodePayload =
  <A>(codec: t.Decoder<unknown, A>) =>
  (custom: unknown): E.Either<BuildError, A> => {
    const r = decode(codec)(custom ?? {});
    if (E.isRight(r)) return r;
    const first = r.left[0];
    return E.left(
      first === undefined
        ? badTaskSpecification('invalid task payload', CUSTOM_PATH)
        : badTaskSpecification(`invalid TaskSpecification: ${issueMessage(first)}`, [
            ...CUSTOM_PATH,
            ...first.path,
          ]),
    );
  };
