// Test runner configuration for the CRD suite: the plugins' manifests and the operators' statuses against real CRDs.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { commitSeed } from '../support/seed.js';

// Seeds as in the unit suite: hashed from the committed code in CI, random locally, KUBETASKS_SEED to replay.
const explicit = process.env['KUBETASKS_SEED'];
const seed = explicit !== undefined && explicit !== 'random' ? explicit : commitSeed('crds')?.toString();
if (seed !== undefined)
  console.log(`fast-check seed ${seed} (replay: KUBETASKS_SEED=${seed} npm run test:crds)`);

export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: ['test/crds/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    env: seed === undefined ? {} : { KUBETASKS_SEED: seed },
    testTimeout: 120_000,
    pool: 'threads',
  },
});
