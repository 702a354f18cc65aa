// The bundle every runtime loads: the golden cases and the benchmark, with the runtime's own clock for the latter.
import { bench, golden, type BenchResult } from './golden.js';

export { golden };

/** The benchmark on this runtime's best clock: performance.now where there is one (QuickJS has only Date.now). */
export const benchHere = (inputText: string, rounds: number, passes: number): BenchResult =>
  bench(
    inputText,
    rounds,
    passes,
    typeof performance === 'undefined' ? () => Date.now() : () => performance.now(),
  );
