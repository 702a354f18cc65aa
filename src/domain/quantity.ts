// Kubernetes resource quantities: exact parsing, canonical printing, ordering and sums, matching apimachinery's resource.Quantity.
import * as E from 'fp-ts/lib/Either.js';
import type { Eq as EqT } from 'fp-ts/lib/Eq.js';
import type { Monoid } from 'fp-ts/lib/Monoid.js';
import * as ORD from 'fp-ts/lib/Ord.js';
import * as t from 'io-ts';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * How a quantity prints. Like apimachinery, a parsed quantity remembers the kind of suffix it was
 * written with and prints the same kind again, in canonical form.
 */
export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

/**
 * An exact quantity. Parsing keeps precision down to one nano and rounds anything finer away from
 * zero, so an integer count of nanos holds every parsed value without loss.
 */
export interface Quantity {
  /** The value in units of 1e-9. */
  readonly nanos: bigint;
  readonly format: QuantityFormat;
}

/** Every print format, for generators and exhaustive tests. */
export const FORMATS: ReadonlyArray<QuantityFormat> = ['DecimalSI', 'BinarySI', 'DecimalExponent'];

const NANOS_PER_UNIT = 1_000_000_000n;
const NANOS_PER_MILLI = 1_000_000n;

/**
 * apimachinery silently caps a parsed BinarySI magnitude at 2^63-1 ("8Ei" parses as
 * 9223372036854775807); decimal forms are not capped.
 */
export const MAX_BINARY_SI: bigint = 2n ** 63n - 1n;
const MAX_BINARY_SI_NANOS = MAX_BINARY_SI * NANOS_PER_UNIT;

/**
 * Parsed magnitudes must be below 10^MAX_DECIMAL_DIGITS. apimachinery has no bound (its exponent is
 * an int32), but ours keeps every parse cheap on exact bigints; no resource comes near it.
 */
export const MAX_DECIMAL_DIGITS = 1000;

/** What every parse and decode failure tells a person. */
export const QUANTITY_EXPECTATION = 'expected a quantity such as "500m" or "2"';

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * A quantity of exactly `nanos` billionths of a unit (for cpu: nanocores; for memory: nanobytes), the
 * lossless constructor every other one goes through.
 */
export const fromNanos = (nanos: bigint, format: QuantityFormat = 'DecimalSI'): Quantity => ({
  nanos,
  format,
});

/** Nothing of a resource; the identity of `add` and `sum`. */
export const zero: Quantity = fromNanos(0n);

/** A whole number of units (apimachinery `NewQuantity`). Throws RangeError for a non-integer number. */
export const fromInteger = (n: bigint | number, format: QuantityFormat = 'DecimalSI'): Quantity =>
  fromNanos(BigInt(n) * NANOS_PER_UNIT, format);

/** A number of thousandths (apimachinery `NewMilliQuantity`). Throws RangeError for a non-integer number. */
export const fromMilli = (n: bigint | number, format: QuantityFormat = 'DecimalSI'): Quantity =>
  fromNanos(BigInt(n) * NANOS_PER_MILLI, format);

// -------------------------------------------------------------------------------------
// parsing
// -------------------------------------------------------------------------------------

const DECIMAL_SI_EXPONENTS: ReadonlyMap<string, number> = new Map([
  ['n', -9],
  ['u', -6],
  ['m', -3],
  ['', 0],
  ['k', 3],
  ['M', 6],
  ['G', 9],
  ['T', 12],
  ['P', 15],
  ['E', 18],
]);

const BINARY_SI_BITS: ReadonlyMap<string, number> = new Map([
  ['Ki', 10],
  ['Mi', 20],
  ['Gi', 30],
  ['Ti', 40],
  ['Pi', 50],
  ['Ei', 60],
]);

// <sign>? <digits>? (. <digits>?)? <suffix>; every part is optional here so the match always succeeds
// in linear time, and the digit and suffix rules are checked afterwards.
const numberPattern = /^([+-]?)([0-9]*)(?:\.([0-9]*))?([\s\S]*)$/;
// "E" alone is the exa suffix, so an exponent needs at least one digit.
const exponentPattern = /^[eE]([+-]?)([0-9]+)$/;

type Suffix =
  | { readonly base: 10; readonly exponent: number; readonly format: 'DecimalSI' | 'DecimalExponent' }
  | { readonly base: 2; readonly bits: number };

type Failure = 'syntax' | 'too-large' | 'exponent-range';

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

const interpretSuffix = (suffix: string): E.Either<Failure, Suffix> => {
  const decimal = DECIMAL_SI_EXPONENTS.get(suffix);
  if (decimal !== undefined) return E.right({ base: 10, exponent: decimal, format: 'DecimalSI' });
  const bits = BINARY_SI_BITS.get(suffix);
  if (bits !== undefined) return E.right({ base: 2, bits });
  const m = exponentPattern.exec(suffix);
  if (m === null) return E.left('syntax');
  const digits = (m[2] ?? '').replace(/^0+/, '');
  // apimachinery reads the exponent as an int64 and then truncates it to int32; we refuse instead of wrapping.
  if (digits.length > 10) return E.left('exponent-range');
  const exponent = (m[1] === '-' ? -1 : 1) * Number(digits === '' ? '0' : digits);
  if (exponent < INT32_MIN || exponent > INT32_MAX) return E.left('exponent-range');
  return E.right({ base: 10, exponent, format: 'DecimalExponent' });
};

/** Ceiling of a non-negative a / positive b. */
const ceilDivNonNegative = (a: bigint, b: bigint): bigint => (a + b - 1n) / b;

// |value| = digits * 10^exponent10, rounded up to whole nanos. Works on the digit string so that a
// far-negative exponent never builds a huge power of ten.
const decimalMagnitudeNanos = (
  integer: string,
  fraction: string,
  exponent: number,
): E.Either<Failure, bigint> => {
  const all = (integer + fraction).replace(/^0+/, '');
  const significant = all.replace(/0+$/, '');
  if (significant === '') return E.right(0n);
  const exponent10 = exponent - fraction.length + (all.length - significant.length);
  if (significant.length + exponent10 > MAX_DECIMAL_DIGITS) return E.left('too-large');
  const shift = exponent10 + 9;
  if (shift >= 0) return E.right(BigInt(significant) * 10n ** BigInt(shift));
  const kept = significant.length + shift;
  if (kept <= 0) return E.right(1n);
  // The dropped tail is non-empty and, with trailing zeros gone, non-zero: round up.
  return E.right(BigInt(significant.slice(0, kept)) + 1n);
};

const binaryMagnitudeNanos = (integer: string, fraction: string, bits: number): bigint => {
  const whole = integer.replace(/^0+/, '');
  // Anything with more than 19 integer digits is beyond the cap whatever the suffix.
  if (whole.length > 19) return MAX_BINARY_SI_NANOS;
  const frac = fraction.replace(/0+$/, '');
  const numerator = BigInt((whole + frac).replace(/^0+/, '') || '0') * (1n << BigInt(bits)) * NANOS_PER_UNIT;
  const nanos = ceilDivNonNegative(numerator, 10n ** BigInt(frac.length));
  return nanos > MAX_BINARY_SI_NANOS ? MAX_BINARY_SI_NANOS : nanos;
};

const parseWith = (s: string): E.Either<Failure, Quantity> => {
  const m = numberPattern.exec(s);
  if (m === null) return E.left('syntax');
  const [, sign = '', integer = '', fraction = '', suffixText = ''] = m;
  // apimachinery's scanner also takes digitless strings such as "k", "." or "-" as zero; the
  // OpenAPI pattern for quantities (and so CRD validation) rejects them, and so do we.
  if (integer === '' && fraction === '') return E.left('syntax');
  const suffix = interpretSuffix(suffixText);
  if (E.isLeft(suffix)) return suffix;
  const negative = sign === '-';
  const sfx = suffix.right;
  if (sfx.base === 10) {
    const magnitude = decimalMagnitudeNanos(integer, fraction, sfx.exponent);
    if (E.isLeft(magnitude)) return magnitude;
    return E.right(fromNanos(negative ? -magnitude.right : magnitude.right, sfx.format));
  }
  const magnitude = binaryMagnitudeNanos(integer, fraction, sfx.bits);
  // A non-zero binary value below one prints in decimal anyway; apimachinery records that as DecimalSI.
  const format = magnitude > 0n && magnitude < NANOS_PER_UNIT ? 'DecimalSI' : 'BinarySI';
  return E.right(fromNanos(negative ? -magnitude : magnitude, format));
};

const quote = (s: string): string => JSON.stringify(s.length > 64 ? `${s.slice(0, 64)}…` : s);

const PARSE_CACHE_SIZE = 1024;
const parsed = new Map<string, E.Either<string, Quantity>>();

/**
 * Parses `<signedNumber><suffix>` as apimachinery `ParseQuantity` does: suffixes n u m "" k M G T P E
 * (decimal), Ki Mi Gi Ti Pi Ei (binary) or e/E<signedInteger> (decimal exponent); no whitespace.
 */
export const parse = (s: string): E.Either<string, Quantity> => {
  const hit = parsed.get(s);
  if (hit !== undefined) return hit;
  const r = parseUncached(s);
  // A handful of quantities (config defaults, the tasks' requests) are parsed for every pod; the answers are
  // immutable values, so they are remembered, within a bound that a stream of distinct strings cannot pass.
  if (parsed.size >= PARSE_CACHE_SIZE) parsed.clear();
  parsed.set(s, r);
  return r;
};

const parseUncached = (s: string): E.Either<string, Quantity> =>
  E.mapLeft((failure: Failure) => {
    switch (failure) {
      case 'syntax':
        return `${QUANTITY_EXPECTATION}, got ${quote(s)}`;
      case 'too-large':
        return `quantity ${quote(s)} is too large: its magnitude must be below 1e${MAX_DECIMAL_DIGITS}`;
      case 'exponent-range':
        return `quantity ${quote(s)} has an exponent outside the 32-bit range`;
    }
  })(parseWith(s));

/** Parses or throws: for constants and tests only. */
export const unsafeParse = (s: string): Quantity => {
  const result = parse(s);
  if (E.isLeft(result)) throw new Error(result.left);
  return result.right;
};

/** Whether `parse` accepts `s`, without building an error message: for validation that needs only yes or no. */
export const isQuantityString = (s: string): boolean => E.isRight(parseWith(s));

/**
 * A JSON/YAML number as Kubernetes reads `cpu: 2`: through its shortest decimal spelling. The
 * spelling (and so the format) may differ from the source text, e.g. `1e3` arrives as 1000.
 */
export const fromNumber = (n: number): E.Either<string, Quantity> =>
  Number.isFinite(n) ? parse(String(n)) : E.left(`${QUANTITY_EXPECTATION}, got ${String(n)}`);

// -------------------------------------------------------------------------------------
// printing
// -------------------------------------------------------------------------------------

const BINARY_SUFFIXES = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'] as const;
const DECIMAL_SUFFIXES: ReadonlyMap<number, string> = new Map(
  [...DECIMAL_SI_EXPONENTS].map(([suffix, exponent]) => [exponent, suffix]),
);

interface Rendered {
  readonly text: string;
  /** The format `parse(text)` records. */
  readonly format: QuantityFormat;
}

// Largest exponent that is a multiple of three with an integer mantissa (nanos bound it below by -9).
const renderDecimal = (magnitude: bigint, format: 'DecimalSI' | 'DecimalExponent'): Rendered => {
  const digits = magnitude.toString();
  const significant = digits.replace(/0+$/, '');
  let exponent = digits.length - significant.length - 9;
  const pad = ((exponent % 3) + 3) % 3;
  exponent -= pad;
  const mantissa = significant + '0'.repeat(pad);
  if (format === 'DecimalSI') {
    const suffix = DECIMAL_SUFFIXES.get(exponent);
    // Past "E" there is no SI suffix; apimachinery falls back to an exponent rather than drop it.
    if (suffix !== undefined) return { text: mantissa + suffix, format: 'DecimalSI' };
  }
  return exponent === 0
    ? { text: mantissa, format: 'DecimalSI' }
    : { text: `${mantissa}e${exponent}`, format: 'DecimalExponent' };
};

const renderBinary = (magnitude: bigint): Rendered => {
  // Binary suffixes only for whole values of at least 1Ki; anything else prints exactly in decimal.
  if (magnitude < 1024n * NANOS_PER_UNIT || magnitude % NANOS_PER_UNIT !== 0n) {
    return renderDecimal(magnitude, 'DecimalSI');
  }
  let mantissa = magnitude / NANOS_PER_UNIT;
  let power = 0;
  // Stop at Ei: apimachinery has no larger suffix (and would print a bare, wrong mantissa).
  while (power < 6 && mantissa % 1024n === 0n) {
    mantissa /= 1024n;
    power += 1;
  }
  // Without a binary suffix apimachinery prints the bare integer ("10000"), which re-parses as DecimalSI
  // and then prints as "10k"; printing that fixed point directly keeps format idempotent.
  if (power === 0) return renderDecimal(magnitude, 'DecimalSI');
  return { text: `${mantissa}${BINARY_SUFFIXES[power] ?? ''}`, format: 'BinarySI' };
};

const render = (q: Quantity): Rendered => {
  if (q.nanos === 0n) return { text: '0', format: 'DecimalSI' };
  const negative = q.nanos < 0n;
  const magnitude = negative ? -q.nanos : q.nanos;
  const r = q.format === 'BinarySI' ? renderBinary(magnitude) : renderDecimal(magnitude, q.format);
  return negative ? { text: `-${r.text}`, format: r.format } : r;
};

/**
 * The canonical Kubernetes spelling (apimachinery `Quantity.String`): no fractional digits, the
 * largest suffix that loses nothing, and the suffix kind of `q.format`, falling back to decimal for
 * BinarySI values that are not whole multiples of 1Ki. Unlike apimachinery, which may echo a parsed
 * input verbatim ("1.441"), this always prints the canonical form ("1441m").
 */
export const format = (q: Quantity): string => render(q).text;

/**
 * `q` with the format that parsing `format(q)` records: the same value (for BinarySI, up to the
 * 2^63-1 parse cap), tagged as its canonical spelling reads.
 */
export const canonicalize = (q: Quantity): Quantity => fromNanos(q.nanos, render(q).format);

// -------------------------------------------------------------------------------------
// guards
// -------------------------------------------------------------------------------------

/** Guards a format read from outside (a stored value, a test input). */
export const isQuantityFormat = (u: unknown): u is QuantityFormat =>
  u === 'DecimalSI' || u === 'BinarySI' || u === 'DecimalExponent';

/** Guards a value that must already be a parsed quantity (not a string), e.g. in a decoded document. */
export const isQuantity = (u: unknown): u is Quantity =>
  typeof u === 'object' &&
  u !== null &&
  'nanos' in u &&
  typeof u.nanos === 'bigint' &&
  'format' in u &&
  isQuantityFormat(u.format);

// -------------------------------------------------------------------------------------
// ordering and arithmetic
// -------------------------------------------------------------------------------------

/** Compares values; the format takes no part (apimachinery `Cmp`). */
export const compare = (a: Quantity, b: Quantity): -1 | 0 | 1 =>
  a.nanos < b.nanos ? -1 : a.nanos > b.nanos ? 1 : 0;

/** Orders by value, ignoring format: "1Gi" and "1073741824" are equal, and "500m" is less than "1". */
export const Ord: ORD.Ord<Quantity> = ORD.fromCompare(compare);

/** Equality of values, as apimachinery `Equal`: "1Gi" equals "1073741824". */
export const Eq: EqT<Quantity> = { equals: (a, b) => a.nanos === b.nanos };

/** Equality of value and format. */
export const EqExact: EqT<Quantity> = { equals: (a, b) => a.nanos === b.nanos && a.format === b.format };

/** a < b by value, as in a check that a request stays under a limit. */
export const lt: (a: Quantity, b: Quantity) => boolean = ORD.lt(Ord);
/** a ≤ b by value. */
export const lte: (a: Quantity, b: Quantity) => boolean = ORD.leq(Ord);
/** a > b by value. */
export const gt: (a: Quantity, b: Quantity) => boolean = ORD.gt(Ord);
/** a ≥ b by value. */
export const gte: (a: Quantity, b: Quantity) => boolean = ORD.geq(Ord);
/**
 * The smaller value (the first when they are equal, so its format is kept), as when a request is capped by a
 * limit.
 */
export const min: (a: Quantity, b: Quantity) => Quantity = ORD.min(Ord);
/**
 * The larger value (the first when they are equal, so its format is kept), as when a request is raised to a
 * minimum.
 */
export const max: (a: Quantity, b: Quantity) => Quantity = ORD.max(Ord);

/**
 * Zero in any format ("0", "0Gi", "0m" alike). Resource settings treat a zero as "not set", as Flyte does, so this
 * is the test they use.
 */
export const isZero = (q: Quantity): boolean => q.nanos === 0n;

/** -1, 0 or 1 by the sign of the value, as when checking which way a difference (`sub`) went. */
export const sign = (q: Quantity): -1 | 0 | 1 => (q.nanos < 0n ? -1 : q.nanos > 0n ? 1 : 0);

/** a + b, keeping a's format unless a is zero (apimachinery `Add`). */
export const add = (a: Quantity, b: Quantity): Quantity =>
  fromNanos(a.nanos + b.nanos, a.nanos === 0n ? b.format : a.format);

/** a - b, keeping a's format unless a is zero (apimachinery `Sub`). */
export const sub = (a: Quantity, b: Quantity): Quantity =>
  fromNanos(a.nanos - b.nanos, a.nanos === 0n ? b.format : a.format);

/** The same amount with the opposite sign, keeping the format. */
export const negate = (q: Quantity): Quantity => fromNanos(-q.nanos, q.format);

/** Addition; lawful up to `Eq` (which format a sum keeps depends on where zeros fall). */
export const MonoidSum: Monoid<Quantity> = { concat: add, empty: zero };

/** The total of a list (zero for an empty one), as when the resources of a pod's containers are added up. */
export const sum = (qs: ReadonlyArray<Quantity>): Quantity => qs.reduce(add, zero);

// -------------------------------------------------------------------------------------
// conversions
// -------------------------------------------------------------------------------------

const ceilDiv = (a: bigint, b: bigint): bigint => (a >= 0n ? ceilDivNonNegative(a, b) : -(-a / b));

/**
 * ceil(q * 1000), as apimachinery `MilliValue` documents it, but exact and unbounded. (For negative
 * values apimachinery's own rounding is inconsistent between its two representations.)
 */
export const toMilliCeil = (q: Quantity): bigint => ceilDiv(q.nanos, NANOS_PER_MILLI);

/** ceil(q), as apimachinery `Value` documents it, e.g. bytes of memory. */
export const toIntegerCeil = (q: Quantity): bigint => ceilDiv(q.nanos, NANOS_PER_UNIT);

/** The nearest double to the value (Infinity past its range): for display and heuristics only. */
export const toNumber = (q: Quantity): number => {
  const negative = q.nanos < 0n;
  const digits = (negative ? -q.nanos : q.nanos).toString().padStart(10, '0');
  return Number(`${negative ? '-' : ''}${digits.slice(0, -9)}.${digits.slice(-9)}`);
};

// -------------------------------------------------------------------------------------
// codec
// -------------------------------------------------------------------------------------

/**
 * Decodes a quantity string, or a finite JSON number as Kubernetes accepts `cpu: 2`; encodes to the
 * canonical string. Surrounding whitespace is rejected (apimachinery's JSON path still trims it,
 * marked TODO for removal; its parser and the OpenAPI pattern do not).
 */
export const QuantityFromString: t.Type<Quantity, string> = new t.Type<Quantity, string>(
  'QuantityFromString',
  isQuantity,
  (u, c) => {
    const parsed =
      typeof u === 'string' ? parse(u) : typeof u === 'number' ? fromNumber(u) : E.left(QUANTITY_EXPECTATION);
    return E.isRight(parsed) ? t.success(parsed.right) : t.failure(u, c, QUANTITY_EXPECTATION);
  },
  format,
);
