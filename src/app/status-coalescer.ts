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
}

/**
 * Coalesces each task's status with its state writes. A task's state is stored before each of its commands
 * (write-ahead), and every such write carries the status the controller wants shown; a phase seen between two of
 * them waits `delay` for the next one and is written alone only if none came. One timer per task: phases seen
 * while it runs join the same write.
 */
export class StatusCoalescer {
  private readonly timers: KeyedTimers;

  constructor(private readonly opts: StatusCoalescerOptions) {
    this.timers = new KeyedTimers(opts.clock);
  }

  /**
   * Takes a task update: the status moves on (it never goes backwards, see `nextStatus`) and, when a user would
   * see the change, is written with the task's next state write or, after the delay, alone. An untracked task
   * (not admitted, or forgotten) is ignored.
   */
  update(taskId: string, u: StatusUpdate): void {
    const prev = this.opts.store.status(taskId);
    if (prev === undefined) return;
    const next = nextStatus(prev, u);
    if (visibleKey(next) === visibleKey(prev)) return;
    this.opts.store.setStatus(taskId, next);
    this.timers.setOnce(taskId, this.opts.delay, () => void this.write(taskId));
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

  private async write(taskId: string): Promise<void> {
    const r = await this.opts.store.flush(taskId)();
    if (E.isLeft(r))
      this.opts.logger.error('cannot write the status', { task: taskId, message: r.left.message });
  }
}
