// Global fast-check settings: more runs in CI, and the seed vitest.config.ts chose (from the committed code in CI) if any.
import { fc } from '@fast-check/vitest';

const raw = process.env['KUBETASKS_SEED'];
const seed = raw === undefined || raw === 'random' ? undefined : Number(raw);
// KUBETASKS_RUNS raises the count for a soak run (`npm run test:soak`, random seeds), which looks for rare
// counterexamples that one seed per version of the code in CI would reach only by luck.
const runs = Number(process.env['KUBETASKS_RUNS'] ?? (process.env['CI'] === undefined ? 100 : 200));
fc.configureGlobal({
  numRuns: Number.isInteger(runs) && runs > 0 ? runs : 100,
  ...(seed === undefined || !Number.isInteger(seed) ? {} : { seed }),
});
