// The wall clock behind the clock port: Date.now and Node timers.
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
