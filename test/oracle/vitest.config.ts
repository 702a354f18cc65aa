// Test runner configuration for the Flyte differential oracle: one Go process per file, pods streamed in batches.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: ['test/oracle/**/*.test.ts'],
    // A cold oracle build (scripts/flyte-oracle.sh) may run inside the first test when npm run test:oracle did not.
    testTimeout: 900_000,
    hookTimeout: 900_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
