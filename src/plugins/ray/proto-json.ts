// Protobuf-JSON decoding for plugin payloads: messages whose fields may be written snake_case or lowerCamel.
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { closest, decode, isPlainObject, renderIssue, type DecodeIssue } from '../../domain/codec.js';
import { badTaskSpecification, type BuildError } from '../../domain/plugin.js';
import type { PathSegment } from '../../domain/codec.js';

/** The marker the strict structs of src/domain/codec.ts put on unknown keys, so issues read "unknown key". */
const UNKNOWN_KEY = 'kubetasks/unknown-key';

const snakeOf = (camel: string): string => camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** A decoded message: every field optional, as in proto3. */
export type MessageA<P extends t.Props> = { [K in keyof P]?: t.TypeOf<P[K]> };

/**
 * A protobuf message as protobuf-JSON reads it: each field under its lowerCamel JSON name or its proto (snake_case)
 * name, not both; `null` means unset; unknown keys are errors (with a did-you-mean). Decoded keys are lowerCamel.
 */
export const message = <P extends t.Props>(name: string, props: P): t.Type<MessageA<P>, MessageA<P>> => {
  const byWritten = new Map<string, string>();
  for (const k of Object.keys(props)) {
    byWritten.set(k, k);
    byWritten.set(snakeOf(k), k);
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
            message: `only one of ${JSON.stringify(other)} and ${JSON.stringify(written)} (the same field)`,
          });
          continue;
        }
        seen.set(field, written);
        if (v === null || v === undefined) continue;
        const codec = props[field] as t.Mixed;
        const r = codec.validate(v, t.appendContext(c, written, codec, v));
        if (E.isLeft(r)) errors.push(...r.left);
        else if (r.right !== undefined) out[field] = r.right;
      }
      return errors.length > 0 ? t.failures(errors) : t.success(out);
    },
    (a) => a,
  );
};

/** A protobuf int32 as protobuf-JSON writes it: a whole number, or a string holding one. */
export const Int32 = new t.Type<number, number, unknown>(
  'Int32',
  (u): u is number => typeof u === 'number' && Number.isInteger(u),
  (u, c) => {
    const n = typeof u === 'string' && /^-?\d+$/.test(u.trim()) ? Number(u) : u;
    return typeof n === 'number' && Number.isInteger(n) && n >= -2147483648 && n <= 2147483647
      ? t.success(n)
      : t.failure(u, c, 'a whole number (int32)');
  },
  (a) => a,
);

/** A protobuf uint32: Int32's rules, never negative. */
export const UInt32 = new t.Type<number, number, unknown>(
  'UInt32',
  (u): u is number => typeof u === 'number' && Number.isInteger(u) && u >= 0,
  (u, c) => {
    const n = typeof u === 'string' && /^\d+$/.test(u.trim()) ? Number(u) : u;
    return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 4294967295
      ? t.success(n)
      : t.failure(u, c, 'a whole number of 0 or more (uint32)');
  },
  (a) => a,
);

/**
 * A protobuf enum: its value names in order (index = number). Accepts a name, the name with the proto's prefix
 * (`UPSCALING_MODE_DEFAULT`), or the number; decodes to the short name.
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
      return t.failure(u, c, `one of ${values.map((v) => JSON.stringify(v)).join(', ')} (or its number)`);
    },
    (a) => a,
  );

/** Flyte's core.ResourceName values, in proto order, and the Kubernetes resource each one names. */
const RESOURCE_NAMES = ['UNKNOWN', 'CPU', 'GPU', 'MEMORY', 'STORAGE', 'EPHEMERAL_STORAGE'] as const;
const KUBERNETES_NAME: Readonly<Record<(typeof RESOURCE_NAMES)[number], string | undefined>> = {
  UNKNOWN: undefined,
  CPU: 'cpu',
  GPU: 'gpu',
  MEMORY: 'memory',
  STORAGE: 'storage',
  EPHEMERAL_STORAGE: 'ephemeral-storage',
};

const ResourceEntry = message('ResourceEntry', {
  name: protoEnum('ResourceName', RESOURCE_NAMES),
  value: t.string,
});

/**
 * Flyte's core.Resources as protobuf-JSON writes it (`{requests: [{name: CPU, value: "1"}]}`), or the kubetasks
 * task format's maps (`{requests: {cpu: "1"}}`); decoded to the maps.
 */
export const ProtoResources = new t.Type<
  {
    readonly requests?: Readonly<Record<string, string>>;
    readonly limits?: Readonly<Record<string, string>>;
  },
  unknown,
  unknown
>(
  'Resources',
  (u): u is { requests?: Record<string, string>; limits?: Record<string, string> } => isPlainObject(u),
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
          if (E.isLeft(r)) errors.push(...r.left);
          else {
            const n = KUBERNETES_NAME[r.right.name ?? 'UNKNOWN'];
            if (n === undefined) {
              errors.push({
                value: entry,
                context: kc,
                message: 'a resource name of CPU, GPU, MEMORY, STORAGE or EPHEMERAL_STORAGE',
              });
            } else list[n] = r.right.value ?? '';
          }
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

/** Decodes `custom` with `codec`; issues become one BadTaskSpecification naming the path in the task file. */
export const decodeCustom =
  <A>(codec: t.Decoder<unknown, A>, what: string) =>
  (custom: unknown): E.Either<BuildError, A> => {
    const r = decode(codec)(custom ?? {});
    if (E.isRight(r)) return r;
    const first: DecodeIssue | undefined = r.left[0];
    const path: ReadonlyArray<PathSegment> = ['task', 'custom', ...(first?.path ?? [])];
    const message = r.left.map((i) => renderIssue({ ...i, path: ['task', 'custom', ...i.path] })).join('; ');
    return E.left(badTaskSpecification(`invalid ${what}: ${message}`, path));
  };
