// A view of a clock that counts what is waiting on it, so a virtual clock can tell a busy simulation from an idle one.
import type { Clock } from '../../ports/clock.js';

/** A clock view, and whether anything set on it (a timer, a sleep) is still waiting. */
export interface CountingClock {
  /**
   * The clock to hand to the code under watch: it behaves like the wrapped one, but counts what it is asked
   * to wait for.
   */
  readonly clock: Clock;
  /**
   * Sleeps and timers set through `clock` that have neither fired nor been cancelled: 0 means the code is
   * waiting on nothing the clock can advance, so a driver of a virtual clock can tell "idle" from "waiting
   * for time".
   */
  readonly pending: () => number;
}

/**
 * Wraps `clock`: timers and sleeps made through the view are counted until they fire or are cancelled. The CLI gives
 * one to the simulated kubelet and operators: while they have something scheduled (an image pull, a container's
 * run, a grace period) the simulation is busy and virtual time may jump; when they have nothing, only observers'
 * timers are left (resyncs, bookmarks) and jumping to them would only spin.
 */
export const countingClock = (clock: Clock): CountingClock => {
  let pending = 0;
  const view: Clock = {
    now: () => clock.now(),
    sleep: (ms) => async () => {
      pending++;
      try {
        await clock.sleep(ms)();
      } finally {
        pending--;
      }
    },
    setTimer: (ms, f) => {
      let open = true;
      const close = (): void => {
        if (open) {
          open = false;
          pending--;
        }
      };
      pending++;
      const cancel = clock.setTimer(ms, () => {
        close();
        f();
      });
      return () => {
        close();
        cancel();
      };
    },
  };
  return { clock: view, pending: () => pending };
};
