// Codec building blocks shared by every input type: strict structs, defaults, descriptions, and decode issues.
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import * as t from 'io-ts';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** One step into a decoded document: an object key or an array index. */
export type PathSegment = string | number;

/**
 * A problem found while decoding an input document, independent of the document's syntax.
 * The app layer adds file names and YAML line/column positions.
 */
export interface DecodeIssue {
  readonly path: ReadonlyArray<PathSegment>;
  /** What was expected at the path, phrased for a person ("a quantity such as \"500m\" or \"2\""). */
  readonly expected: string;
  /** The offending value; absent when the key was missing. */
  readonly actual?: unknown;
  /** Set for unknown keys; the closest known key if one is near. */
  readonly unknownKey?: { readonly suggestion?: string };
}

// -------------------------------------------------------------------------------------
// strict structs
// -------------------------------------------------------------------------------------

const UNKNOWN_KEY = 'kubetasks/unknown-key';

/** Props whose codecs may be wrapped in `withDefault` (then the key is optional in the input). */
export type StructA<R extends t.Props, O extends t.Props> = { [K in keyof R]: t.TypeOf<R[K]> } & {
  [K in keyof O]?: t.TypeOf<O[K]>;
};
/** What a strict struct encodes to: the same keys as `StructA`, each field in its encoded form. */
export type StructO<R extends t.Props, O extends t.Props> = { [K in keyof R]: t.OutputOf<R[K]> } & {
  [K in keyof O]?: t.OutputOf<O[K]>;
};

/**
 * An object codec that rejects keys it does not know (with a did-you-mean suggestion) and drops
 * optional keys whose value is undefined, so decoded values honour `exactOptionalPropertyTypes`.
 * Used for every user-written document; Kubernetes objects use `t.type`, which keeps unknown fields.
 */
export class StrictStructType<R extends t.Props, O extends t.Props> extends t.Type<
  StructA<R, O>,
  StructO<R, O>
> {
  readonly _tag = 'StrictStructType' as const;
  constructor(
    name: string,
    readonly required: R,
    readonly optional: O,
    readonly description: string | undefined,
  ) {
    const known = new Set([...Object.keys(required), ...Object.keys(optional)]);
    const entries = [
      ...Object.entries(required).map(([k, c]) => [k, c, true] as const),
      ...Object.entries(optional).map(([k, c]) => [k, c, false] as const),
    ];
    super(
      name,
      (u): u is StructA<R, O> => {
        if (!isPlainObject(u)) return false;
        for (const [k, c, req] of entries) {
          const v = u[k];
          if (v === undefined ? req && !isDefaulted(c) : !c.is(v)) return false;
        }
        return Object.keys(u).every((k) => known.has(k));
      },
      (u, c) => {
        if (!isPlainObject(u)) return t.failure(u, c, 'an object (a mapping of keys to values)');
        const errors: t.ValidationError[] = [];
        const out: Record<string, unknown> = {};
        for (const [k, codec, req] of entries) {
          const v = u[k];
          if (v === undefined && !req) continue;
          const r = codec.validate(v, t.appendContext(c, k, codec, v));
          if (E.isLeft(r)) errors.push(...r.left);
          else if (r.right !== undefined) out[k] = r.right;
        }
        const names = [...known];
        for (const k of Object.keys(u).sort()) {
          if (known.has(k)) continue;
          const suggestion = closest(k, names);
          errors.push({
            value: u[k],
            context: t.appendContext(c, k, t.never, u[k]),
            message: `${UNKNOWN_KEY}${suggestion ?? ''}`,
          });
        }
        return errors.length > 0 ? t.failures(errors) : t.success(out as StructA<R, O>);
      },
      (a) => {
        const out: Record<string, unknown> = {};
        for (const [k, codec] of entries) {
          const v = (a as Record<string, unknown>)[k];
          if (v !== undefined) out[k] = codec.encode(v);
        }
        return out as StructO<R, O>;
      },
    );
  }
}

/** A strict object codec; `optional` keys may be absent. */
// eslint-disable-next-line @typescript-eslint/no-generated-empty-object-type -- "no optional keys" is meant
export const struct = <R extends t.Props, O extends t.Props = Record<never, never>>(
  name: string,
  required: R,
  optional?: O,
  description?: string,
): StrictStructType<R, O> => new StrictStructType(name, required, optional ?? ({} as O), description);

// -------------------------------------------------------------------------------------
// defaults and descriptions
// -------------------------------------------------------------------------------------

/** A codec that decodes a missing value to `value`; its key is optional in documents and schemas. */
export class DefaultType<C extends t.Any> extends t.Type<t.TypeOf<C>, t.OutputOf<C>> {
  readonly _tag = 'DefaultType' as const;
  constructor(
    readonly type: C,
    readonly value: t.TypeOf<C>,
    readonly description: string | undefined,
  ) {
    super(
      type.name,
      (u): u is t.TypeOf<C> => type.is(u),
      (u, c) => (u === undefined ? t.success(value) : type.validate(u, c)),
      (a) => type.encode(a) as t.OutputOf<C>,
    );
  }
}

/**
 * Makes a field optional in the input and fills in `value` when it is missing. The default is recorded on the
 * codec, so the JSON Schema and the configuration reference show it instead of a second copy that could
 * drift.
 */
export const withDefault = <C extends t.Any>(
  type: C,
  value: t.TypeOf<C>,
  description?: string,
): DefaultType<C> => new DefaultType(type, value, description);

/** A codec with a description for the generated JSON Schema and configuration reference. */
export class DescribedType<C extends t.Any> extends t.Type<t.TypeOf<C>, t.OutputOf<C>> {
  readonly _tag = 'DescribedType' as const;
  constructor(
    readonly type: C,
    readonly description: string,
  ) {
    super(type.name, type.is, type.validate, type.encode);
  }
}

/** Attaches a sentence for the generated JSON Schema and configuration reference; decoding is unchanged. */
export const describe = <C extends t.Any>(type: C, description: string): DescribedType<C> =>
  new DescribedType(type, description);

const isDefaulted = (c: t.Any): boolean => c instanceof DefaultType;

// -------------------------------------------------------------------------------------
// small codecs
// -------------------------------------------------------------------------------------

/** A JSON object with string values, as Kubernetes labels, annotations and selectors are. */
export const StringMap = new t.Type<
  Readonly<Record<string, string>>,
  Readonly<Record<string, string>>,
  unknown
>(
  'StringMap',
  (u): u is Record<string, string> =>
    isPlainObject(u) && Object.values(u).every((v) => typeof v === 'string'),
  (u, c) => {
    if (!isPlainObject(u)) return t.failure(u, c, 'a mapping of names to strings');
    const errors: t.ValidationError[] = [];
    for (const [k, v] of Object.entries(u)) {
      if (typeof v !== 'string') {
        errors.push({ value: v, context: t.appendContext(c, k, t.string, v), message: 'a string' });
      }
    }
    return errors.length > 0 ? t.failures(errors) : t.success(u as Record<string, string>);
  },
  (a) => a,
);

/** A JSON object of arbitrary values (kept as is). */
export const JsonObject = new t.Type<
  Readonly<Record<string, unknown>>,
  Readonly<Record<string, unknown>>,
  unknown
>(
  'JsonObject',
  (u): u is Record<string, unknown> => isPlainObject(u),
  (u, c) => (isPlainObject(u) ? t.success(u) : t.failure(u, c, 'an object (a mapping of keys to values)')),
  (a) => a,
);

/** A non-empty string. */
export const NonEmptyString = new t.Type<string, string, unknown>(
  'NonEmptyString',
  (u): u is string => typeof u === 'string' && u.length > 0,
  (u, c) => (typeof u === 'string' && u.length > 0 ? t.success(u) : t.failure(u, c, 'a non-empty string')),
  (a) => a,
);

/** A non-negative integer. */
export const NonNegativeInt = new t.Type<number, number, unknown>(
  'NonNegativeInt',
  (u): u is number => typeof u === 'number' && Number.isSafeInteger(u) && u >= 0,
  (u, c) =>
    typeof u === 'number' && Number.isSafeInteger(u) && u >= 0
      ? t.success(u)
      : t.failure(u, c, 'a whole number of 0 or more'),
  (a) => a,
);

/** A string literal enumeration with a readable expectation. */
export const oneOf = <const K extends string>(name: string, values: ReadonlyArray<K>): t.Type<K, K> => {
  const set = new Set<string>(values);
  return new OneOfType(name, values, set);
};

/**
 * The codec `oneOf` makes. It is a class so that the JSON Schema generator can recognise it and emit an
 * `enum` with its `values`.
 */
export class OneOfType<K extends string> extends t.Type<K, K> {
  readonly _tag = 'OneOfType' as const;
  constructor(
    name: string,
    readonly values: ReadonlyArray<K>,
    set: ReadonlySet<string>,
  ) {
    super(
      name,
      (u): u is K => typeof u === 'string' && set.has(u),
      (u, c) =>
        typeof u === 'string' && set.has(u)
          ? t.success(u as K)
          : t.failure(u, c, `one of ${values.map((v) => JSON.stringify(v)).join(', ')}`),
      (a) => a,
    );
  }
}

// -------------------------------------------------------------------------------------
// decoding with issues
// -------------------------------------------------------------------------------------

/** Decodes `u`, turning io-ts errors into readable, path-addressed, sorted, de-duplicated issues. */
export const decode =
  <A>(codec: t.Decoder<unknown, A>) =>
  (u: unknown): E.Either<ReadonlyArray<DecodeIssue>, A> =>
    pipe(
      safeValidate(codec, u),
      E.mapLeft((errors) => toIssues(errors)),
    );

const safeValidate = <A>(codec: t.Decoder<unknown, A>, u: unknown): t.Validation<A> => {
  try {
    return codec.decode(u);
  } catch (e) {
    // A codec bug must still give the user an error value, never a crash.
    return t.failure(u, [{ key: '', type: t.unknown, actual: u }], `a decodable value (${String(e)})`);
  }
};

/** Turns io-ts validation errors into issues: one per path, union alternatives merged. */
export const toIssues = (errors: ReadonlyArray<t.ValidationError>): ReadonlyArray<DecodeIssue> => {
  const byPath = new Map<
    string,
    { path: PathSegment[]; expected: string[]; actual: unknown; unknown?: string }
  >();
  for (const e of errors) {
    const path = pathOf(e.context);
    const key = JSON.stringify(path);
    const unknownKey = e.message?.startsWith(UNKNOWN_KEY) === true;
    const expected = unknownKey ? '' : (e.message?.replace(/^expected /, '') ?? expectedOf(e.context));
    const slot = byPath.get(key) ?? { path, expected: [], actual: e.value };
    if (unknownKey) slot.unknown = e.message?.slice(UNKNOWN_KEY.length) ?? '';
    else if (!slot.expected.includes(expected)) slot.expected.push(expected);
    byPath.set(key, slot);
  }
  return [...byPath.values()]
    .map((s): DecodeIssue => ({
      path: s.path,
      expected: s.expected.join(' or '),
      ...(s.actual === undefined ? {} : { actual: s.actual }),
      ...(s.unknown === undefined ? {} : { unknownKey: s.unknown === '' ? {} : { suggestion: s.unknown } }),
    }))
    .sort((a, b) => comparePaths(a.path, b.path));
};

const pathOf = (context: t.Context): PathSegment[] => {
  const path: PathSegment[] = [];
  for (let i = 1; i < context.length; i++) {
    const parentEntry = context[i - 1];
    const parent = unwrap(parentEntry?.type);
    const entry = context[i];
    if (entry === undefined) continue;
    // Union and intersection members are reported under numeric keys that are not part of the document.
    if (parent?._tag === 'UnionType' || parent?._tag === 'IntersectionType') continue;
    if (entry.key === '') continue;
    path.push(Array.isArray(parentEntry?.actual) ? Number(entry.key) : entry.key);
  }
  return path;
};

interface TaggedCodec {
  readonly _tag?: string;
  readonly name: string;
  readonly type?: unknown;
}

/** Sees through the wrappers that only add defaults, descriptions or readonly-ness. */
const unwrap = (codec: unknown): TaggedCodec | undefined => {
  let c = codec as TaggedCodec | undefined;
  while (
    c !== undefined &&
    (c._tag === 'DefaultType' || c._tag === 'DescribedType' || c._tag === 'ReadonlyType')
  ) {
    c = c.type as TaggedCodec | undefined;
  }
  return c;
};

const expectedOf = (context: t.Context): string => {
  const last = unwrap(context[context.length - 1]?.type);
  if (last === undefined) return 'a valid value';
  switch (last._tag ?? '') {
    case 'StringType':
      return 'a string';
    case 'NumberType':
      return 'a number';
    case 'BooleanType':
      return 'a boolean (true or false)';
    case 'ArrayType':
    case 'ReadonlyArrayType':
    case 'UnknownArrayType':
      return 'a list';
    case 'InterfaceType':
    case 'PartialType':
    case 'UnknownRecordType':
    case 'DictionaryType':
    case 'ExactType':
      return 'an object (a mapping of keys to values)';
    case 'LiteralType':
      return JSON.stringify((last as unknown as { value: unknown }).value);
    case 'KeyofType':
      return `one of ${Object.keys((last as unknown as { keys: object }).keys)
        .map((k) => JSON.stringify(k))
        .join(', ')}`;
    case 'NullType':
      return 'null';
    default:
      return last.name;
  }
};

const comparePaths = (a: ReadonlyArray<PathSegment>, b: ReadonlyArray<PathSegment>): number => {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return String(x) < String(y) ? -1 : 1;
  }
  return a.length - b.length;
};

// -------------------------------------------------------------------------------------
// rendering
// -------------------------------------------------------------------------------------

/** Renders a path as people write it: `plugins.k8s.default-tolerations[0].key`, quoting keys with dots. */
export const renderPath = (path: ReadonlyArray<PathSegment>): string =>
  path.reduce<string>((acc, seg) => {
    if (typeof seg === 'number') return `${acc}[${seg}]`;
    if (/^[A-Za-z0-9_-]+$/.test(seg)) return acc === '' ? seg : `${acc}.${seg}`;
    return `${acc}[${JSON.stringify(seg)}]`;
  }, '');

const MAX_SHOWN = 60;

/** Shows a value compactly for an error message. */
export const showValue = (u: unknown): string => {
  if (u === undefined) return 'nothing';
  let s: string;
  try {
    s = JSON.stringify(u) ?? describeScalar(u);
  } catch {
    s = describeScalar(u);
  }
  return s.length > MAX_SHOWN ? `${s.slice(0, MAX_SHOWN - 3)}...` : s;
};

const describeScalar = (u: unknown): string => {
  switch (typeof u) {
    case 'bigint':
      return `${u.toString()}n`;
    case 'symbol':
      return u.toString();
    default:
      return `a ${typeof u}`;
  }
};

/** One line per issue: `plugins.k8s.default-cpus: expected a quantity such as "500m" or "2", got "lots"`. */
export const renderIssue = (issue: DecodeIssue): string => {
  const at = renderPath(issue.path);
  const where = at === '' ? '(document)' : at;
  if (issue.unknownKey !== undefined) {
    const hint =
      issue.unknownKey.suggestion === undefined ? '' : ` (did you mean "${issue.unknownKey.suggestion}"?)`;
    return `${where}: unknown key${hint}`;
  }
  if (!('actual' in issue)) return `${where}: missing, expected ${issue.expected}`;
  return `${where}: expected ${issue.expected}, got ${showValue(issue.actual)}`;
};

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/** A JSON object, as opposed to an array or null (both of which `typeof` also calls "object"). */
export const isPlainObject = (u: unknown): u is Record<string, unknown> =>
  typeof u === 'object' && u !== null && !Array.isArray(u);

/** Levenshtein distance, for did-you-mean suggestions. */
export const editDistance = (a: string, b: string): number => {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] ?? 0;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j] ?? 0;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      prev[j] = Math.min(up + 1, (prev[j - 1] ?? 0) + 1, diag + cost);
      diag = up;
    }
  }
  return prev[b.length] ?? 0;
};

/** The known name nearest to `name`, if it is close enough to be a plausible typo. */
export const closest = (name: string, known: ReadonlyArray<string>): string | undefined => {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = editDistance(name.toLowerCase(), k.toLowerCase());
    if (d < bestD) {
      best = k;
      bestD = d;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
};

// -------------------------------------------------------------------------------------
// encoding
// -------------------------------------------------------------------------------------

/**
 * Whether `codec.encode` returns a value structurally equal to its input for every valid value: true when every
 * codec inside it (struct, partial, intersection, union, readonly, array members) encodes as the identity. io-ts
 * still copies objects through intersections and through structs that hold one, so a caller on a hot path may
 * skip `encode` when this holds. Unknown combinators answer false.
 */
export const encodesAsIdentity = (codec: t.Mixed): boolean => {
  if (codec.encode === t.identity) return true;
  if (codec instanceof t.InterfaceType || codec instanceof t.PartialType) {
    const props = (codec as t.InterfaceType<t.Props>).props;
    return Object.values(props).every((c) => encodesAsIdentity(c));
  }
  if (codec instanceof t.IntersectionType || codec instanceof t.UnionType) {
    const types = (codec as t.IntersectionType<t.Mixed[]>).types;
    return types.every((c) => encodesAsIdentity(c));
  }
  if (
    codec instanceof t.ReadonlyType ||
    codec instanceof t.ReadonlyArrayType ||
    codec instanceof t.ArrayType ||
    codec instanceof t.ExactType
  ) {
    return encodesAsIdentity((codec as t.ReadonlyType<t.Mixed>).type);
  }
  return false;
};
