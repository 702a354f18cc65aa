// Seeds for randomised tests: in CI they come from the committed code, so .ci/run before merging replays CI exactly.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The committed trees of src/ and test/: a change to docs alone does not draw new cases. */
const head = (): string | undefined => {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD:src', 'HEAD:test'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return undefined;
  }
};

/**
 * The seed a randomised suite uses when its own variable does not set one: under `CI` a non-negative 31-bit number
 * hashed from the committed code (src/ and test/) and the suite's name (a change to the code explores new cases;
 * the same code always finds the same ones), elsewhere undefined (the suite picks a random one).
 * `KUBETASKS_SEED=random` asks for random in CI too.
 * Soak runs (`npm run test:soak`) are where rare counterexamples are looked for.
 */
export const commitSeed = (suite: string): number | undefined => {
  if (process.env['CI'] === undefined || process.env['KUBETASKS_SEED'] === 'random') return undefined;
  const commit = head();
  return commit === undefined
    ? undefined
    : createHash('sha256').update(`${commit}:${suite}`).digest().readUInt32BE(0) >>> 1;
};
