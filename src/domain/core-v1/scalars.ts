// Numbers and quantities of the Kubernetes API, as strict codecs: Go integer widths, weights, resource quantities.
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import * as t from 'io-ts';
import { format, QuantityFromString } from '../quantity.js';

const integer = (name: string, min: number, max: number, expected: string): t.Type<number> => {
  const ok = (u: unknown): u is number =>
    typeof u === 'number' && Number.isInteger(u) && u >= min && u <= max;
  return new t.Type<number>(
    name,
    ok,
    (u, c) => (ok(u) ? t.success(u) : t.failure(u, c, expected)),
    (a) => a,
  );
};

/** A Go int64; JSON numbers past 2^53 cannot be carried exactly, so those are refused too. */
export const Int64 = integer('Int64', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 'a whole number');

/** A Go int32. */
export const Int32 = integer(
  'Int32',
  -2_147_483_648,
  2_147_483_647,
  'a whole number from -2147483648 to 2147483647',
);

/** A scheduling preference weight: an int32 that the API server only accepts from 1 to 100. */
export const Weight = integer('Weight', 1, 100, 'a whole number from 1 to 100');

const QUANTITY_EXPECTED = 'a quantity such as "500m" or "2"';

// Only strings and numbers: a quantity must never come from an object that happens to look like one.
const canonicalQuantity = (u: string | number): E.Either<unknown, string> =>
  pipe(QuantityFromString.decode(u), E.map(format));

/**
 * A resource quantity kept as its canonical string ("0.5" decodes to "500m"), the form kubernetes-types
 * uses. A YAML number (`cpu: 2`) is read through its decimal spelling, as the API server reads JSON numbers.
 */
export const QuantityString = new t.Type<string, string, unknown>(
  'QuantityString',
  (u): u is string =>
    typeof u === 'string' &&
    pipe(
      canonicalQuantity(u),
      E.exists((s) => s === u),
    ),
  (u, c) =>
    typeof u === 'string' || typeof u === 'number'
      ? pipe(
          canonicalQuantity(u),
          E.match(
            () => t.failure(u, c, QUANTITY_EXPECTED),
            (s) => t.success(s),
          ),
        )
      : t.failure(u, c, QUANTITY_EXPECTED),
  (a) => a,
);

/** Resource name to quantity, as in `limits` and `requests`. */
export const ResourceList = t.record(t.string, QuantityString, 'ResourceList');
