// Test runner configuration for the real-cluster suite: a real etcd + kube-apiserver per file, so long budgets.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: ['test/cluster/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // Child processes are tied to the test process's lifetime; forks give each file a real process to exit.
    pool: 'forks',
    // Two control planes at once on a 2-core machine slow both past their start-up budget.
    fileParallelism: false,
  },
});
