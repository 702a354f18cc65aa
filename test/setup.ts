// Global fast-check settings: more runs in CI, a fixed seed when KUBETASKS_SEED is set so failures replay.
import { fc } from '@fast-check/vitest';

const seed = process.env['KUBETASKS_SEED'];
fc.configureGlobal({
  numRuns: process.env['CI'] === undefined ? 100 : 200,
  ...(seed === undefined ? {} : { seed: Number(seed) }),
});
