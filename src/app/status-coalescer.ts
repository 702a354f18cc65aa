// The phases waiting to be shown in TaskExecutions' status: one timer per task, so they ride with the state writes.
import * as E from 'fp-ts/lib/Either.js';
import { nextStatus, visibleKey, type StatusUpdate } from '../domain/task-execution-status.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import { KeyedTimers } from './keyed-timers.js';
import type { TaskExecutionStore } from './task-execution-store.js';

/** What the coalescer needs. */
export interface StatusCoalescerOptions {
  /** Where the status goes: its `put`s carry the wanted status too, which is what makes waiting worth it. */
  readonly store: TaskExecutionStore;
  readonly clock: Clock;
  readonly logger: Logger;
  /** How long a new phase waits for the task's next state write before it is written alone (milliseconds). */
  readonly delay: number;
  /**
   * The longest a phase waits while status writes are in flight (milliseconds; at least `delay`): under a burst
   * the wait doubles up to this, so the phases ride with the state writes instead of competing with them.
   */
  readonly maxDelay: number;
}

/**
 * Coalesces each task's status with its state writes. A task's state is stored before each of its commands
 * (write-ahead), and every such write carries the status the controller wants shown; a phase seen between two of
 * them waits for the next one and is written alone only if none came. It waits `delay` when the store is idle.
 * When status writes are in flight (a burst: the API server is the bottleneck, and a phase written alone costs it
 * as much as a state write, for nothing the task needs), the wait doubles, up to `maxDelay`, so a phase still shows
 * within `maxDelay` however busy the store is. One timer per task: phases seen while it runs join the same write.
 */
export class StatusCoalescer {
  private readonly timers: KeyedTimers;
  private readonly maxDelay: number;

  constructor(private readonly opts: StatusCoalescerOptions) {
    this.timers = new KeyedTimers(opts.clock);
    this.maxDelay = Math.max(opts.delay, opts.maxDelay);
  }

  /**
   * Takes a task update: the status moves on (it never goes backwards, see `nextStatus`) and, when a user would
   * see the change, is written with the task's next state write or, after the wait, alone. An untracked task (not
   * admitted, or forgotten) is ignored.
   */
  update(taskId: string, u: StatusUpdate): void {
    const prev = this.opts.store.status(taskId);
    if (prev === undefined) return;
    const next = nextStatus(prev, u);
    if (visibleKey(next) === visibleKey(prev)) return;
    this.opts.store.setStatus(taskId, next);
    this.wait(taskId, this.opts.delay, 0);
  }

  /** Whether a phase of the task waits to be written. */
  isPending(taskId: string): boolean {
    return this.timers.has(taskId);
  }

  /** Drops the task's timer: the task is forgotten (its last status went with the store's `remove`) or reloaded. */
  forget(taskId: string): void {
    this.timers.cancel(taskId);
  }

  /**
   * Cancels every timer (leadership ends: none may fire after the lease is gone) and returns the tasks whose phase
   * was still waiting, so a process that still holds the lease can write them (`flushNow`).
   */
  stop(): ReadonlyArray<string> {
    return this.timers.cancelAll();
  }

  /** Writes the waiting status of these tasks now. */
  async flushNow(taskIds: ReadonlyArray<string>): Promise<void> {
    await Promise.all(taskIds.map((id) => this.write(id)));
  }

  /** Waits `ms` (unless a wait is already armed), then writes, or waits twice as long while writes are in flight. */
  private wait(taskId: string, ms: number, waited: number): void {
    this.timers.setOnce(taskId, ms, () => {
      // Gone with a state write meanwhile: nothing left to wait for.
      if (this.opts.store.isShown(taskId)) return;
      const total = waited + ms;
      const left = this.maxDelay - total;
      if (this.opts.store.writesInFlight > 0 && left > 0) this.wait(taskId, Math.min(2 * ms, left), total);
      else void this.write(taskId);
    });
  }

  private async write(taskId: string): Promise<void> {
    const r = await this.opts.store.flush(taskId)();
    // A task forgotten while its flush waited behind the store's `remove`: that remove wrote its last status.
    if (E.isLeft(r) && this.opts.store.has(taskId))
      this.opts.logger.error('cannot write the status', { task: taskId, message: r.left.message });
  }
}
