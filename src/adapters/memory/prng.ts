// A seeded pseudo-random generator (mulberry32) so uids, generated names and injected faults replay exactly.

/** A source of uniform numbers in [0, 1), the same sequence for the same seed. */
export interface Prng {
  /** The next number of the sequence, in [0, 1). */
  readonly next: () => number;
  /** An integer in [0, n). */
  readonly int: (n: number) => number;
  /** The current internal state; `makePrng(state)` continues the same sequence. */
  readonly state: () => number;
}

/** mulberry32: 32 bits of state, passes the usual statistical batteries, and is a few lines long. */
export const makePrng = (seed: number): Prng => {
  let s = seed >>> 0;
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n) => Math.floor(next() * n), state: () => s };
};

const HEX = '0123456789abcdef';

/** A version-4 UUID string from the generator. */
export const uuid = (prng: Prng): string => {
  let out = '';
  for (let i = 0; i < 32; i++) {
    let d = prng.int(16);
    if (i === 12) d = 4;
    if (i === 16) d = 8 + (d & 3);
    out += HEX.charAt(d);
    if (i === 7 || i === 11 || i === 15 || i === 19) out += '-';
  }
  return out;
};

// apimachinery's utilrand alphabet: no vowels (no words) and no easily confused characters.
const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** The 5-character suffix the API server appends to `generateName`. */
export const nameSuffix = (prng: Prng): string => {
  let out = '';
  for (let i = 0; i < 5; i++) out += NAME_ALPHABET.charAt(prng.int(NAME_ALPHABET.length));
  return out;
};

/** A lower-case hex string of `n` characters (container IDs, image digests). */
export const hex = (prng: Prng, n: number): string => {
  let out = '';
  for (let i = 0; i < n; i++) out += HEX.charAt(prng.int(16));
  return out;
};
