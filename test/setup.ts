// Global fast-check settings: more runs in CI, a fixed seed when KUBETASKS_SEED is set so failures replay.
import { fc } from '@fast-check/vitest';

const seed = process.env['KUBETASKS_SEED'];
// KUBETASKS_RUNS raises the count for a soak run (`npm run test:soak`), which looks for rare counterexamples
// before a CI run's random seed does.
const runs = Number(process.env['KUBETASKS_RUNS'] ?? (process.env['CI'] === undefined ? 100 : 200));
fc.configureGlobal({
  numRuns: Number.isInteger(runs) && runs > 0 ? runs : 100,
  ...(seed === undefined ? {} : { seed: Number(seed) }),
});
