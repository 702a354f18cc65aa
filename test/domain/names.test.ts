// Laws and decision tables for Kubernetes naming: validators, FNV/base32, Flyte-compatible sanitizers, object names.
import { describe, expect, it } from 'vitest';
import { test, fc } from '@fast-check/vitest';
import * as E from 'fp-ts/lib/Either.js';
import {
  camelToKebab,
  dns1123LabelError,
  dns1123SubdomainError,
  envVarNameError,
  flyteBase32,
  flyteFixedLengthUniqueId,
  flyteHashId,
  fnv1a32,
  fnv1a64,
  fnv1a64Hex,
  isDns1123Label,
  isDns1123Subdomain,
  isEnvVarName,
  isLabelValue,
  isQualifiedName,
  labelValueError,
  objectName,
  objectNameHash,
  qualifiedNameError,
  sanitizeLabelValue,
  toDns1123Subdomain,
  utf8Bytes,
} from '../../src/domain/names.js';

// ---------------------------------------------------------------------------------------------------------------------
// Straightforward references, written independently of the module (BigInt loops, bit strings, char loops).

const encoder = new TextEncoder();
const refUtf8 = (s: string): Uint8Array => encoder.encode(s);

const refFnv = (bytes: Uint8Array, bits: 32 | 64): bigint => {
  const [offset, prime] = bits === 32 ? [0x811c9dc5n, 0x01000193n] : [0xcbf29ce484222325n, 0x100000001b3n];
  const modulus = 1n << BigInt(bits);
  let h = offset;
  for (const b of bytes) h = ((h ^ BigInt(b)) * prime) % modulus;
  return h;
};

const refBigEndian = (n: bigint, bytes: number): Uint8Array =>
  Uint8Array.from({ length: bytes }, (_, i) => Number((n >> BigInt(8 * (bytes - 1 - i))) & 0xffn));

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz123456';
const refBase32 = (bytes: Uint8Array): string => {
  const bitString = Array.from(bytes, (b) => b.toString(2).padStart(8, '0')).join('');
  const padded = bitString.padEnd(Math.ceil(bitString.length / 5) * 5, '0');
  let out = '';
  for (let i = 0; i < padded.length; i += 5) out += ALPHABET.charAt(parseInt(padded.slice(i, i + 5), 2));
  return out;
};

const refHashId = (s: string, bits: 32 | 64 = 32): string =>
  'f' + refBase32(refBigEndian(refFnv(refUtf8(s), bits), bits / 8));

// The documented objectName hash input: "<byte length>:<bytes>" per part (well-formed strings only).
const refObjectHash = (parts: ReadonlyArray<string>): string => {
  const chunks = parts.flatMap((p) => {
    const bytes = refUtf8(p);
    return [...refUtf8(`${bytes.length}:`), ...bytes];
  });
  return refBase32(refBigEndian(refFnv(Uint8Array.from(chunks), 64), 8));
};

const isLowerOrDigit = (c: string): boolean => /^[a-z0-9]$/.test(c);
const refLabelOk = (l: string): boolean =>
  l !== '' && isLowerOrDigit(l[0]!) && isLowerOrDigit(l[l.length - 1]!) && /^[-a-z0-9]*$/.test(l);
const refSubdomain = (s: string): boolean => s.length <= 253 && s.split('.').every(refLabelOk);

// Flyte's ConvertToDNS1123SubdomainCompatibleString, step by step.
const refFlyteConvert = (name: string): string => {
  if (refSubdomain(name)) return name;
  let kebab = '';
  for (let i = 0; i < name.length; i++) {
    const c = name[i]!;
    kebab += i > 0 && isLowerOrDigit(name[i - 1]!) && /^[A-Z]$/.test(c) ? `-${c}` : c;
  }
  let kept = '';
  for (const c of kebab.toLowerCase()) if (/^[-.a-z0-9]$/.test(c)) kept += c;
  let start = 0;
  let end = kept.length;
  while (start < end && (kept[start] === '.' || kept[start] === '-')) start++;
  while (end > start && (kept[end - 1] === '.' || kept[end - 1] === '-')) end--;
  const trimmed = kept.slice(start, end);
  return trimmed.length > 253 ? `${trimmed.slice(0, 222)}-${refHashId(trimmed)}` : trimmed;
};

// Flyte's SanitizeLabelValue, char by char.
const refSanitize = (v: string): string => {
  if (v === '') return '';
  let out = '';
  for (const c of v) out += /^[a-zA-Z0-9._-]$/.test(c) ? c : '-';
  out = out.slice(0, 63);
  const alnum = (c: string): boolean => /^[a-zA-Z0-9]$/.test(c);
  if (!alnum(out[0]!)) out = 'x' + out.slice(1);
  if (!alnum(out[out.length - 1]!)) out = out.slice(0, -1) + 'x';
  return out;
};

const effectiveMax = (m: number | undefined): number =>
  m === undefined ? 63 : Math.min(253, Math.max(16, m));

// ---------------------------------------------------------------------------------------------------------------------
// Arbitraries: boundary characters, any code point, lone surrogates; short, label-like and very long text.

const boundaryChar = fc.constantFrom(
  'a',
  'z',
  '0',
  '9',
  '-',
  '.',
  '_',
  'A',
  'Z',
  ' ',
  '/',
  '=',
  '~',
  'é',
  '😀',
);
const anyCodePoint = fc.string({ unit: 'binary', minLength: 1, maxLength: 1 });
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
const anyUnit = fc.oneof(boundaryChar, anyCodePoint, loneSurrogate);
const wellFormedUnit = fc.oneof(boundaryChar, anyCodePoint);

const anyText = fc.oneof(
  fc.string({ unit: anyUnit, maxLength: 40 }),
  fc.string({ unit: anyUnit, minLength: 200, maxLength: 400 }),
);
const labelish = fc.string({ unit: fc.constantFrom('a', 'b', 'z', '0', '1', '9', '-'), maxLength: 30 });
const part = fc.oneof(
  labelish,
  anyText,
  fc.constant(''),
  fc.string({ unit: 'grapheme-ascii', maxLength: 80 }),
);
const parts = fc.array(part, { maxLength: 5 });
const wellFormedParts = fc.array(fc.oneof(labelish, fc.string({ unit: wellFormedUnit, maxLength: 120 })), {
  maxLength: 5,
});
const maxLength = fc.oneof(fc.constant(undefined), fc.integer({ min: -5, max: 300 }));
const smallAlphabetText = fc.string({
  unit: fc.constantFrom('a', 'Z', '0', '-', '.', '_', '/'),
  maxLength: 12,
});

// ---------------------------------------------------------------------------------------------------------------------

describe('validators (apimachinery rules)', () => {
  const a = (n: number): string => 'a'.repeat(n);

  const tables: ReadonlyArray<{
    name: string;
    is: (s: string) => boolean;
    error: (s: string) => string | undefined;
    valid: ReadonlyArray<string>;
    invalid: ReadonlyArray<string>;
  }> = [
    {
      name: 'isDns1123Label',
      is: isDns1123Label,
      error: dns1123LabelError,
      valid: [
        'a',
        'ab',
        'abc',
        'a1',
        'a-1',
        'a--1--2--b',
        '0',
        '01',
        '012',
        '1a',
        '1-a',
        '1--a--b--2',
        a(63),
        'my-name',
        '123-abc',
        'rabc123-train-1',
      ],
      invalid: [
        '',
        'A',
        'ABC',
        'aBc',
        'A1',
        'a-',
        '-a',
        '-',
        '_',
        'a_b',
        '.',
        'a.b',
        '1.2',
        ' ',
        'a b',
        a(64),
        'é',
        'a\n',
      ],
    },
    {
      name: 'isDns1123Subdomain',
      is: isDns1123Subdomain,
      error: dns1123SubdomainError,
      valid: [
        'a',
        'ab',
        'a-1',
        '0',
        '1--a--b--2',
        'a.a',
        'ab.1',
        'a--1--2--b.a',
        '0.1',
        '1-a.1',
        'a.b.c.d.e',
        '1.2.3.4.5',
        '11.22.33.44.55',
        a(253),
        `${a(100)}.${a(152)}`,
        'example.com',
      ],
      invalid: [
        '',
        'A',
        'aBc',
        '-',
        'a-',
        '-a',
        '_',
        'a_b',
        '.',
        'a.',
        '.a',
        'a..b',
        'a b',
        'A.a',
        'ab.A',
        'a.B.c.d.e',
        'a@b',
        'a:b',
        'a-.b',
        'a.-b',
        a(254),
      ],
    },
    {
      name: 'isLabelValue',
      is: isLabelValue,
      error: labelValueError,
      valid: [
        '',
        'simple',
        'now-with-dashes',
        '1-starts-with-num',
        'end-with-num-1',
        '1234',
        a(63),
        'MyValue',
        'my_value',
        'a.b',
        'A',
        '0',
        'a__b',
        'a..b',
        'Uppercase_Is_OK_123',
        'x-._y',
      ],
      invalid: [
        'nospecialchars%^=@',
        'Tama-nui-te-rā.is.Māori.sun',
        '\\backslashes\\are\\bad',
        '-starts-with-dash',
        'ends-with-dash-',
        '.starts.with.dot',
        'ends.with.dot.',
        a(64),
        '_',
        '-',
        '.',
        'a b',
        'a/b',
        'a:b',
        'a\n',
        '😀',
      ],
    },
    {
      name: 'isQualifiedName',
      is: isQualifiedName,
      error: qualifiedNameError,
      valid: [
        'simple',
        'now-with-dashes',
        '1-starts-with-num',
        '1234',
        'simple/simple',
        'now-with-dashes/simple',
        'now.with.dots/simple',
        '1-num.2-num/3-num',
        '1234/5678',
        '1.2.3.4/5678',
        'Uppercase_Is_OK_123',
        'example.com/Uppercase_Is_OK_123',
        'requests.storage-foo',
        a(63),
        `${a(253)}/${'b'.repeat(63)}`,
        'flyte.org/managed',
      ],
      invalid: [
        '',
        'nospecialchars%^=@',
        'cantendwithadash-',
        '-cantstartwithadash-',
        'only/one/slash',
        'Example.com/abc',
        'example_com/abc',
        'example.com/',
        '/simple',
        '/',
        a(64),
        `${a(254)}/abc`,
        `example.com/${a(64)}`,
        'a..b/c',
        'a b',
        '-a/b',
      ],
    },
    {
      name: 'isEnvVarName',
      is: isEnvVarName,
      error: envVarNameError,
      valid: [
        '-',
        ':',
        '_',
        '+a',
        '>a',
        '<a',
        'a.',
        'a..',
        '*a',
        '%a',
        '?a',
        'a:a',
        'a_a',
        'aAz',
        '~a',
        '|a',
        '0a',
        '0 a',
        'a ',
        ' ',
        '.',
        'ACTION_NAME',
      ],
      invalid: [
        '',
        '=',
        'a=',
        '1=a',
        'a=b',
        '#%=&&',
        '\u0001abc',
        '\u0082abc',
        'Ç ç',
        'Ä ä',
        'Ñ ñ',
        'Ø ø',
        'a\tb',
        'a\nb',
        '\u007f',
        'é',
        '😀',
      ],
    },
  ];

  describe.each(tables)('$name', ({ is, error, valid, invalid }) => {
    it('table has at least 15 cases each way', () => {
      expect(valid.length).toBeGreaterThanOrEqual(15);
      expect(invalid.length).toBeGreaterThanOrEqual(15);
    });
    it.each(valid.map((s) => [s]))('accepts %j', (s) => {
      expect(is(s)).toBe(true);
      expect(error(s)).toBeUndefined();
    });
    it.each(invalid.map((s) => [s]))('rejects %j with a message', (s) => {
      expect(is(s)).toBe(false);
      expect(error(s)).toMatch(/\S/);
    });
  });

  it('a label with dots is reported as such', () => {
    expect(dns1123LabelError('a.b')).toBe('must not contain dots');
  });

  test.prop([smallAlphabetText])('a subdomain is dot-separated labels, 253 characters at most', (s) => {
    expect(isDns1123Subdomain(s)).toBe(refSubdomain(s));
  });

  test.prop([fc.string({ unit: fc.constantFrom('a', '0', '-', '.'), minLength: 250, maxLength: 256 })])(
    'the subdomain length limit is exactly 253',
    (s) => {
      expect(isDns1123Subdomain(s)).toBe(refSubdomain(s));
    },
  );

  test.prop([fc.oneof(smallAlphabetText, anyText)])(
    'every label is a subdomain, a label value and a qualified name',
    (s) => {
      fc.pre(isDns1123Label(s));
      expect(isDns1123Subdomain(s)).toBe(true);
      expect(isLabelValue(s)).toBe(true);
      expect(isQualifiedName(s)).toBe(true);
      expect(s.length).toBeLessThanOrEqual(63);
    },
  );

  test.prop([smallAlphabetText.map((s) => s.replaceAll('/', ''))])(
    'without a slash, a label value is "" or a qualified name',
    (s) => {
      expect(isLabelValue(s)).toBe(s === '' || isQualifiedName(s));
    },
  );

  test.prop([
    smallAlphabetText.map((s) => s.replaceAll('/', '')),
    smallAlphabetText.map((s) => s.replaceAll('/', '')),
  ])('a prefixed qualified name is a subdomain, "/", and an unprefixed one', (prefix, name) => {
    expect(isQualifiedName(`${prefix}/${name}`)).toBe(
      prefix !== '' && isDns1123Subdomain(prefix) && isQualifiedName(name),
    );
  });

  test.prop([fc.oneof(anyText, fc.string({ unit: 'binary-ascii', maxLength: 20 }))])(
    'an env var name is non-empty printable ASCII without "="',
    (s) => {
      expect(isEnvVarName(s)).toBe(/^[\x20-\x3c\x3e-\x7e]+$/.test(s));
    },
  );

  it('megabyte inputs are rejected without pattern matching', () => {
    const huge = 'a-'.repeat(500_000);
    expect(isDns1123Label(huge)).toBe(false);
    expect(isDns1123Subdomain(huge)).toBe(false);
    expect(isLabelValue(huge)).toBe(false);
    expect(isQualifiedName(huge)).toBe(false);
  });
});

describe('FNV-1a and Flyte base32', () => {
  it.each([
    ['', 0x811c9dc5],
    ['a', 0xe40c292c],
    ['foobar', 0xbf9cf968],
  ])('fnv1a32(%j) is the published vector', (s, h) => {
    expect(fnv1a32(s)).toBe(h);
  });

  it.each([
    ['', 0xcbf29ce484222325n],
    ['a', 0xaf63dc4c8601ec8cn],
    ['foobar', 0x85944171f73967e8n],
  ])('fnv1a64(%j) is the published vector', (s, h) => {
    expect(fnv1a64(s)).toBe(h);
  });

  test.prop([anyText])('hashes the UTF-8 bytes, lone surrogates as U+FFFD like TextEncoder', (s) => {
    expect(Array.from(utf8Bytes(s))).toEqual(Array.from(refUtf8(s)));
    expect(BigInt(fnv1a32(s))).toBe(refFnv(refUtf8(s), 32));
    expect(fnv1a64(s)).toBe(refFnv(refUtf8(s), 64));
  });

  test.prop([fc.string({ unit: 'binary-ascii' }), anyText])(
    'an ASCII prefix followed by anything encodes as TextEncoder does (the ASCII fast path hands over mid-string)',
    (ascii, rest) => {
      expect(Array.from(utf8Bytes(ascii + rest))).toEqual(Array.from(refUtf8(ascii + rest)));
    },
  );

  test.prop([anyText])('fnv1a64Hex is fnv1a64 in 16 hex digits', (s) => {
    expect(fnv1a64Hex(s)).toBe(fnv1a64(s).toString(16).padStart(16, '0'));
    expect(fnv1a64Hex(s)).toMatch(/^[0-9a-f]{16}$/);
  });

  it('a multi-byte string hashes differently from its code units', () => {
    expect(fnv1a32('é')).toBe(Number(refFnv(Uint8Array.of(0xc3, 0xa9), 32)));
    expect(fnv1a32('😀')).toBe(Number(refFnv(Uint8Array.of(0xf0, 0x9f, 0x98, 0x80), 32)));
  });

  // RFC 4648 vectors with each standard-alphabet letter mapped to the same index in Flyte's alphabet.
  it.each([
    ['', ''],
    ['f', 'my'],
    ['fo', 'mzxq'],
    ['foo', 'mzxw5'],
    ['foob', 'mzxw5yq'],
    ['fooba', 'mzxw5ytb'],
    ['foobar', 'mzxw5ytboi'],
  ])('flyteBase32(%j) = %j', (s, expected) => {
    expect(flyteBase32(refUtf8(s))).toBe(expected);
  });

  test.prop([fc.uint8Array({ maxLength: 40 })])('flyteBase32 is RFC 4648 bit order, unpadded', (bytes) => {
    const out = flyteBase32(bytes);
    expect(out).toBe(refBase32(bytes));
    expect(out).toHaveLength(Math.ceil((bytes.length * 8) / 5));
    expect(out).toMatch(/^[a-z1-6]*$/);
  });
});

describe('flyteFixedLengthUniqueId', () => {
  // Vectors from Flyte's own encoder tests (parts joined with "-" as FixedLengthUniqueIDForParts does).
  const xyzmn = ['x', 'y', 'z', 'm', 'n', 'y', 'z', 'm', 'n', 'y', 'z', 'm', 'n'].join('-');
  it.each([
    ['x', 5, 32, E.right('x')],
    ['xxxxx', 10, 32, E.right('xxxxx')],
    ['x'.repeat(24), 20, 32, E.right('fuaa3aji')],
    ['x', 2, 32, E.right('x')],
    ['x-y-z', 10, 32, E.right('x-y-z')],
    [xyzmn, 15, 32, E.right('fe63sz6y')],
    [xyzmn, 15, 64, E.right('fwp4bky2kucex5')],
  ] as const)('(%j, %d, fnv%d) = %j', (id, max, bits, expected) => {
    expect(flyteFixedLengthUniqueId(id, max, bits)).toEqual(expected);
  });

  it.each([
    ['xx', 1, 'flfryc2i'],
    ['xxxxxx', 5, 'fufiti6i'],
    ['x-y', 1, 'fz2jizji'],
    ['x-y-z', 4, 'fxzsoqrq'],
  ])('(%j, %d) is Left; Flyte would have hashed it to %j', (id, max, hash) => {
    expect(E.isLeft(flyteFixedLengthUniqueId(id, max))).toBe(true);
    expect(flyteHashId(id)).toBe(hash);
  });

  it('lengths are counted in UTF-8 bytes, as Go does', () => {
    expect(flyteFixedLengthUniqueId('éé', 4)).toEqual(E.right('éé'));
    expect(flyteFixedLengthUniqueId('ééé', 5)).toEqual(E.left(expect.any(String)));
    expect(flyteFixedLengthUniqueId('ééééé', 9)).toEqual(E.right(refHashId('ééééé')));
  });

  it('the 64-bit form needs 14 characters', () => {
    expect(flyteFixedLengthUniqueId('x'.repeat(20), 13, 64)).toEqual(E.left(expect.any(String)));
    expect(flyteFixedLengthUniqueId('x'.repeat(20), 14, 64)).toEqual(E.right(refHashId('x'.repeat(20), 64)));
  });

  test.prop([anyText, fc.integer({ min: 0, max: 300 }), fc.constantFrom(32 as const, 64 as const)])(
    'the id when it fits, else the hashed id, Left only when even that does not fit',
    (id, max, bits) => {
      const bytes = refUtf8(id).length;
      const hashed = refHashId(id, bits);
      const expected =
        bytes <= max ? E.right(id) : hashed.length <= max ? E.right(hashed) : E.left(expect.any(String));
      expect(flyteFixedLengthUniqueId(id, max, bits)).toEqual(expected);
    },
  );
});

describe('toDns1123Subdomain', () => {
  const digits = '0123456789'.repeat(28);
  it.each([
    // Flyte's own conversion table.
    ['orgflyteexamplesHelloWorldTask-0', 'orgflyteexamples-hello-world-task-0'],
    ['t7vyqhzju1-fib-5-0', 't7vyqhzju1-fib-5-0'],
    ['t7v.yqh.zju1-fib-5-0', 't7v.yqh.zju1-fib-5-0'],
    ['-t7vyqhzju1-fib-5-0', 't7vyqhzju1-fib-5-0'],
    ['.t7vyqhzju1-fib-5-0', 't7vyqhzju1-fib-5-0'],
    ['t7vyqhzju1-fib-5-0-', 't7vyqhzju1-fib-5-0'],
    ['t7vyqhzju1-fib-5-0.', 't7vyqhzju1-fib-5-0'],
    [digits.slice(0, 70), digits.slice(0, 70)],
    [digits, `${digits.slice(0, 222)}-fbbrvh4i`],
    ['---..t7vyqhzjJcI==u1-HelloWorldTask[].-.-.', 't7vyqhzj-jc-iu1-hello-world-task'],
    // Further cases worked by hand.
    ['My_Pod Name', 'mypodname'],
    ['HTTPServer', 'httpserver'],
    ['myHTTPServer', 'my-httpserver'],
    ['v1Beta', 'v1-beta'],
    ['ÄpfelKuchen', 'pfel-kuchen'],
    ['\u212Aube', 'kube'], // KELVIN SIGN lower-cases to ASCII 'k' in Go and JS alike
    ['a'.repeat(300), `${'a'.repeat(222)}-${refHashId('a'.repeat(300))}`],
  ])('%j -> %j (same as Flyte)', (input, expected) => {
    expect(toDns1123Subdomain(input)).toBe(expected);
    expect(refFlyteConvert(input)).toBe(expected);
  });

  it.each([
    ['a-.b', 'a-.b', 'a.b'],
    ['a..b', 'a..b', 'a.b'],
    ['Foo.-Bar', 'foo.-bar', 'foo.bar'],
    ['x.--.y', 'x.--.y', 'x.y'],
    ['', '', refHashId('')],
    ['_!_', '', refHashId('_!_')],
    ['ÄÖÜ', '', refHashId('ÄÖÜ')],
    [
      `${'a'.repeat(221)}.${'b'.repeat(100)}`,
      `${'a'.repeat(221)}.-${refHashId(`${'a'.repeat(221)}.${'b'.repeat(100)}`)}`,
      `${'a'.repeat(221)}.${refHashId(`${'a'.repeat(221)}.${'b'.repeat(100)}`)}`,
    ],
  ])('%j: Flyte gives the invalid %j, this repairs it to %j', (input, flyte, expected) => {
    expect(refFlyteConvert(input)).toBe(flyte);
    expect(isDns1123Subdomain(flyte)).toBe(false);
    expect(toDns1123Subdomain(input)).toBe(expected);
  });

  const subdomainish = fc.oneof(
    anyText,
    fc.string({ unit: fc.constantFrom('a', 'B', '0', '-', '.', '_', 'é'), maxLength: 30 }),
    fc.string({ unit: fc.constantFrom('a', 'B', '-', '.'), minLength: 240, maxLength: 320 }),
  );

  test.prop([subdomainish])('always a valid subdomain', (s) => {
    expect(isDns1123Subdomain(toDns1123Subdomain(s))).toBe(true);
  });

  test.prop([subdomainish])("equals Flyte's output whenever Flyte's is valid", (s) => {
    const flyte = refFlyteConvert(s);
    fc.pre(isDns1123Subdomain(flyte));
    expect(toDns1123Subdomain(s)).toBe(flyte);
  });

  test.prop([subdomainish])('idempotent, and identity on valid subdomains', (s) => {
    const once = toDns1123Subdomain(s);
    expect(toDns1123Subdomain(once)).toBe(once);
    if (isDns1123Subdomain(s)) expect(once).toBe(s);
  });

  it('camelToKebab hyphenates only a lower-case letter or digit followed by a capital', () => {
    expect(camelToKebab('orgflyteexamplesHelloWorldTask')).toBe('orgflyteexamples-hello-world-task');
    expect(camelToKebab('aBCd-E')).toBe('a-bcd-e');
  });
});

describe('sanitizeLabelValue', () => {
  it.each([
    // Flyte's own table.
    ['', ''],
    ['my-run.name_1', 'my-run.name_1'],
    ['my_module.my task/v2', 'my_module.my-task-v2'],
    ['-leading', 'xleading'],
    ['trailing-', 'trailingx'],
    ['täsk', 't-sk'],
    ['a'.repeat(70), 'a'.repeat(63)],
    ['a'.repeat(62) + '-b', 'a'.repeat(62) + 'x'],
    // Further cases worked by hand.
    ['run😀1', 'run-1'],
    ['_', 'x'],
    ['-', 'x'],
    ['--', 'xx'],
    ['Hello World!', 'Hello-Worldx'],
    ['a'.repeat(62) + 'é', 'a'.repeat(62) + 'x'],
    ['\ud800a', 'xa'],
    ['MixedCase_OK', 'MixedCase_OK'],
  ])('%j -> %j', (input, expected) => {
    expect(sanitizeLabelValue(input)).toBe(expected);
  });

  test.prop([anyText])(
    "same as Flyte's, and always a valid label value that is empty only for empty input",
    (s) => {
      const out = sanitizeLabelValue(s);
      expect(out).toBe(refSanitize(s));
      expect(isLabelValue(out)).toBe(true);
      expect(out === '').toBe(s === '');
    },
  );

  test.prop([fc.string({ unit: fc.constantFrom('a', 'Z', '0', '-', '.', '_'), maxLength: 70 })])(
    'identity on valid label values',
    (s) => {
      fc.pre(isLabelValue(s));
      expect(sanitizeLabelValue(s)).toBe(s);
    },
  );
});

describe('objectName', () => {
  it.each([
    [['rabc123', 'train', '1'], undefined, 'rabc123-train-1'],
    [['run', 'action', '0'], undefined, 'run-action-0'],
    [['a', 'b-c'], undefined, 'a-b-c'],
    [['a-b', 'c'], undefined, 'a-b-c'],
    [['my.service', 'v1'], 100, 'my.service-v1'],
    [['HelloWorldTask'], undefined, `hello-world-task-${refObjectHash(['HelloWorldTask'])}`],
    [['r'.repeat(70)], undefined, `${'r'.repeat(49)}-${refObjectHash(['r'.repeat(70)])}`],
    [['My.Service'], undefined, `my-service-${refObjectHash(['My.Service'])}`],
    [['My.Service'], 100, `my.service-${refObjectHash(['My.Service'])}`],
    [['my.service', 'v1'], 63, `my-service-v1-${refObjectHash(['my.service', 'v1'])}`],
    [['abcdefghijklmnopqrstuvwxyz'], 5, `ab-${refObjectHash(['abcdefghijklmnopqrstuvwxyz'])}`],
    [['x'.repeat(300)], 1000, `${'x'.repeat(239)}-${refObjectHash(['x'.repeat(300)])}`],
    [['x'.repeat(100)], Number.NaN, `${'x'.repeat(49)}-${refObjectHash(['x'.repeat(100)])}`],
    [[], undefined, refObjectHash([])],
    [[''], undefined, refObjectHash([''])],
    [['--', '__'], undefined, refObjectHash(['--', '__'])],
    [['Run_1'], undefined, `run-1-${refObjectHash(['Run_1'])}`],
  ] as const)('%j (max %s) -> %j', (input, max, expected) => {
    expect(objectName(input, max)).toBe(expected);
  });

  it('parts joining alike collide only while the join is usable as is', () => {
    expect(objectName(['a', 'b-c'])).toBe(objectName(['a-b', 'c']));
    expect(objectName(['A', 'b-c'])).not.toBe(objectName(['A-b', 'c']));
  });

  test.prop([parts, maxLength])('a valid label (or subdomain above 63) no longer than maxLength', (ps, m) => {
    const max = effectiveMax(m);
    const name = objectName(ps, m);
    expect(name.length).toBeLessThanOrEqual(max);
    expect(max <= 63 ? isDns1123Label(name) : isDns1123Subdomain(name)).toBe(true);
  });

  test.prop([parts, maxLength])('deterministic', (ps, m) => {
    expect(objectName([...ps], m)).toBe(objectName(ps, m));
  });

  test.prop([fc.array(labelish, { minLength: 1, maxLength: 4 }), maxLength])(
    'the join itself whenever it is already usable',
    (ps, m) => {
      const joined = ps.join('-');
      const max = effectiveMax(m);
      fc.pre(joined.length <= max && isDns1123Label(joined));
      expect(objectName(ps, m)).toBe(joined);
    },
  );

  test.prop([wellFormedParts, maxLength])(
    'otherwise a readable prefix and the 64-bit hash of the parts',
    (ps, m) => {
      const joined = ps.join('-');
      const max = effectiveMax(m);
      fc.pre(!(joined.length <= max && (max <= 63 ? isDns1123Label(joined) : isDns1123Subdomain(joined))));
      const name = objectName(ps, m);
      const hash = refObjectHash(ps);
      expect(objectNameHash(ps)).toBe(hash);
      expect(name === hash || name.endsWith(`-${hash}`)).toBe(true);
    },
  );

  test.prop([fc.tuple(parts, parts).filter(([x, y]) => x.join('-') !== y.join('-')), maxLength])(
    'distinct joins give distinct names',
    ([x, y], m) => {
      expect(objectName(x, m)).not.toBe(objectName(y, m));
    },
  );

  test.prop([fc.string({ unit: anyUnit, minLength: 100, maxLength: 300 }), anyText, anyText, maxLength])(
    'distinct names sharing a long prefix stay distinct after truncation',
    (prefix, x, y, m) => {
      fc.pre(x !== y);
      expect(objectName([prefix + x], m)).not.toBe(objectName([prefix + y], m));
    },
  );

  it('lone surrogates are not confused with U+FFFD or each other', () => {
    const names = new Set([objectName(['\ud800']), objectName(['\udc00']), objectName(['\ufffd'])]);
    expect(names.size).toBe(3);
  });

  it('10,000 long names sharing a 100-character prefix give 10,000 distinct names', () => {
    const prefix = 'Run-'.repeat(25);
    const names = Array.from({ length: 10_000 }, (_, i) => objectName([prefix, `action${i}`, '1']));
    expect(new Set(names).size).toBe(10_000);
    expect(names.filter((n) => !isDns1123Label(n))).toEqual([]);
  });

  it('10,000 names that sanitize alike give 10,000 distinct names', () => {
    const spellings = (i: number): ReadonlyArray<string> => [
      `run-${i}`,
      `Run-${i}`,
      `run_${i}`,
      `run.${i}`,
      `run ${i}`,
    ];
    const inputs = Array.from({ length: 2_000 }, (_, i) => spellings(i)).flat();
    const names = inputs.map((s) => objectName([s]));
    expect(new Set(names).size).toBe(10_000);
  });
});

describe('qualifiedNameError remembers answers', () => {
  const key = fc.oneof(
    fc.constantFrom('app', 'example.com/name', 'a/b/c', '/x', 'x/', '-bad', 'kubetasks.io/task', ''),
    fc.string({ maxLength: 12 }),
  );
  test.prop([fc.array(key, { minLength: 1, maxLength: 60 })])(
    'a repeated question gets the first answer, valid or not',
    (keys) => {
      const first = keys.map((k) => qualifiedNameError(k));
      expect(keys.map((k) => qualifiedNameError(k))).toEqual(first);
      expect(qualifiedNameError('app')).toBeUndefined();
      expect(qualifiedNameError('a/b/c')).toMatch(/qualified name/);
    },
  );
});
