// The wall clock behind the clock port (Date.now and Node timers), and a steady variant that never jumps.
import type { Clock } from '../../ports/clock.js';

/** Real time. Timers do not keep the process alive (they are unref'd), as a library's background timers should not. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => () => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms))),
  setTimer: (ms, f) => {
    const handle = setTimeout(f, Math.max(0, ms));
    handle.unref();
    return () => {
      clearTimeout(handle);
    };
  },
};

/**
 * The system clock's timers with a steady `now`: epoch milliseconds as of process start, advanced by the monotonic
 * `performance.now()`, so an NTP step of the wall clock does not move it. Leader election needs this: it compares
 * its own instants only, and a wall clock stepped back would keep a leader leading past its renew deadline.
 */
export const steadyClock: Clock = {
  ...systemClock,
  now: () => Math.floor(performance.timeOrigin + performance.now()),
};
