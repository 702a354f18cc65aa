// Test runner configuration: unit and property suites; the real-cluster, oracle, CRD and runtime suites have their own configs.
import { defineConfig } from 'vitest/config';
import { commitSeed } from './test/support/seed.js';

const explicit = process.env['KUBETASKS_SEED'];
const seed =
  explicit !== undefined && explicit !== 'random' ? explicit : commitSeed('properties')?.toString();
if (seed !== undefined)
  console.log(`fast-check seed ${seed} (replay: KUBETASKS_SEED=${seed} npx vitest run)`);

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: [
      'test/cluster/**',
      'test/e2e/**',
      'test/oracle/**',
      'test/crds/**',
      'test/runtimes/**',
      'node_modules/**',
    ],
    setupFiles: ['test/setup.ts'],
    env: seed === undefined ? {} : { KUBETASKS_SEED: seed },
    testTimeout: 60_000,
    pool: 'threads',
  },
});
