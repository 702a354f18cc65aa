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
  },
});
