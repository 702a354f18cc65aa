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
    // One module graph per worker, not per file: @fast-check/vitest 0.5 walks every chain of vitest 4's test API
    // when it is imported (some 250,000 objects, 2-3 s of CPU), and test/setup.ts imports it, so a fresh graph per
    // file spent more time in that walk than in the tests. The files keep no state between them: nothing here
    // mocks modules, stubs globals or fakes timers, and process.env changes are put back (test/support/seed.test.ts).
    isolate: false,
  },
});
