// A task's timers, one per kind, moved later lazily so that a step pushing the resync back costs no clock call.
import type { TimerKind } from '../domain/lifecycle/protocol.js';
import type { CancelTimer, Clock } from '../ports/clock.js';

interface Armed {
  /** When the timer is due now. */
  at: number;
  /** When the clock will call it: no later than `at`. */
  readonly armedAt: number;
  cancel: CancelTimer;
}

export class TaskTimers {
  private readonly armed = new Map<TimerKind, Armed>();

  constructor(
    private readonly clock: Clock,
    private readonly fire: (kind: TimerKind) => void,
  ) {}

  /**
   * Makes the timer of this kind due at `at`. Most steps push the resync timer later; an armed timer that fires
   * no later than the new time is kept and, when it fires early, re-armed for the rest.
   */
  schedule(kind: TimerKind, at: number): void {
    const existing = this.armed.get(kind);
    if (existing !== undefined) {
      if (existing.armedAt <= at) {
        existing.at = at;
        return;
      }
      existing.cancel();
    }
    this.arm(kind, at);
  }

  cancelAll(): void {
    for (const t of this.armed.values()) t.cancel();
    this.armed.clear();
  }

  private arm(kind: TimerKind, at: number): void {
    const timer: Armed = { at, armedAt: at, cancel: () => undefined };
    timer.cancel = this.clock.setTimer(Math.max(0, at - this.clock.now()), () => {
      if (this.armed.get(kind) !== timer) return;
      this.armed.delete(kind);
      if (timer.at > this.clock.now()) this.arm(kind, timer.at);
      else this.fire(kind);
    });
    this.armed.set(kind, timer);
  }
}
