// Names of the simulated Job controller's pods: `<job>-<5 chars>` or `<job>-<index>-<5 chars>`, stable and carrying a sequence number.
import { fnv1a32 } from '../../domain/names.js';

/** The alphabet of apimachinery's rand.String (no vowels, no confusable digits). */
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const SPACE = ALPHABET.length ** 5;
/** A multiplier coprime with 27^5, so consecutive sequence numbers give unrelated-looking suffixes. */
const MUL = 1_000_003;

const inverse = (a: number, m: number): number => {
  let [r0, r1, s0, s1] = [m, a % m, 0, 1];
  while (r1 !== 0) {
    const q = Math.floor(r0 / r1);
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return ((s0 % m) + m) % m;
};
const MUL_INVERSE = inverse(MUL, SPACE);

const mulMod = (a: number, b: number): number => Number((BigInt(a) * BigInt(b)) % BigInt(SPACE));

/** The 5-character suffix of the seq-th pod of the Job with this uid (the API server's generateName, made stable). */
export const podSuffix = (uid: string, seq: number): string => {
  let n = ((fnv1a32(uid) % SPACE) + mulMod(seq % SPACE, MUL)) % SPACE;
  let out = '';
  for (let i = 0; i < 5; i++) {
    out = (ALPHABET[n % 27] ?? 'b') + out;
    n = Math.floor(n / 27);
  }
  return out;
};

/** The sequence number a suffix encodes for this uid; undefined when it is not one of ours. */
export const suffixSeq = (uid: string, suffix: string): number | undefined => {
  if (suffix.length !== 5) return undefined;
  let n = 0;
  for (const ch of suffix) {
    const d = ALPHABET.indexOf(ch);
    if (d < 0) return undefined;
    n = n * 27 + d;
  }
  return mulMod((n - (fnv1a32(uid) % SPACE) + SPACE) % SPACE, MUL_INVERSE);
};

/** generateName: the prefix is cut to leave room for the 5 random characters within 63. */
export const podName = (prefix: string, suffix: string): string => `${prefix.slice(0, 63 - 5)}${suffix}`;
