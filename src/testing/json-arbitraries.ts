// JSON values whose object keys include the names Object.prototype already has, as JSON.parse and YAML produce them.
import fc from 'fast-check';

/**
 * Keys that plain objects inherit. A parsed document may hold any of them as an ordinary own key; code that
 * assigns them (`out[k] = v`) or looks them up (`table[k]`) without an own-key check misreads them.
 */
export const PROTOTYPE_KEYS: ReadonlyArray<string> = [
  '__proto__',
  'constructor',
  'toString',
  'valueOf',
  'hasOwnProperty',
];

/** An object key: short strings, a few fixed names, and often one of PROTOTYPE_KEYS. */
export const arbJsonKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...PROTOTYPE_KEYS),
  fc.constantFrom('a', 'b', 'name'),
  fc.string({ maxLength: 4 }),
);

/** Bounds on generated JSON: deeper or wider values find few more bugs and slow every property down. */
export interface JsonArbitraryOptions {
  /** Most levels of nested objects and arrays. Default 3. */
  readonly maxDepth?: number;
  /** Most keys per object. Default 4. */
  readonly maxKeys?: number;
  /** Where keys come from; default `arbJsonKey`, which often picks a key plain objects inherit (`__proto__`). */
  readonly key?: fc.Arbitrary<string>;
}

/** Plain JSON data (ordinary prototypes, no `undefined`, no -0) with keys from `arbJsonKey` by default. */
export const arbJson = (options: JsonArbitraryOptions = {}): fc.Arbitrary<unknown> => {
  const maxKeys = options.maxKeys ?? 4;
  const key = options.key ?? arbJsonKey;
  const scalar = fc.oneof(
    fc.constant(null),
    fc.boolean(),
    fc.integer({ min: -1000, max: 1000 }),
    fc.string({ maxLength: 4 }),
  );
  const { value } = fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', maxDepth: options.maxDepth ?? 3, depthIdentifier: 'json' },
      scalar,
      fc.array(tie('value'), { maxLength: 3 }),
      fc.dictionary(key, tie('value'), { maxKeys, noNullPrototype: true }),
    ),
  }));
  return value;
};

/** A plain JSON object with keys from `arbJsonKey` (or `options.key`). */
export const arbJsonObject = (options: JsonArbitraryOptions = {}): fc.Arbitrary<Record<string, unknown>> =>
  fc.dictionary(options.key ?? arbJsonKey, arbJson(options), {
    maxKeys: options.maxKeys ?? 4,
    noNullPrototype: true,
  });
