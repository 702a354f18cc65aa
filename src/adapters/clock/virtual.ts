// A virtual clock for tests: time moves only when advanced (or, in auto mode, whenever nothing else is left to run).
import type { Duration, Instant } from '../../domain/time.js';
import type { CancelTimer, Clock } from '../../ports/clock.js';

/** A clock whose time is under the test's control. */
export interface VirtualClock extends Clock {
  /**
   * Moves time forward by `ms`, firing due timers in order. After each timer the work it started (promise chains,
   * in-memory cluster calls, watch deliveries) is allowed to settle before the next one fires.
   */
  readonly advance: (ms: Duration) => Promise<void>;
  /** Moves time forward to `instant` (never back). */
  readonly advanceTo: (instant: Instant) => Promise<void>;
  /** Fires timers, earliest first, until none is left or `limitMs` of virtual time has passed. */
  readonly runAll: (limitMs?: Duration) => Promise<void>;
  /** How many timers are waiting. */
  readonly pendingTimers: () => number;
  /** Drops every timer and stops auto mode; sleeps never resolve afterwards. */
  readonly dispose: () => void;
}

export interface VirtualClockOptions {
  /** The starting instant. Default 2026-01-01T00:00:00Z. */
  readonly start?: Instant;
  /**
   * Auto mode: whenever timers are waiting, the clock jumps to the earliest one on the next turn of the event
   * loop (after pending promise work has run). Code that waits on the clock then runs at full speed, in the
   * same order as in real time, without anyone calling `advance`. Default false.
   */
  readonly auto?: boolean;
}

interface Timer {
  readonly due: Instant;
  readonly seq: number;
  readonly fire: () => void;
  cancelled: boolean;
}

const DEFAULT_START = Date.UTC(2026, 0, 1);

/** One turn of the event loop: every microtask queued before it has run when it resolves. */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const settle = async (): Promise<void> => {
  await turn();
  await turn();
};

export const makeVirtualClock = (options: VirtualClockOptions = {}): VirtualClock => {
  let now = options.start ?? DEFAULT_START;
  let seq = 0;
  let disposed = false;
  let pumping = false;
  // Sorted by (due, seq); small in practice, so insertion by binary search is enough.
  const timers: Timer[] = [];

  const insert = (t: Timer): void => {
    let lo = 0;
    let hi = timers.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const m = timers[mid];
      if (m !== undefined && (m.due < t.due || (m.due === t.due && m.seq < t.seq))) lo = mid + 1;
      else hi = mid;
    }
    timers.splice(lo, 0, t);
  };

  const dropCancelled = (): void => {
    while (timers.length > 0 && timers[0]?.cancelled === true) timers.shift();
  };

  const fireNext = (limit: Instant): boolean => {
    dropCancelled();
    const next = timers[0];
    if (next === undefined || next.due > limit) return false;
    timers.shift();
    if (next.due > now) now = next.due;
    next.fire();
    return true;
  };

  const pump = (): void => {
    if (disposed || options.auto !== true) {
      pumping = false;
      return;
    }
    if (!fireNext(Number.POSITIVE_INFINITY)) {
      pumping = false;
      return;
    }
    setImmediate(pump);
  };

  const schedulePump = (): void => {
    if (options.auto !== true || pumping || disposed) return;
    pumping = true;
    // Two turns first, so work already under way settles before time jumps.
    setImmediate(() => setImmediate(pump));
  };

  const setTimer = (ms: Duration, f: () => void): CancelTimer => {
    if (disposed) return () => undefined;
    const timer: Timer = { due: now + Math.max(0, ms), seq: seq++, fire: f, cancelled: false };
    insert(timer);
    schedulePump();
    return () => {
      timer.cancelled = true;
    };
  };

  const advanceTo = async (instant: Instant): Promise<void> => {
    await settle();
    while (!disposed && fireNext(instant)) await settle();
    if (instant > now) now = instant;
  };

  return {
    now: () => now,
    sleep: (ms) => () =>
      ms <= 0 ? Promise.resolve() : new Promise<void>((resolve) => void setTimer(ms, resolve)),
    setTimer,
    advance: (ms) => advanceTo(now + Math.max(0, ms)),
    advanceTo,
    runAll: async (limitMs = Number.POSITIVE_INFINITY) => {
      const limit = now + limitMs;
      await settle();
      while (!disposed && fireNext(limit)) await settle();
    },
    pendingTimers: () => timers.filter((t) => !t.cancelled).length,
    dispose: () => {
      disposed = true;
      timers.length = 0;
    },
  };
};
