// Kubernetes naming: apimachinery's name validators, Flyte-compatible name/label sanitizers and kubetasks' object names.
import * as E from 'fp-ts/lib/Either.js';

// ---------------------------------------------------------------------------------------------------------------------
// Validators. Each mirrors an apimachinery function (same accept/reject set, not the same messages). Length is
// checked before any pattern so a hostile megabyte-long input never reaches a backtracking regex; every pattern
// accepts ASCII only, so UTF-16 length and Go's byte length agree on everything that can pass.

/**
 * Longest DNS-1123 label, in characters: the limit on names that become hostnames or DNS records (pod
 * hostnames, service names, namespaces).
 */
export const DNS1123_LABEL_MAX_LENGTH = 63;
/**
 * Longest DNS-1123 subdomain, in characters: the limit on most object names (ConfigMaps, custom resources,
 * pods).
 */
export const DNS1123_SUBDOMAIN_MAX_LENGTH = 253;
/**
 * Longest label value, in characters; longer values are rejected by the API server, so task ids put into
 * labels are sanitized to fit.
 */
export const LABEL_VALUE_MAX_LENGTH = 63;
/** Longest name part of a qualified name (a label or annotation key without its prefix), in characters. */
export const QUALIFIED_NAME_MAX_LENGTH = 63;

const dns1123LabelPattern = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?$/;
const dns1123SubdomainPattern = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$/;
// Label values and the name part of qualified names share one shape; the value may also be empty.
const qualifiedNamePartPattern = /^[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** Why `s` is not a DNS-1123 label (apimachinery `IsDNS1123Label`), or undefined when it is one. */
export const dns1123LabelError = (s: string): string | undefined => {
  if (s.length > DNS1123_LABEL_MAX_LENGTH)
    return `must be no more than ${DNS1123_LABEL_MAX_LENGTH} characters`;
  if (dns1123LabelPattern.test(s)) return undefined;
  if (dns1123SubdomainPattern.test(s)) return 'must not contain dots';
  return "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name' or '123-abc')";
};

/** Why `s` is not a DNS-1123 subdomain (apimachinery `IsDNS1123Subdomain`), or undefined when it is one. */
export const dns1123SubdomainError = (s: string): string | undefined => {
  if (s.length > DNS1123_SUBDOMAIN_MAX_LENGTH)
    return `must be no more than ${DNS1123_SUBDOMAIN_MAX_LENGTH} characters`;
  if (dns1123SubdomainPattern.test(s)) return undefined;
  return "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com')";
};

/** Why `s` is not a label value (apimachinery `IsValidLabelValue`), or undefined when it is one. */
export const labelValueError = (s: string): string | undefined => {
  if (s.length > LABEL_VALUE_MAX_LENGTH) return `must be no more than ${LABEL_VALUE_MAX_LENGTH} characters`;
  if (s === '' || qualifiedNamePartPattern.test(s)) return undefined;
  return "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue' or 'my_value')";
};

// Answers of qualifiedNameError by text; an empty string stands for "valid" (no error message is empty).
const VALID = '';
const qualifiedNameErrors = new Map<string, string>();

/**
 * Why `s` is not a qualified name, the shape of label and annotation keys (apimachinery `IsQualifiedName`), or
 * undefined when it is one.
 */
export const qualifiedNameError = (s: string): string | undefined => {
  // Label and annotation keys repeat on every object a store validates; the answer depends on the text only.
  const known = qualifiedNameErrors.get(s);
  if (known !== undefined) return known === VALID ? undefined : known;
  const error = checkQualifiedName(s);
  if (qualifiedNameErrors.size >= 1024) qualifiedNameErrors.clear();
  qualifiedNameErrors.set(s, error ?? VALID);
  return error;
};

const checkQualifiedName = (s: string): string | undefined => {
  const segments = s.split('/');
  if (segments.length > 2) {
    return "a qualified name must be a name with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')";
  }
  const [first = '', second] = segments;
  if (second !== undefined) {
    if (first === '') return 'prefix part must be non-empty';
    const prefixError = dns1123SubdomainError(first);
    if (prefixError !== undefined) return `prefix part ${prefixError}`;
  }
  const name = second ?? first;
  if (name === '') return 'name part must be non-empty';
  if (name.length > QUALIFIED_NAME_MAX_LENGTH)
    return `name part must be no more than ${QUALIFIED_NAME_MAX_LENGTH} characters`;
  if (qualifiedNamePartPattern.test(name)) return undefined;
  return "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName', 'my.name' or '123-abc')";
};

/**
 * Why `s` is not an environment variable name, or undefined when it is one.
 *
 * This is apimachinery's relaxed rule (`IsRelaxedEnvVarName`: non-empty, printable ASCII from ' ' to '~', no '='),
 * which the API server applies with the RelaxedEnvironmentVariableValidation gate: alpha in 1.30, on by default
 * since 1.32, GA in 1.34. The older C-identifier-like rule (`[-._a-zA-Z][-._a-zA-Z0-9]*`) is deliberately not used:
 * names the user chose are passed through, and an older API server that rejects them reports it at create time.
 */
export const envVarNameError = (s: string): string | undefined => {
  if (s === '') return 'environment variable name must be non-empty';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x3d) {
      return "a valid environment variable name must consist only of printable ASCII characters other than '='";
    }
  }
  return undefined;
};

/**
 * Whether the API server would accept `s` where a DNS-1123 label is required. `dns1123LabelError` tells why
 * not.
 */
export const isDns1123Label = (s: string): boolean => dns1123LabelError(s) === undefined;
/**
 * Whether the API server would accept `s` as an object name of most kinds. `dns1123SubdomainError` tells why
 * not.
 */
export const isDns1123Subdomain = (s: string): boolean => dns1123SubdomainError(s) === undefined;
/**
 * Whether the API server would accept `s` as a label value (the empty string is one). `labelValueError` tells
 * why not.
 */
export const isLabelValue = (s: string): boolean => labelValueError(s) === undefined;
/**
 * Whether the API server would accept `s` as a label or annotation key (`prefix/name` or `name`).
 * `qualifiedNameError` tells why not.
 */
export const isQualifiedName = (s: string): boolean => qualifiedNameError(s) === undefined;
/**
 * Whether the API server (1.32 or later, or with relaxed environment variable validation) would accept `s` as
 * an environment variable name. `envVarNameError` tells why not.
 */
export const isEnvVarName = (s: string): boolean => envVarNameError(s) === undefined;

// ---------------------------------------------------------------------------------------------------------------------
// Bytes, FNV-1a and Flyte's base32. Hand-rolled so the domain needs no TextEncoder or crypto.

const utf8Push = (out: number[], cp: number): void => {
  if (cp < 0x80) out.push(cp);
  else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
  else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
};

const isSurrogate = (cp: number): boolean => cp >= 0xd800 && cp <= 0xdfff;

const encodeString = (s: string, loneSurrogates: 'replace' | 'keep'): Uint8Array => {
  // Names and labels are nearly always ASCII: one byte per unit, no code-point walk.
  const ascii = new Uint8Array(s.length);
  let i = 0;
  for (; i < s.length; i++) {
    const u = s.charCodeAt(i);
    if (u > 0x7f) break;
    ascii[i] = u;
  }
  if (i === s.length) return ascii;
  const out: number[] = [];
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    utf8Push(out, isSurrogate(cp) && loneSurrogates === 'replace' ? 0xfffd : cp);
  }
  return Uint8Array.from(out);
};

/**
 * The UTF-8 bytes of `s`. A lone surrogate becomes U+FFFD, as TextEncoder does and as Go sees such a string after
 * JSON decoding, so hashes agree with Flyte's for every string Flyte could have received.
 */
export const utf8Bytes = (s: string): Uint8Array => encodeString(s, 'replace');

/**
 * Generalized UTF-8 (WTF-8): UTF-8 for well-formed strings, and lone surrogates encoded as their own code points, so
 * distinct JS strings always give distinct bytes. Used where injectivity matters more than Go compatibility.
 */
const wtf8Bytes = (s: string): Uint8Array => encodeString(s, 'keep');

const FNV32_OFFSET = 0x811c9dc5;
const FNV32_PRIME = 0x01000193;

const fnv1a32Bytes = (bytes: Uint8Array): number => {
  let h = FNV32_OFFSET;
  for (const b of bytes) h = Math.imul(h ^ b, FNV32_PRIME) >>> 0;
  return h;
};

// 64-bit FNV-1a in two 32-bit halves: the prime is 2^40 + 0x1b3, so h * prime = (h << 40) + h * 0x1b3 (mod 2^64),
// and every intermediate stays below 2^53. Far cheaper than BigInt arithmetic per byte.
const fnv1a64Halves = (bytes: Uint8Array): readonly [number, number] => {
  let hi = 0xcbf29ce4;
  let lo = 0x84222325;
  for (const b of bytes) {
    lo = (lo ^ b) >>> 0;
    const loProduct = lo * 0x1b3;
    const hiProduct = hi * 0x1b3 + Math.floor(loProduct / 0x100000000) + ((lo << 8) >>> 0);
    lo = loProduct >>> 0;
    hi = hiProduct >>> 0;
  }
  return [hi, lo];
};

const bigEndian32 = (n: number): readonly number[] => [
  (n >>> 24) & 0xff,
  (n >>> 16) & 0xff,
  (n >>> 8) & 0xff,
  n & 0xff,
];

/** 32-bit FNV-1a of the UTF-8 bytes of `s` (Go's `fnv.New32a`). */
export const fnv1a32 = (s: string): number => fnv1a32Bytes(utf8Bytes(s));

/** 64-bit FNV-1a of the UTF-8 bytes of `s` (Go's `fnv.New64a`). */
export const fnv1a64 = (s: string): bigint => {
  const [hi, lo] = fnv1a64Halves(utf8Bytes(s));
  return (BigInt(hi) << 32n) | BigInt(lo);
};

/** `fnv1a64(s)` as 16 lower-case hex digits, without BigInt arithmetic. */
export const fnv1a64Hex = (s: string): string => {
  const [hi, lo] = fnv1a64Halves(utf8Bytes(s));
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
};

const FLYTE_BASE32_ALPHABET = 'abcdefghijklmnopqrstuvwxyz123456';

/**
 * RFC 4648 base32 bit layout with Flyte's alphabet (`abcdefghijklmnopqrstuvwxyz123456`) and no padding, as Flyte
 * uses for unique IDs and secret annotations. Every output character is a lower-case letter or digit.
 */
export const flyteBase32 = (bytes: Uint8Array): string => {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const b of bytes) {
    buffer = ((buffer << 8) | b) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += FLYTE_BASE32_ALPHABET.charAt((buffer >>> bits) & 0x1f);
    }
  }
  if (bits > 0) out += FLYTE_BASE32_ALPHABET.charAt((buffer << (5 - bits)) & 0x1f);
  return out;
};

/**
 * The FNV-1a width of a hashed ID: 32 bits gives Flyte's 8-character IDs, 64 bits 14-character ones that collide
 * far more rarely.
 */
export type FnvBits = 32 | 64;

const hashBytes = (bytes: Uint8Array, bits: FnvBits): Uint8Array => {
  if (bits === 32) return Uint8Array.from(bigEndian32(fnv1a32Bytes(bytes)));
  const [hi, lo] = fnv1a64Halves(bytes);
  return Uint8Array.from([...bigEndian32(hi), ...bigEndian32(lo)]);
};

/** Flyte's hashed ID: "f" + base32 of the FNV-1a hash of the UTF-8 bytes (8 characters for 32 bits, 14 for 64). */
export const flyteHashId = (id: string, bits: FnvBits = 32): string =>
  `f${flyteBase32(hashBytes(utf8Bytes(id), bits))}`;

/**
 * Flyte's `FixedLengthUniqueID`: `id` itself when it fits in `maxLength` bytes, else its hashed ID. Flyte returns the
 * hash together with an error when even the hash is longer than `maxLength`; callers there keep the original name,
 * so here that case is just Left(message).
 */
export const flyteFixedLengthUniqueId = (
  id: string,
  maxLength: number,
  bits: FnvBits = 32,
): E.Either<string, string> => {
  if (utf8Bytes(id).length <= maxLength) return E.right(id);
  const hashed = flyteHashId(id, bits);
  return hashed.length > maxLength
    ? E.left(`max length ${maxLength} is too small for a hashed unique ID of ${hashed.length} characters`)
    : E.right(hashed);
};

// ---------------------------------------------------------------------------------------------------------------------
// Flyte-compatible sanitizers.

const camelBoundary = /([a-z0-9])([A-Z])/g;
const notSubdomainChar = /[^-.a-z0-9]/g;
const edgeDotsAndDashes = /^[.-]+|[.-]+$/g;
const edgeDashes = /^-+|-+$/g;

/** Flyte's `ConvertCamelCaseToKebabCase`: a hyphen before each upper-case letter that follows [a-z0-9], lower-cased. */
export const camelToKebab = (s: string): string => s.replace(camelBoundary, '$1-$2').toLowerCase();

// Flyte's steps after the validity check. `toLowerCase` and Go's `strings.ToLower` disagree only outside ASCII, where
// just two characters lower-case to something the deletion keeps: KELVIN SIGN gives 'k' in both, and 'İ' gives 'i' in
// Go and 'i' + U+0307 here, the combining dot then being deleted. So the outputs agree.
const flyteSubdomainSteps = (name: string): string => {
  const cleaned = camelToKebab(name).replace(notSubdomainChar, '').replace(edgeDotsAndDashes, '');
  if (cleaned.length <= DNS1123_SUBDOMAIN_MAX_LENGTH) return cleaned;
  // Flyte hashes with FixedLengthUniqueID(cleaned, 30): always the 8-character form here since cleaned is longer.
  return `${cleaned.slice(0, DNS1123_SUBDOMAIN_MAX_LENGTH - 30 - 1)}-${flyteHashId(cleaned)}`;
};

/**
 * Flyte's `ConvertToDNS1123SubdomainCompatibleString`, made total. Valid subdomains pass through unchanged; otherwise
 * Flyte's steps run: hyphenate camel case, lower-case, delete characters outside [-.a-z0-9], trim '.' and '-' from
 * both ends, and past 253 characters keep 222 plus "-" plus the 8-character hashed ID.
 *
 * Where Flyte's output is a valid subdomain this returns exactly it. Flyte's output can be invalid in two ways, and
 * only then does this differ: dot-separated labels that are empty or start/end with '-' ("a-.b", "a..b", or a 222-
 * character cut that ends in '.'), which are repaired by trimming '-' from each label and dropping empty labels; and
 * the empty string (input with no usable character, e.g. "" or "_!_"), which becomes the hashed ID of the original
 * input so distinct unusable names stay distinct.
 */
export const toDns1123Subdomain = (name: string): string => {
  if (isDns1123Subdomain(name)) return name;
  const flyte = flyteSubdomainSteps(name);
  if (isDns1123Subdomain(flyte)) return flyte;
  const repaired = flyte
    .split('.')
    .map((label) => label.replace(edgeDashes, ''))
    .filter((label) => label !== '')
    .join('.');
  return repaired === '' ? flyteHashId(name) : repaired;
};

const notLabelValueChar = /[^a-zA-Z0-9._-]/gu;
const alphanumeric = /^[a-zA-Z0-9]$/;

/**
 * Flyte's `SanitizeLabelValue`, unchanged: "" stays "" (so callers can skip the label); every code point outside
 * [A-Za-z0-9._-] becomes '-'; cut to 63; a non-alphanumeric first or last character becomes 'x'. The result is always
 * a valid label value: after the replacement every character is allowed, and since the ends are fixed after the cut,
 * truncation cannot leave a trailing '-'. So no repair is needed here.
 */
export const sanitizeLabelValue = (v: string): string => {
  if (v === '') return '';
  const cut = v.replace(notLabelValueChar, '-').slice(0, LABEL_VALUE_MAX_LENGTH);
  const head = alphanumeric.test(cut.charAt(0)) ? cut : `x${cut.slice(1)}`;
  return alphanumeric.test(head.charAt(head.length - 1)) ? head : `${head.slice(0, -1)}x`;
};

// ---------------------------------------------------------------------------------------------------------------------
// kubetasks' own object names.

/**
 * The default `maxLength` of `objectName`: a DNS-1123 label, so the name is also usable as a pod hostname or
 * a label value.
 */
export const OBJECT_NAME_DEFAULT_MAX_LENGTH = DNS1123_LABEL_MAX_LENGTH;
/**
 * The smallest `maxLength` `objectName` accepts (smaller ones are raised to it): room for the 13-character
 * hash and a short readable prefix.
 */
export const OBJECT_NAME_MIN_MAX_LENGTH = 16;
/** Characters of the hash suffix: 64 bits in base32. */
export const OBJECT_NAME_HASH_LENGTH = 13;

const clampMaxLength = (maxLength: number): number =>
  Number.isNaN(maxLength)
    ? OBJECT_NAME_DEFAULT_MAX_LENGTH
    : Math.min(DNS1123_SUBDOMAIN_MAX_LENGTH, Math.max(OBJECT_NAME_MIN_MAX_LENGTH, Math.floor(maxLength)));

// The hash input names the parts unambiguously: each part as "<byte length>:<bytes>", so ["A", "b-c"] and ["A-b", "c"]
// hash apart even though they join alike. WTF-8 keeps lone surrogates distinct from U+FFFD.
const partsHashInput = (parts: ReadonlyArray<string>): Uint8Array => {
  const out: number[] = [];
  for (const part of parts) {
    const bytes = wtf8Bytes(part);
    for (const digit of String(bytes.length)) out.push(digit.charCodeAt(0));
    out.push(0x3a);
    for (const b of bytes) out.push(b);
  }
  return Uint8Array.from(out);
};

/** The 13-character suffix objectName appends when it cannot use the joined parts as they are. */
export const objectNameHash = (parts: ReadonlyArray<string>): string =>
  flyteBase32(hashBytes(partsHashInput(parts), 64));

const toLabelChars = (s: string): string =>
  camelToKebab(s)
    .replace(/[^a-z0-9]+/g, '-')
    .replace(edgeDashes, '');

// Readable remnant of an unusable name: a label (or, when subdomains are allowed, dot-separated labels) of at most
// `budget` characters that starts and ends alphanumeric, or "".
const readablePrefix = (joined: string, budget: number, allowDots: boolean): string => {
  const sanitized = allowDots
    ? joined
        .split('.')
        .map(toLabelChars)
        .filter((label) => label !== '')
        .join('.')
    : toLabelChars(joined);
  return sanitized.slice(0, budget).replace(edgeDotsAndDashes, '');
};

/**
 * The name of an object kubetasks creates for `parts` (e.g. run, action, attempt). `maxLength` defaults to 63 and is
 * clamped to [16, 253]; up to 63 the result is a DNS-1123 label, above it a DNS-1123 subdomain, never longer than
 * `maxLength`, and always a pure function of its arguments.
 *
 * Parts are joined with "-" as Flyte does, and a join that is already valid is used as is, so names stay readable
 * ("rabc123", "train", "1" gives "rabc123-train-1"). That makes the join ambiguous: ["a", "b-c"] and ["a-b", "c"] both
 * name "a-b-c", so callers must pass parts whose join identifies the object (kubetasks passes run, action, attempt).
 *
 * Otherwise the result is a sanitized, truncated prefix of the join (camel case hyphenated, lower-cased, runs of other
 * characters turned into one '-') plus "-" plus a 64-bit FNV-1a hash of the original parts in base32 (just the hash
 * when nothing readable is left). Distinct joins therefore give distinct names unless a 64-bit hash collides, or a
 * valid join happens to spell another input's prefix and hash exactly; both are astronomically unlikely outside
 * deliberate construction.
 */
export const objectName = (
  parts: ReadonlyArray<string>,
  maxLength: number = OBJECT_NAME_DEFAULT_MAX_LENGTH,
): string => {
  const max = clampMaxLength(maxLength);
  const allowDots = max > DNS1123_LABEL_MAX_LENGTH;
  const joined = parts.join('-');
  const usable = joined.length <= max && (allowDots ? isDns1123Subdomain(joined) : isDns1123Label(joined));
  if (usable) return joined;
  const hash = objectNameHash(parts);
  const prefix = readablePrefix(joined, max - OBJECT_NAME_HASH_LENGTH - 1, allowDots);
  return prefix === '' ? hash : `${prefix}-${hash}`;
};
