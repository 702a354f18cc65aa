// Test runner configuration for the runtime matrix and the playground: other runtimes and a browser, so long budgets.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: ['test/runtimes/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
    // Each file starts runtimes and a browser of its own; two at once on a 2-core machine only slow both.
    fileParallelism: false,
  },
});
