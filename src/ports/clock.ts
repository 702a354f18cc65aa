// The clock port: the current instant, sleeping and one-shot timers, so time can be virtual in tests.
import type * as T from 'fp-ts/lib/Task.js';
import type { Duration, Instant } from '../domain/time.js';

/** Cancels a timer; calling it after the timer fired, or twice, does nothing. */
export type CancelTimer = () => void;

/**
 * Where everything outside the pure core gets time from. The system clock reads the wall clock; a virtual clock
 * moves only when a test advances it (or, in auto mode, when nothing else is left to do), so code that waits
 * minutes runs in milliseconds and always in the same order.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  readonly now: () => Instant;
  /** A task that completes once `ms` have passed (on the next turn for `ms <= 0`). */
  readonly sleep: (ms: Duration) => T.Task<void>;
  /** Calls `f` once, after `ms`. Timers due at the same instant fire in the order they were set. */
  readonly setTimer: (ms: Duration, f: () => void) => CancelTimer;
}
