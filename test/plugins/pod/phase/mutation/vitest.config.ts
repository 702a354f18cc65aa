// Vitest configuration for `npm run test:mutation` (StrykerJS): the pod phase unit tests only, without shrinking.
import { defineConfig } from 'vitest/config';
import base from '../../../../../vitest.config.js';

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    // The unit tests of src/plugins/pod/phase and nothing else: the score is theirs alone.
    include: ['test/plugins/pod/phase/*.test.ts'],
    setupFiles: ['test/setup.ts', 'test/plugins/pod/phase/mutation/setup.ts'],
    // Stryker reruns the covering tests once per mutant; a fresh module graph per file each time cost about 25 s a
    // mutant on a loaded machine. Mutant switching reads the active mutant at call time, so reusing the modules is
    // sound (static mutants, which act at import, are ignored in scripts/stryker.config.mjs).
    isolate: false,
  },
});
