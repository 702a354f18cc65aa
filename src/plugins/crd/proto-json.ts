// Protobuf-JSON payloads (task.custom): messages whose fields may be written snake_case or lowerCamel, and their scalars.
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import * as t from 'io-ts';
import { closest, decode, isPlainObject, type PathSegment } from '../../domain/codec.js';
import type { BuildError } from '../../domain/plugin.js';
import { issueToBuildError } from '../pod/build/spec-check.js';

/** The marker the strict structs of src/domain/codec.ts put on unknown keys, so issues read "unknown key". */
const UNKNOWN_KEY = 'kubetasks/unknown-key';

/** Where a task's payload is in the task file. */
export const CUSTOM_PATH: ReadonlyArray<PathSegment> = ['task', 'custom'];

/** The proto field name of a lowerCamel JSON name: `workerReplicas` → `worker_replicas`. */
export const protoName = (camel: string): string => camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** A decoded message: every field optional, as in proto3, under its lowerCamel name. */
export type MessageA<P extends t.Props> = { readonly [K in keyof P]?: t.TypeOf<P[K]> };

/**
 * A protobuf message as protobuf-JSON reads it: each field under its lowerCamel JSON name or its proto (snake_case)
 * name, not both; `null` means unset; unknown keys are errors (with a did-you-mean). Decoded keys are lowerCamel, and
 * every issue is reported under the key as written, so a BuildError names the spot in the task file.
 *
 * Proto3 has no required fields; `required` lists the fields a semantic rule needs anyway (a Kubernetes list the
 * API server requires), reported as "missing" under their lowerCamel name.
 */
export const message = <P extends t.Props>(
  name: string,
  props: P,
  required: ReadonlyArray<keyof P & string> = [],
): t.Type<MessageA<P>, MessageA<P>> => {
  const byWritten = new Map<string, string>();
  for (const k of Object.keys(props)) {
    byWritten.set(k, k);
    byWritten.set(protoName(k), k);
  }
  const names = [...byWritten.keys()];
  return new t.Type<MessageA<P>, MessageA<P>, unknown>(
    name,
    (u): u is MessageA<P> => isPlainObject(u) && Object.keys(u).every((k) => Object.hasOwn(props, k)),
    (u, c) => {
      if (!isPlainObject(u)) return t.failure(u, c, 'an object (a mapping of keys to values)');
      const errors: t.ValidationError[] = [];
      const out: Record<string, unknown> = {};
      const seen = new Map<string, string>();
      const failed = new Set<string>();
      // Sorted, so of two spellings the lowerCamel one ('A' < '_') is taken and the proto one is the error.
      for (const written of Object.keys(u).sort()) {
        const v = u[written];
        const field = byWritten.get(written);
        if (field === undefined) {
          errors.push({
            value: v,
            context: t.appendContext(c, written, t.never, v),
            message: `${UNKNOWN_KEY}${closest(written, names) ?? ''}`,
          });
          continue;
        }
        const other = seen.get(field);
        if (other !== undefined) {
          errors.push({
            value: v,
            context: t.appendContext(c, written, t.never, v),
            message: `only one of ${JSON.stringify(other)} and ${JSON.stringify(written)}: both name the same field`,
          });
          continue;
        }
        seen.set(field, written);
        if (v === null || v === undefined) continue;
        const codec = props[field] as t.Mixed;
        const r = codec.validate(v, t.appendContext(c, written, codec, v));
        if (E.isLeft(r)) {
          errors.push(...r.left);
          failed.add(field);
        } else if (r.right !== undefined) out[field] = r.right;
      }
      for (const k of required) {
        if (out[k] !== undefined || failed.has(k)) continue;
        // The field's own codec says what it expected (or supplies a default).
        const codec = props[k] as t.Mixed;
        const r = codec.validate(undefined, t.appendContext(c, k, codec, undefined));
        if (E.isLeft(r)) errors.push(...r.left);
        else if (r.right !== undefined) out[k] = r.right;
      }
      return errors.length > 0 ? t.failures(errors) : t.success(out);
    },
    (a) => a,
  );
};

/**
 * Where a payload field is in the task file, spelled as the author wrote it: each lowerCamel step of `logical` is
 * looked up in `raw` under its proto name when only that one is written; numbers index lists.
 */
export const writtenPath = (
  raw: unknown,
  logical: ReadonlyArray<PathSegment>,
  prefix: ReadonlyArray<PathSegment> = CUSTOM_PATH,
): ReadonlyArray<PathSegment> => {
  const out: PathSegment[] = [...prefix];
  let at: unknown = raw;
  for (const step of logical) {
    if (typeof step === 'number') {
      out.push(step);
      at = Array.isArray(at) ? (at as ReadonlyArray<unknown>)[step] : undefined;
      continue;
    }
    const proto = protoName(step);
    const key = isPlainObject(at) && at[step] === undefined && at[proto] !== undefined ? proto : step;
    out.push(key);
    at = isPlainObject(at) ? at[key] : undefined;
  }
  return out;
};

/** Decodes `task.custom` (absent reads as `{}`, as Flyte unmarshals a nil struct); the first issue is the BuildError. */
export const decodePayload =
  <A>(codec: t.Decoder<unknown, A>) =>
  (custom: unknown): E.Either<BuildError, A> =>
    pipe(
      decode(codec)(custom ?? {}),
      E.mapLeft((issues) => issueToBuildError(issues, CUSTOM_PATH)),
    );

// -------------------------------------------------------------------------------------
// scalars
// -------------------------------------------------------------------------------------

const wholeNumber = (name: string, min: number, max: number, pattern: RegExp, expected: string) =>
  new t.Type<number, number, unknown>(
    name,
    (u): u is number => typeof u === 'number' && Number.isInteger(u) && u >= min && u <= max,
    (u, c) => {
      // protobuf-JSON writes 32-bit integers as numbers and accepts their decimal strings.
      const n = typeof u === 'string' && pattern.test(u) ? Number(u) : u;
      return typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max
        ? t.success(n)
        : t.failure(u, c, expected);
    },
    (a) => a,
  );

/** A protobuf int32: a whole number in range, or its decimal string. */
export const Int32 = wholeNumber('Int32', -2147483648, 2147483647, /^-?\d{1,10}$/, 'a whole number (int32)');

/** A protobuf uint32: Int32's rules, never negative. */
export const UInt32 = wholeNumber(
  'UInt32',
  0,
  4294967295,
  /^\d{1,10}$/,
  'a whole number of 0 or more (uint32)',
);

/**
 * A protobuf enum: its value names in order (index = number). Accepts a name, the name with the proto's prefix
 * (`UPSCALING_MODE_DEFAULT`), or the number; decodes to the (short) name.
 */
export const protoEnum = <const K extends string>(
  name: string,
  values: ReadonlyArray<K>,
  prefix = '',
): t.Type<K, K> =>
  new t.Type<K, K, unknown>(
    name,
    (u): u is K => typeof u === 'string' && (values as ReadonlyArray<string>).includes(u),
    (u, c) => {
      if (typeof u === 'number' && Number.isInteger(u) && u >= 0 && u < values.length) {
        return t.success(values[u] as K);
      }
      if (typeof u === 'string') {
        const short = prefix !== '' && u.startsWith(prefix) ? u.slice(prefix.length) : u;
        const hit = values.find((v) => v === short);
        if (hit !== undefined) return t.success(hit);
      }
      return t.failure(
        u,
        c,
        `one of ${values.map((v) => JSON.stringify(v)).join(', ')} (or its number 0..${values.length - 1})`,
      );
    },
    (a) => a,
  );

// -------------------------------------------------------------------------------------
// resources
// -------------------------------------------------------------------------------------

/** Flyte's core.ResourceName values, in proto order. */
export const RESOURCE_NAMES = ['UNKNOWN', 'CPU', 'GPU', 'MEMORY', 'STORAGE', 'EPHEMERAL_STORAGE'] as const;
/** A core.ResourceName. */
export type ResourceName = (typeof RESOURCE_NAMES)[number];

/** flyteidl core.Resources.ResourceEntry. */
export const ResourceEntry = message('ResourceEntry', {
  name: protoEnum('ResourceName', RESOURCE_NAMES),
  value: t.string,
});

const KUBERNETES_NAME: Readonly<Record<ResourceName, string | undefined>> = {
  UNKNOWN: undefined,
  CPU: 'cpu',
  GPU: 'gpu',
  MEMORY: 'memory',
  STORAGE: 'storage',
  EPHEMERAL_STORAGE: 'ephemeral-storage',
};

/** Requests and limits as Kubernetes resource lists. */
export interface ResourceLists {
  readonly requests?: Readonly<Record<string, string>>;
  readonly limits?: Readonly<Record<string, string>>;
}

/**
 * Flyte's core.Resources as protobuf-JSON writes it (`{requests: [{name: CPU, value: "1"}]}`), or the kubetasks
 * task format's maps (`{requests: {cpu: "1"}}`); decoded to the maps. Every named resource is kept (STORAGE
 * included); UNKNOWN is an error. Quantities are checked later, where the pod is built.
 */
export const ProtoResources = new t.Type<ResourceLists, unknown, unknown>(
  'Resources',
  (u): u is ResourceLists => isPlainObject(u),
  (u, c) => {
    if (!isPlainObject(u)) return t.failure(u, c, 'an object with requests and limits');
    const out: Record<string, Record<string, string>> = {};
    const errors: t.ValidationError[] = [];
    for (const k of Object.keys(u).sort()) {
      const v = u[k];
      if (k !== 'requests' && k !== 'limits') {
        errors.push({
          value: v,
          context: t.appendContext(c, k, t.never, v),
          message: `${UNKNOWN_KEY}${closest(k, ['requests', 'limits']) ?? ''}`,
        });
        continue;
      }
      if (v === null || v === undefined) continue;
      const kc = t.appendContext(c, k, t.unknown, v);
      const list: Record<string, string> = {};
      if (Array.isArray(v)) {
        v.forEach((entry: unknown, i) => {
          const r = ResourceEntry.validate(entry, t.appendContext(kc, String(i), ResourceEntry, entry));
          if (E.isLeft(r)) {
            errors.push(...r.left);
            return;
          }
          const n = KUBERNETES_NAME[r.right.name ?? 'UNKNOWN'];
          if (n === undefined) {
            errors.push({
              value: entry,
              context: kc,
              message: 'a resource name of CPU, GPU, MEMORY, STORAGE or EPHEMERAL_STORAGE',
            });
          } else list[n] = r.right.value ?? '';
        });
      } else if (isPlainObject(v)) {
        for (const [rk, rv] of Object.entries(v)) {
          if (typeof rv === 'string') list[rk] = rv;
          else if (typeof rv === 'number' && Number.isFinite(rv)) list[rk] = String(rv);
          else
            errors.push({ value: rv, context: t.appendContext(kc, rk, t.string, rv), message: 'a quantity' });
        }
      } else {
        errors.push({
          value: v,
          context: kc,
          message: 'a list of {name, value} or a mapping of names to quantities',
        });
      }
      out[k] = list;
    }
    return errors.length > 0 ? t.failures(errors) : t.success(out);
  },
  (a) => a,
);
