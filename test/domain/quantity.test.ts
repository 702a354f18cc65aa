// Laws and apimachinery decision tables for Kubernetes resource quantities.
import { fc, test } from '@fast-check/vitest';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect } from 'vitest';
import * as Q from '../../src/domain/quantity.js';
import type { Quantity, QuantityFormat } from '../../src/domain/quantity.js';

const NANO = 1_000_000_000n;
const MAX_BINARY_NANOS = Q.MAX_BINARY_SI * NANO;

const right = (s: string): Quantity => {
  const r = Q.parse(s);
  if (E.isLeft(r)) throw new Error(`expected ${JSON.stringify(s)} to parse: ${r.left}`);
  return r.right;
};

// -------------------------------------------------------------------------------------
// arbitraries (local; public ones will move to src/testing)
// -------------------------------------------------------------------------------------

const arbFormat: fc.Arbitrary<QuantityFormat> = fc.constantFrom(...Q.FORMATS);

const arbNanos: fc.Arbitrary<bigint> = fc.oneof(
  fc.bigInt({ min: -2000n, max: 2000n }),
  fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }),
  // round decimal values such as 5k or 300M
  fc
    .tuple(fc.bigInt({ min: -999_999n, max: 999_999n }), fc.integer({ min: 0, max: 40 }))
    .map(([m, k]) => m * 10n ** BigInt(k)),
  // whole binary multiples such as 6Ki or 1536Mi
  fc
    .tuple(fc.bigInt({ min: -2047n, max: 2047n }), fc.integer({ min: 0, max: 6 }))
    .map(([m, p]) => m * 1024n ** BigInt(p) * NANO),
);

// BinarySI values stay within the 2^63-1 cap that parsing applies, so they can round-trip.
const arbQuantity: fc.Arbitrary<Quantity> = fc
  .tuple(arbNanos, arbFormat)
  .map(([nanos, format]) =>
    Q.fromNanos(
      format === 'BinarySI' && (nanos > MAX_BINARY_NANOS || -nanos > MAX_BINARY_NANOS)
        ? nanos % MAX_BINARY_NANOS
        : nanos,
      format,
    ),
  );

interface QuantityParts {
  readonly sign: '' | '+' | '-';
  readonly integer: string;
  readonly fraction: string | undefined;
  readonly suffix: string;
  readonly text: string;
}

const DECIMAL_SUFFIX_EXPONENT: Readonly<Record<string, number>> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const BINARY_SUFFIX_BITS: Readonly<Record<string, number>> = {
  Ki: 10,
  Mi: 20,
  Gi: 30,
  Ti: 40,
  Pi: 50,
  Ei: 60,
};

const arbDigits = (maxLength: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom('0', '1', '2', '5', '9'), maxLength });

const arbExponentSuffix: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), fc.integer({ min: 0, max: 40 }))
  .map(([e, s, n]) => `${e}${s}${n}`);

const arbParts = (suffix: fc.Arbitrary<string>): fc.Arbitrary<QuantityParts> =>
  fc
    .record({
      sign: fc.constantFrom<'' | '+' | '-'>('', '+', '-'),
      integer: arbDigits(22),
      fraction: fc.option(arbDigits(22), { nil: undefined }),
      suffix,
    })
    .filter((p) => p.integer.length + (p.fraction ?? '').length > 0)
    .map((p) => ({
      ...p,
      text: `${p.sign}${p.integer}${p.fraction === undefined ? '' : `.${p.fraction}`}${p.suffix}`,
    }));

const arbDecimalParts = arbParts(
  fc.oneof(fc.constantFrom(...Object.keys(DECIMAL_SUFFIX_EXPONENT)), arbExponentSuffix),
);
const arbQuantityParts = fc.oneof(
  arbDecimalParts,
  arbParts(fc.constantFrom(...Object.keys(BINARY_SUFFIX_BITS))),
);
const arbQuantityString: fc.Arbitrary<string> = arbQuantityParts.map((p) => p.text);

// -------------------------------------------------------------------------------------
// an independent reference: the exact rational value of a string, then apimachinery's rounding
// -------------------------------------------------------------------------------------

interface Rational {
  readonly num: bigint; // signed
  readonly den: bigint; // positive
}

const exactValue = (p: QuantityParts): Rational => {
  const fraction = p.fraction ?? '';
  const digits = BigInt(`${p.integer}${fraction}` === '' ? '0' : `${p.integer}${fraction}`);
  const signed = p.sign === '-' ? -digits : digits;
  let num = signed;
  let den = 10n ** BigInt(fraction.length);
  const bits = BINARY_SUFFIX_BITS[p.suffix];
  if (bits !== undefined) {
    num *= 2n ** BigInt(bits);
  } else {
    const exponent = DECIMAL_SUFFIX_EXPONENT[p.suffix] ?? Number(p.suffix.slice(1));
    if (exponent >= 0) num *= 10n ** BigInt(exponent);
    else den *= 10n ** BigInt(-exponent);
  }
  return { num, den };
};

const compareRational = (a: Rational, b: Rational): number => {
  const l = a.num * b.den;
  const r = b.num * a.den;
  return l < r ? -1 : l > r ? 1 : 0;
};

// Magnitude times 1e9, rounded up; sign restored; BinarySI capped at 2^63-1.
const referenceNanos = (p: QuantityParts): bigint => {
  const { num, den } = exactValue(p);
  const magnitude = num < 0n ? -num : num;
  const scaled = magnitude * NANO;
  let nanos = scaled / den + (scaled % den === 0n ? 0n : 1n);
  if (p.suffix in BINARY_SUFFIX_BITS && nanos > MAX_BINARY_NANOS) nanos = MAX_BINARY_NANOS;
  return num < 0n ? -nanos : nanos;
};

// -------------------------------------------------------------------------------------
// decision tables from apimachinery's tests (quantity_test.go, quantity_golden_test.go,
// quantity_subnano_test.go)
// -------------------------------------------------------------------------------------

// input -> canonical String()
const CANONICAL: ReadonlyArray<readonly [string, string]> = [
  // TestQuantityParseEmit
  ['1Ki', '1Ki'],
  ['1Mi', '1Mi'],
  ['1Gi', '1Gi'],
  ['1024Mi', '1Gi'],
  ['1000M', '1G'],
  ['.001Ki', '1024m'],
  ['.000001Ki', '1024u'],
  ['.000000001Ki', '1024n'],
  ['.000000000001Ki', '2n'],
  // TestQuantityString (alternate spelling -> canonical)
  ['307200Ki', '300Mi'],
  ['1025024Mi', '1001Gi'],
  ['1024Gi', '1Ti'],
  ['5000m', '5'],
  ['0.5', '500m'],
  ['0.001T', '1G'],
  ['1000u', '1m'],
  ['1.08', '1080m'],
  ['1080000000n', '1080m'],
  ['1000E', '1e21'],
  ['5000E', '5e21'],
  ['1000000E', '1e24'],
  ['.001e12', '1e9'],
  ['0.001e0', '1e-3'],
  ['1000e-12', '1e-9'],
  ['00', '0'],
  // TestQuantityString (canonical spellings are fixed points)
  ['6Ki', '6Ki'],
  ['300Mi', '300Mi'],
  ['1001Gi', '1001Gi'],
  ['1Ti', '1Ti'],
  ['1025', '1025'],
  ['300M', '300M'],
  ['1T', '1T'],
  ['1E', '1E'],
  ['1234567M', '1234567M'],
  ['1234567m', '1234567m'],
  ['3k', '3k'],
  ['80m', '80m'],
  ['1e9', '1e9'],
  ['80e-3', '80e-3'],
  ['300e6', '300e6'],
  ['1e12', '1e12'],
  ['3e3', '3e3'],
  ['1n', '1n'],
  ['80n', '80n'],
  ['1080n', '1080n'],
  ['1u', '1u'],
  ['80u', '80u'],
  ['1080u', '1080u'],
  // TestQuantityParse, printed
  ['3.001n', '4n'],
  ['1.1E-9', '2e-9'],
  ['0.0000000001', '1n'],
  ['0.0000000005', '1n'],
  ['0.5e-9', '1e-9'],
  ['0.9n', '1n'],
  ['0.00000012345', '124n'],
  ['0.00000012354', '124n'],
  ['9Ei', '9223372036854775807'],
  ['9223372036854775807Ki', '9223372036854775807'],
  ['12E', '12E'],
  ['100.035Ki', '102435840m'],
  ['0.5Mi', '512Ki'],
  ['0.05Gi', '53687091200m'],
  ['0.025Ti', '27487790694400m'],
  ['.0001k', '100m'],
  ['1.', '1'],
  ['1.G', '1G'],
  ['50k', '50k'],
  ['40T', '40T'],
  ['100.035k', '100035'],
  ['0.0005k', '500m'],
  ['10.035M', '10035k'],
  ['1.2e3', '1200'],
  ['1.3E+6', '1300e3'],
  ['1.53E12', '1530e9'],
  ['1.7E18', '1700e15'],
  ['9.01', '9010m'],
  ['8.1k', '8100'],
  ['7.123456M', '7123456'],
  ['6.987654321G', '6987654321'],
  ['5.444T', '5444G'],
  ['2.5P', '2500T'],
  ['1.01E', '1010P'],
  ['0.5e-2', '5e-3'],
  ['0.5e0', '500e-3'],
  ['1.1Ki', '1126400m'],
  ['0Ki', '0'],
  ['0n', '0'],
  // quantity_golden_test.go (for the fractional-digit class, the canonical form its TODO names)
  ['1', '1'],
  ['-1', '-1'],
  ['1e3', '1e3'],
  ['0.1', '100m'],
  ['0.000000000000001', '1n'],
  ['1.441', '1441m'],
  ['1.000001', '1000001u'],
  ['1.000000001', '1000000001n'],
  ['1.5', '1500m'],
  ['9223372036854775807', '9223372036854775807'],
  ['9223372036854775808', '9223372036854775808'],
  ['18446744073709551616', '18446744073709551616'],
  ['100E', '100E'],
  ['1e100', '10e99'],
  ['8Ei', '9223372036854775807'],
  ['-20Ei', '-9223372036854775807'],
  ['-9.5Gi', '-9728Mi'],
  ['-9.5000000001Gi', '-10200547328107374183n'],
  // quantity_subnano_test.go
  ['1e-2147483647', '1e-9'],
  ['-1e-2147483647', '-1e-9'],
  ['1e-100', '1e-9'],
  ['9e-10', '1e-9'],
  ['-9e-10', '-1e-9'],
  ['15e-10', '2e-9'],
  ['1000000000000000000000e-30', '1e-9'],
  ['1000000000000000000001e-30', '2e-9'],
  ['999999999999999999999e-30', '1e-9'],
  ['0e-2147483647', '0'],
  ['0.0e-100', '0'],
  ['0.00000000000000000000001Ki', '1n'],
  ['-0.0000000000001', '-1n'],
  // the brief's examples, checked against the rules above
  ['1000m', '1'],
  ['1536Mi', '1536Mi'],
  ['0.5Gi', '512Mi'],
  ['1.5Gi', '1536Mi'],
  ['1k', '1k'],
  ['1000', '1k'],
  ['100Mi', '100Mi'],
  ['0.1m', '100u'], // parsing keeps nano precision: no rounding up to 1m
  ['1.2345', '1234500u'], // from ParseQuantity's documentation
];

// input -> the format ParseQuantity records (TestQuantityParse, quantity_subnano_test.go)
const PARSED_FORMAT: ReadonlyArray<readonly [string, QuantityFormat]> = [
  ['0', 'DecimalSI'],
  ['0Ki', 'BinarySI'],
  ['1Ki', 'BinarySI'],
  ['8k', 'DecimalSI'],
  ['1e3', 'DecimalExponent'],
  ['1E-3', 'DecimalExponent'],
  ['1E', 'DecimalSI'],
  ['1.1E-9', 'DecimalExponent'],
  ['0.5e0', 'DecimalExponent'],
  ['9Ei', 'BinarySI'],
  ['100.035Ki', 'BinarySI'],
  ['0.5Mi', 'BinarySI'],
  ['0.000000000001Ki', 'DecimalSI'], // rounds up, changes format
  ['0.00000000000000000000001Ki', 'DecimalSI'],
  ['1e-100', 'DecimalExponent'],
  ['-0.0000000000001', 'DecimalSI'],
];

// ParseQuantity rejects these (TestQuantityParse's invalid list, plus scanner and suffix rules).
const INVALID: ReadonlyArray<string> = [
  '',
  '1.1.M',
  '1+1.0M',
  '0.1mi',
  '0.1am',
  'aoeu',
  '.5i',
  '1i',
  '-3.01i',
  '-3.01e-',
  ' 1',
  '1 ',
  'Non-Numeric',
  'invalid',
  'lots',
  '1.2.3',
  '1Kb',
  '1K',
  '1ki',
  '1e',
  '1E3.5',
  '1e+-3',
  '1Mi3',
  '1m-3',
  '1 Gi',
  '1Gi ',
  '++1',
  '--1',
  '1,5',
  '1_000',
  '0x10',
  'Infinity',
  'NaN',
];

// apimachinery's scanner reads these as zero; the OpenAPI/CRD pattern rejects them, as we do. And
// values we bound: apimachinery accepts these exponents (wrapping one past int32).
const REJECTED_UNLIKE_APIMACHINERY: ReadonlyArray<string> = [
  'k',
  'Ki',
  '.',
  '-',
  '+',
  '-.',
  'e5',
  '1e1000',
  '1e2147483648',
];

describe('parse and format: apimachinery tables', () => {
  test.each(CANONICAL)('%s prints as %s', (input, expected) => {
    expect(Q.format(right(input))).toBe(expected);
  });

  test.each(CANONICAL.filter(([input]) => !input.startsWith('-')))(
    '-%s prints as -%s (or 0)',
    (input, expected) => {
      const printed = Q.format(right(`-${input}`));
      expect(printed).toBe(expected === '0' ? '0' : `-${expected}`);
      expect(Q.format(right(`+${input}`))).toBe(expected);
    },
  );

  test.each(PARSED_FORMAT)('%s parses with format %s', (input, format) => {
    expect(right(input).format).toBe(format);
  });

  test.each(INVALID)('%j does not parse', (input) => {
    expect(Q.parse(input)).toEqual(E.left(expect.any(String)));
    expect(Q.isQuantityString(input)).toBe(false);
  });

  test.each(REJECTED_UNLIKE_APIMACHINERY)('%j is rejected (a documented divergence)', (input) => {
    expect(E.isLeft(Q.parse(input))).toBe(true);
  });

  test('the largest accepted magnitude is just below 1e1000', () => {
    expect(Q.format(right('1e999'))).toBe('1e999');
    expect(Q.format(right('9'.repeat(1000)))).toBe('9'.repeat(1000));
    expect(E.isLeft(Q.parse(`1${'0'.repeat(1000)}`))).toBe(true);
  });

  test('failure messages name the input', () => {
    expect(Q.parse('lots')).toEqual(E.left('expected a quantity such as "500m" or "2", got "lots"'));
    expect(Q.parse('1e1000')).toEqual(
      E.left('quantity "1e1000" is too large: its magnitude must be below 1e1000'),
    );
    expect(Q.parse('1e-99999999999')).toEqual(
      E.left('quantity "1e-99999999999" has an exponent outside the 32-bit range'),
    );
  });

  test('unsafeParse throws on bad input and returns the quantity otherwise', () => {
    expect(() => Q.unsafeParse('lots')).toThrow('got "lots"');
    expect(Q.unsafeParse('2Gi').nanos).toBe(2n * 1024n ** 3n * NANO);
  });

  test('exact values of representative inputs', () => {
    expect(right('1Gi').nanos).toBe(1073741824n * NANO);
    expect(right('500m').nanos).toBe(500_000_000n);
    expect(right('-0.9n').nanos).toBe(-1n);
    expect(right('8Ei').nanos).toBe(MAX_BINARY_NANOS);
    expect(right('-0').nanos).toBe(0n);
  });
});

describe('constructors (TestNewSet, TestMilliNewSet, TestNewScaledSet)', () => {
  test.each<[bigint | number, QuantityFormat, string]>([
    [1, 'DecimalSI', '1m'],
    [1000, 'DecimalSI', '1'],
    [1234000, 'DecimalSI', '1234'],
    [1024, 'BinarySI', '1024m'],
    [1024 * 1024, 'BinarySI', '1048576m'],
    [1441n, 'DecimalSI', '1441m'],
  ])('fromMilli(%s, %s) prints %s', (n, format, expected) => {
    expect(Q.format(Q.fromMilli(n, format))).toBe(expected);
  });

  test.each<[bigint | number, QuantityFormat, string]>([
    [1, 'DecimalSI', '1'],
    [1000, 'DecimalSI', '1k'],
    [1234000, 'DecimalSI', '1234k'],
    [1024, 'BinarySI', '1Ki'],
    [1024 * 1024, 'BinarySI', '1Mi'],
    [1000000, 'DecimalExponent', '1e6'],
    [-9223372036854775808n, 'DecimalSI', '-9223372036854775808'],
  ])('fromInteger(%s, %s) prints %s', (n, format, expected) => {
    expect(Q.format(Q.fromInteger(n, format))).toBe(expected);
  });

  test('fromMilli and fromInteger refuse fractional numbers', () => {
    expect(() => Q.fromMilli(1.5)).toThrow(RangeError);
    expect(() => Q.fromInteger(Number.NaN)).toThrow(RangeError);
  });

  test('a sum past the binary cap prints as 8Ei (TestZeroSubMostNegativeInheritsFormat)', () => {
    expect(Q.format(Q.fromInteger(2n ** 63n, 'BinarySI'))).toBe('8Ei');
    expect(Q.format(Q.fromInteger(2n ** 70n, 'BinarySI'))).toBe('1024Ei');
  });

  test('a whole BinarySI value that is no multiple of 1Ki prints in decimal form', () => {
    expect(Q.format(Q.fromInteger(1025, 'BinarySI'))).toBe('1025'); // TestQuantityString
    expect(Q.format(Q.fromInteger(1536, 'BinarySI'))).toBe('1536');
    // apimachinery prints "10000" here, which it re-reads as DecimalSI and prints as "10k".
    expect(Q.format(Q.fromInteger(10000, 'BinarySI'))).toBe('10k');
    expect(Q.format(right('9.765625Ki'))).toBe('10k');
  });

  test('zero is zero', () => {
    expect(Q.isZero(Q.zero)).toBe(true);
    expect(Q.format(Q.zero)).toBe('0');
  });

  test.prop([fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n })])(
    'fromMilli(n) parses back from its string',
    (n) => {
      const q = Q.fromMilli(n);
      expect(Q.EqExact.equals(right(Q.format(q)), Q.canonicalize(q))).toBe(true);
      expect(Q.toMilliCeil(q)).toBe(n);
    },
  );
});

// -------------------------------------------------------------------------------------
// laws
// -------------------------------------------------------------------------------------

describe('round trips', () => {
  test.prop([arbQuantity])(
    'parse(format(q)) is canonicalize(q): same value, the format its spelling reads as',
    (q) => {
      const back = right(Q.format(q));
      expect(back.nanos).toBe(q.nanos);
      expect(back.format).toBe(Q.canonicalize(q).format);
    },
  );

  test.prop([arbQuantity])('a canonical quantity survives parse(format(q)) exactly', (q) => {
    const c = Q.canonicalize(q);
    expect(Q.EqExact.equals(right(Q.format(c)), c)).toBe(true);
  });

  test.prop([arbQuantity])('format is idempotent on its own output', (q) => {
    const s = Q.format(q);
    expect(Q.format(right(s))).toBe(s);
  });

  test.prop([arbQuantity])('canonicalize keeps the value and the spelling and is idempotent', (q) => {
    const c = Q.canonicalize(q);
    expect(c.nanos).toBe(q.nanos);
    expect(Q.format(c)).toBe(Q.format(q));
    expect(Q.canonicalize(c)).toEqual(c);
  });

  test.prop([arbQuantityString])('every grammatical string parses, and its canonical form is stable', (s) => {
    const q = right(s);
    const printed = Q.format(q);
    const again = right(printed);
    expect(Q.EqExact.equals(again, Q.canonicalize(q))).toBe(true);
    expect(Q.format(again)).toBe(printed);
  });

  test.prop([arbQuantityParts])('parse agrees with an exact rational reference', (p) => {
    expect(right(p.text).nanos).toBe(referenceNanos(p));
  });

  test.prop([arbQuantity])('canonical strings carry no fractional digits and no leading zeros', (q) => {
    expect(Q.format(q)).toMatch(/^(0|-?[1-9][0-9]*([numkMGTPE]|[KMGTPE]i|e-?[0-9]+)?)$/);
  });
});

describe('ordering', () => {
  test.prop([arbQuantity, arbQuantity])('compare follows the sign of the difference', (a, b) => {
    const d = a.nanos - b.nanos;
    expect(Q.compare(a, b)).toBe(d < 0n ? -1 : d > 0n ? 1 : 0);
    expect(Q.compare(b, a) + Q.compare(a, b)).toBe(0);
    expect(Q.Ord.compare(a, b)).toBe(Q.compare(a, b));
  });

  test.prop([arbDecimalParts, arbDecimalParts])('parsing preserves the order of exact values', (pa, pb) => {
    const exact = compareRational(exactValue(pa), exactValue(pb));
    const parsed = Q.compare(right(pa.text), right(pb.text));
    // Rounding away from zero to whole nanos can merge neighbours but never swap them.
    if (exact === 0) expect(parsed).toBe(0);
    else expect(parsed === 0 || parsed === exact).toBe(true);
    if (parsed !== 0) expect(parsed).toBe(exact);
  });

  test.prop([arbQuantity, arbQuantity, arbQuantity])('Ord is transitive', (a, b, c) => {
    if (Q.lte(a, b) && Q.lte(b, c)) expect(Q.lte(a, c)).toBe(true);
  });

  test.prop([arbQuantity, arbQuantity])('min, max, lt, lte agree with compare', (a, b) => {
    const c = Q.compare(a, b);
    expect(Q.lt(a, b)).toBe(c < 0);
    expect(Q.lte(a, b)).toBe(c <= 0);
    expect(Q.gt(a, b)).toBe(c > 0);
    expect(Q.gte(a, b)).toBe(c >= 0);
    expect(Q.min(a, b)).toBe(c <= 0 ? a : b);
    expect(Q.max(a, b)).toBe(c >= 0 ? a : b);
  });

  test.prop([arbQuantity])('Eq ignores format, EqExact does not', (q) => {
    const other: QuantityFormat = q.format === 'BinarySI' ? 'DecimalSI' : 'BinarySI';
    expect(Q.Eq.equals(q, Q.fromNanos(q.nanos, other))).toBe(true);
    expect(Q.EqExact.equals(q, Q.fromNanos(q.nanos, other))).toBe(false);
    expect(Q.EqExact.equals(q, Q.fromNanos(q.nanos, q.format))).toBe(true);
  });

  test.each<[string, string, number]>([
    // TestQuantityCmp
    ['0', '0', 0],
    ['100m', '50m', 1],
    ['50m', '100m', -1],
    ['10000T', '100Gi', 1],
    ['1Gi', '1073741824', 0],
    ['1G', '1Gi', -1],
    ['-1n', '0', -1],
  ])('compare(%s, %s) = %i', (a, b, expected) => {
    expect(Q.compare(right(a), right(b))).toBe(expected);
  });
});

describe('arithmetic', () => {
  test.prop([arbQuantity, arbQuantity])('add commutes in value and sub undoes it', (a, b) => {
    expect(Q.Eq.equals(Q.add(a, b), Q.add(b, a))).toBe(true);
    expect(Q.Eq.equals(Q.sub(Q.add(a, b), b), a)).toBe(true);
    expect(Q.add(a, Q.negate(a)).nanos).toBe(0n);
  });

  test.prop([arbQuantity, arbQuantity, arbQuantity])('MonoidSum is associative up to Eq', (a, b, c) => {
    const { concat } = Q.MonoidSum;
    expect(Q.Eq.equals(concat(concat(a, b), c), concat(a, concat(b, c)))).toBe(true);
    expect(Q.Eq.equals(concat(a, Q.MonoidSum.empty), a)).toBe(true);
    expect(Q.sum([a, b, c]).nanos).toBe(a.nanos + b.nanos + c.nanos);
  });

  test.prop([arbQuantity])('sign and isZero follow the value', (q) => {
    expect(Q.sign(q)).toBe(q.nanos < 0n ? -1 : q.nanos > 0n ? 1 : 0);
    expect(Q.isZero(q)).toBe(q.nanos === 0n);
    expect(Q.sign(Q.negate(q))).toBe(-Q.sign(q) || 0);
  });

  // TestAdd, TestSub, TestQuantityAddZeroPreservesSuffix
  test.each<[string, QuantityFormat, string, QuantityFormat, string, QuantityFormat]>([
    ['10', 'DecimalSI', '1', 'BinarySI', '11', 'DecimalSI'],
    ['10', 'BinarySI', '1', 'DecimalSI', '11', 'BinarySI'],
    ['0', 'DecimalSI', '50', 'BinarySI', '50', 'BinarySI'],
    ['100m', 'DecimalSI', '0', 'DecimalSI', '100m', 'DecimalSI'],
    ['0', 'DecimalSI', '1Gi', 'BinarySI', '1Gi', 'BinarySI'],
  ])('add(%s %s, %s %s) = %s %s', (a, af, b, bf, expected, ef) => {
    const result = Q.add(Q.fromNanos(right(a).nanos, af), Q.fromNanos(right(b).nanos, bf));
    expect(Q.format(result)).toBe(expected);
    expect(result.format).toBe(ef);
  });

  test.each<[string, string, string]>([
    ['10', '1', '9'],
    ['0', '50', '-50'],
    ['50', '0', '50'],
    ['100m', '0', '100m'],
    ['1Gi', '512Mi', '512Mi'],
  ])('sub(%s, %s) = %s', (a, b, expected) => {
    expect(Q.format(Q.sub(right(a), right(b)))).toBe(expected);
  });
});

describe('conversions', () => {
  test.prop([arbQuantity])('toMilliCeil is the ceiling of value * 1000', (q) => {
    const m = Q.toMilliCeil(q);
    expect(m * 1_000_000n >= q.nanos).toBe(true);
    expect((m - 1n) * 1_000_000n < q.nanos).toBe(true);
  });

  test.prop([arbQuantity])('toIntegerCeil is the ceiling of the value', (q) => {
    const v = Q.toIntegerCeil(q);
    expect(v * NANO >= q.nanos).toBe(true);
    expect((v - 1n) * NANO < q.nanos).toBe(true);
  });

  test.each<[string, bigint, bigint]>([
    ['100m', 100n, 1n],
    ['1', 1000n, 1n],
    ['1.5', 1500n, 2n],
    ['0.1m', 1n, 1n],
    ['1n', 1n, 1n],
    ['-1n', 0n, 0n],
    ['-1.5', -1500n, -1n],
    ['1Ki', 1024000n, 1024n],
  ])('%s: toMilliCeil %s, toIntegerCeil %s', (s, milli, integer) => {
    expect(Q.toMilliCeil(right(s))).toBe(milli);
    expect(Q.toIntegerCeil(right(s))).toBe(integer);
  });

  // TestStringQuantityAsApproximateFloat64 and the large-value rows of TestQuantityAsApproximateFloat64
  test.each<[string, number]>([
    ['2Ki', 2048],
    ['1.1Ki', 1126.4],
    ['1Mi', 1.048576e6],
    ['2Gi', 2.147483648e9],
    ['12E', 1.2e19],
    ['9223372036854775807', 2 ** 63], // the nearest double
    ['-1500m', -1.5],
    ['1n', 1e-9],
    ['0', 0],
    ['12e500', Infinity],
    ['-12e500', -Infinity],
  ])('toNumber(%s) = %d', (s, n) => {
    expect(Q.toNumber(right(s))).toBe(n);
  });

  test.prop([fc.integer({ min: -(2 ** 40), max: 2 ** 40 })])('toNumber is exact-then-rounded', (n) => {
    expect(Q.toNumber(Q.fromMilli(n))).toBe(n / 1000);
  });

  test.prop([fc.double({ noNaN: true, noDefaultInfinity: true })])(
    'fromNumber reads a double as its shortest spelling',
    (n) => {
      const q = Q.fromNumber(n);
      expect(q).toEqual(Q.parse(String(n)));
      // Every finite double is in range; it keeps its value up to the nano it rounds to.
      expect(E.isRight(q)).toBe(true);
      if (E.isRight(q)) {
        const back = Q.toNumber(q.right);
        if (Number.isSafeInteger(n))
          expect(back === n).toBe(true); // -0 reads as 0
        else expect(Math.abs(back - n)).toBeLessThanOrEqual(1e-9 + Math.abs(n) * 2 ** -52);
      }
    },
  );
});

describe('totality', () => {
  test.prop([fc.string()])('parse never throws on text', (s) => {
    const r = Q.parse(s);
    expect(E.isLeft(r) || E.isRight(r)).toBe(true);
    expect(Q.isQuantityString(s)).toBe(E.isRight(r));
  });

  test.prop([fc.string({ unit: fc.constantFrom(...'0123456789.+-eEinumkKMGTP '.split('')) })])(
    'parse never throws on quantity-alphabet soup',
    (s) => {
      const r = Q.parse(s);
      if (E.isRight(r)) expect(Q.format(right(Q.format(r.right)))).toBe(Q.format(r.right));
      else expect(r.left.length).toBeGreaterThan(0);
    },
  );

  test.prop([fc.anything()])('parse never throws on stringified values', (u) => {
    expect(() => Q.parse(fc.stringify(u))).not.toThrow();
  });

  test.prop([fc.anything()])('the codec never throws', (u) => {
    expect(() => Q.QuantityFromString.decode(u)).not.toThrow();
    expect(typeof Q.QuantityFromString.is(u)).toBe('boolean');
  });
});

describe('QuantityFromString codec', () => {
  const decode = (u: unknown) => Q.QuantityFromString.decode(u);

  test.prop([arbQuantity])('decodes its own encoding to the canonical quantity', (q) => {
    const encoded = Q.QuantityFromString.encode(q);
    expect(encoded).toBe(Q.format(q));
    const decoded = decode(encoded);
    expect(E.isRight(decoded) && Q.EqExact.equals(decoded.right, Q.canonicalize(q))).toBe(true);
    expect(Q.QuantityFromString.is(q)).toBe(true);
  });

  test.each<[unknown, string]>([
    ['500m', '500m'],
    ['1.5Gi', '1536Mi'],
    [2, '2'],
    [0.5, '500m'],
    [1e3, '1k'],
    [-0, '0'],
    [1e21, '1e21'],
  ])('decodes %j as %s', (u, expected) => {
    const d = decode(u);
    expect(E.isRight(d) && Q.format(d.right)).toBe(expected);
  });

  test.each<[string, unknown]>([
    ['a word', 'lots'],
    ['leading space', ' 1'],
    ['empty string', ''],
    ['boolean', true],
    ['null', null],
    ['undefined', undefined],
    ['object', {}],
    ['array', []],
    ['NaN', Number.NaN],
    ['Infinity', Infinity],
    ['bigint', 10n],
  ])('rejects %s with the user-facing message', (_, u) => {
    const d = decode(u);
    expect(E.isLeft(d)).toBe(true);
    if (E.isLeft(d)) {
      expect(d.left).toHaveLength(1);
      expect(d.left[0]?.message).toBe('expected a quantity such as "500m" or "2"');
      expect(d.left[0]?.value).toBe(u);
    }
  });

  test.each<[string, unknown]>([
    ['a number of nanos', { nanos: 1, format: 'DecimalSI' }],
    ['an unknown format', { nanos: 1n, format: 'Decimal' }],
    ['a missing format', { nanos: 1n }],
    ['a string', '1'],
    ['null', null],
  ])('is() rejects %s', (_, u) => {
    expect(Q.QuantityFromString.is(u)).toBe(false);
  });
});
