// StrykerJS configuration: mutation testing of src/plugins/pod/phase against its unit tests alone (`npm run test:mutation`).

// The property tests draw their cases from KUBETASKS_SEED (vitest.config.ts); a random seed would let a mutant be
// killed on one run and survive the next, so the score and the incremental file would not be reproducible. The test
// runner processes inherit this environment.
process.env['KUBETASKS_SEED'] ??= '1';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'vitest',
  // Only the pod phase unit tests: the score says what those tests pin down, not what the oracle or the CLI suites
  // happen to exercise (the oracle has its own planted mutants, test/oracle/mutants.ts).
  testFiles: ['test/plugins/pod/phase/*.test.ts'],
  // The config lists the same files (its root's include would take every suite) and turns shrinking off. vitest's
  // `related` lookup found no test in a worktree whose node_modules is a symlink, and testFiles already chooses.
  vitest: { configFile: 'test/plugins/pod/phase/mutation/vitest.config.ts', related: false },
  mutate: ['src/plugins/pod/phase/**/*.ts'],
  coverageAnalysis: 'perTest',
  // Mutants in module-level code (the decision table's rows, the reason sets) are live from import on, so each would
  // rerun every test in a fresh module graph: too slow here, and reported as Ignored instead.
  ignoreStatic: true,
  // The machine has two cores shared by several people; each runner process runs vitest with one worker.
  concurrency: 2,
  // A loaded machine slows a test several times over: a generous margin keeps load from reading as a timeout.
  timeoutFactor: 3,
  timeoutMS: 20_000,
  // Re-runs (after adding a test) rerun only the mutants whose code or covering tests changed;
  // `npm run test:mutation -- --force` runs them all.
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  reporters: ['clear-text', 'progress-append-only', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false, maxTestsToLog: 0 },
  // Nothing the phase tests read lives in these; copying them into the sandbox is wasted work.
  ignorePatterns: [
    'dist',
    'dist-*',
    'coverage',
    'docs/api',
    'bench',
    'playground',
    'tools',
    'deploy',
    'reports',
    'test-output',
  ],
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};
