// One pending timer per key (a task id): setting it again while one waits keeps the first, cancelling is idempotent.
import type { CancelTimer, Clock } from '../ports/clock.js';

/** At most one timer per key; a timer that fired, or was cancelled, no longer counts as pending. */
export class KeyedTimers {
  private readonly timers = new Map<string, CancelTimer>();

  constructor(private readonly clock: Clock) {}

  /** Calls `f` after `ms` unless a timer for `key` already waits (returns false then: the first one stays). */
  setOnce(key: string, ms: number, f: () => void): boolean {
    if (this.timers.has(key)) return false;
    const cancel = this.clock.setTimer(ms, () => {
      if (this.timers.get(key) !== cancel) return;
      this.timers.delete(key);
      f();
    });
    this.timers.set(key, cancel);
    return true;
  }

  /** Whether a timer for `key` waits. */
  has(key: string): boolean {
    return this.timers.has(key);
  }

  /** Cancels the timer for `key`, if any. */
  cancel(key: string): void {
    this.timers.get(key)?.();
    this.timers.delete(key);
  }

  /** Cancels every timer; returns the keys that had one. */
  cancelAll(): ReadonlyArray<string> {
    const keys = [...this.timers.keys()];
    for (const cancel of this.timers.values()) cancel();
    this.timers.clear();
    return keys;
  }
}
