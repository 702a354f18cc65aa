// Fast-check under mutation testing: a property that fails has killed its mutant, so it stops without shrinking.
import { fc } from '@fast-check/vitest';

// Shrinking a counterexample takes many more runs than finding it, and Stryker only needs to know that a test failed;
// numRuns and the seed stay those test/setup.ts chose.
fc.configureGlobal({ ...fc.readConfigureGlobal(), endOnFailure: true });
