// Task ids as a state store's callers choose them, for the state-store contract and for plugin authors' own stores.
import fc from 'fast-check';

/** Task ids as callers choose them: any text, long ones, and ids that differ only by case or by escaping. */
export const arbTaskId: fc.Arbitrary<string> = fc.oneof(
  fc.string({ minLength: 1, maxLength: 12 }),
  fc.string({ minLength: 1, maxLength: 12, unit: 'grapheme' }),
  fc.string({ minLength: 1, maxLength: 6, unit: 'binary' }),
  fc.string({ minLength: 150, maxLength: 400, unit: 'grapheme-ascii' }),
  fc.constantFrom('.', '..', 'a/b', 'A', 'a', '%41', 'con', '__proto__', 'x.json', 'x.tmp', ' '),
);
