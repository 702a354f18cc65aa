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

/**
 * How a virtual clock starts and whether it moves by itself; the defaults give a clock that only moves when a
 * test calls `advance`.
 */
export interface VirtualClockOptions {
  /** The starting instant. Default 2026-01-01T00:00:00Z. */
  readonly start?: Instant;
  /**
   * Auto mode: whenever timers are waiting, the clock jumps to the earliest one on the next turn of the event
   * loop (after pending promise work has run). Code that waits on the clock then runs at full speed, in the
   * same order as in real time, without anyone calling `advance`. Default false.
   */
  readonly auto?: boolean;
  /**
   * Auto mode's speed limit, asked before each jump: how many virtual milliseconds may pass per wall-clock
   * millisecond. Infinity (the default) jumps at once. A finite rate waits on the wall clock instead, and `now()`
   * moves smoothly meanwhile, so a program waiting on nothing but far timers (a stuck task's resyncs) waits without
   * using the CPU and the time it reports stays close to what it would be at that speed. Setting a timer while it
   * waits asks again (a rate of Infinity then jumps at once).
   */
  readonly pace?: () => number;
}

interface Timer {
  readonly due: Instant;
  readonly seq: number;
  readonly fire: () => void;
  cancelled: boolean;
  /** Fired or cancelled: cancelling it (again) changes nothing. */
  done: boolean;
}

const DEFAULT_START = Date.UTC(2026, 0, 1);

/** One turn of the event loop: every microtask queued before it has run when it resolves. */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const settle = async (): Promise<void> => {
  await turn();
  await turn();
};

/**
 * A clock whose time moves only when told to (or, in auto mode, straight to the next timer), so tests and
 * simulations of hours of cluster time run in milliseconds and in the same order every run. Timers due at the
 * same instant fire in the order they were set.
 */
export const makeVirtualClock = (options: VirtualClockOptions = {}): VirtualClock => {
  let now = options.start ?? DEFAULT_START;
  let seq = 0;
  let disposed = false;
  let pumping = false;
  // A binary min-heap on (due, seq). Cancelling only marks a timer (the manager re-arms a timer per task on every
  // observation, so most timers die before they fire); marked ones are skipped when they reach the top, and the
  // heap is rebuilt without them once they outnumber the live ones, so memory stays bounded.
  let heap: Timer[] = [];
  let live = 0;
  // While auto mode waits on the wall clock: where virtual time stood, at what wall time, at what rate, and until
  // which instant (the next timer's).
  let paced:
    | {
        readonly from: Instant;
        readonly wallFrom: number;
        readonly rate: number;
        readonly until: Instant;
        readonly handle: NodeJS.Timeout;
      }
    | undefined;

  const current = (): Instant =>
    paced === undefined
      ? now
      : Math.min(paced.until, paced.from + Math.floor(paced.rate * (performance.now() - paced.wallFrom)));

  /** Ends a wall-clock wait where it stands: virtual time keeps what has passed. */
  const stopPacing = (): void => {
    if (paced === undefined) return;
    now = Math.max(now, current());
    clearTimeout(paced.handle);
    paced = undefined;
  };

  const before = (a: Timer, b: Timer): boolean => a.due < b.due || (a.due === b.due && a.seq < b.seq);

  const siftUp = (i: number): void => {
    const t = heap[i] as Timer;
    while (i > 0) {
      const parent = (i - 1) >>> 1;
      const p = heap[parent] as Timer;
      if (!before(t, p)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = t;
  };

  const siftDown = (i: number): void => {
    const n = heap.length;
    const t = heap[i] as Timer;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && before(heap[r] as Timer, heap[l] as Timer) ? r : l;
      const child = heap[c] as Timer;
      if (!before(child, t)) break;
      heap[i] = child;
      i = c;
    }
    heap[i] = t;
  };

  const insert = (t: Timer): void => {
    heap.push(t);
    siftUp(heap.length - 1);
  };

  const popTop = (): void => {
    const last = heap.pop() as Timer;
    if (heap.length > 0) {
      heap[0] = last;
      siftDown(0);
    }
  };

  const dropCancelled = (): void => {
    while (heap.length > 0 && heap[0]?.cancelled === true) popTop();
  };

  const compact = (): void => {
    heap = heap.filter((t) => !t.cancelled);
    for (let i = (heap.length >>> 1) - 1; i >= 0; i--) siftDown(i);
  };

  const fireNext = (limit: Instant): boolean => {
    dropCancelled();
    const next = heap[0];
    if (next === undefined || next.due > limit) return false;
    popTop();
    live--;
    next.done = true;
    if (next.due > now) now = next.due;
    next.fire();
    return true;
  };

  const pump = (): void => {
    if (disposed || options.auto !== true) {
      pumping = false;
      return;
    }
    dropCancelled();
    const next = heap[0];
    const rate = options.pace?.() ?? Number.POSITIVE_INFINITY;
    if (next !== undefined && next.due > now && Number.isFinite(rate) && rate > 0) {
      const from = now;
      paced = {
        from,
        wallFrom: performance.now(),
        rate,
        until: next.due,
        handle: setTimeout(
          () => {
            paced = undefined;
            now = Math.max(now, next.due);
            pump();
          },
          Math.ceil((next.due - from) / rate),
        ),
      };
      return;
    }
    if (!fireNext(Number.POSITIVE_INFINITY)) {
      pumping = false;
      return;
    }
    setImmediate(pump);
  };

  const schedulePump = (): void => {
    if (options.auto !== true || disposed) return;
    if (paced !== undefined) {
      // A new timer may be due sooner, or the pace may have changed: settle, then decide again.
      stopPacing();
      pumping = false;
    }
    if (pumping) return;
    pumping = true;
    // Two turns first, so work already under way settles before time jumps.
    setImmediate(() => setImmediate(pump));
  };

  const setTimer = (ms: Duration, f: () => void): CancelTimer => {
    if (disposed) return () => undefined;
    const timer: Timer = {
      due: current() + Math.max(0, ms),
      seq: seq++,
      fire: f,
      cancelled: false,
      done: false,
    };
    insert(timer);
    live++;
    schedulePump();
    return () => {
      if (timer.done || disposed) return;
      timer.done = true;
      timer.cancelled = true;
      live--;
      if (heap.length > 64 && heap.length > 2 * live) compact();
    };
  };

  const advanceTo = async (instant: Instant): Promise<void> => {
    stopPacing();
    await settle();
    while (!disposed && fireNext(instant)) await settle();
    if (instant > now) now = instant;
  };

  return {
    now: current,
    sleep: (ms) => () =>
      ms <= 0 ? Promise.resolve() : new Promise<void>((resolve) => void setTimer(ms, resolve)),
    setTimer,
    advance: (ms) => advanceTo(now + Math.max(0, ms)),
    advanceTo,
    runAll: async (limitMs = Number.POSITIVE_INFINITY) => {
      stopPacing();
      const limit = now + limitMs;
      await settle();
      while (!disposed && fireNext(limit)) await settle();
    },
    pendingTimers: () => live,
    dispose: () => {
      stopPacing();
      disposed = true;
      heap = [];
      live = 0;
    },
  };
};
