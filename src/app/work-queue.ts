// The manager's work queue: per-task serialisation, bounded concurrency, and back-off for failed reconciles.
import { delay } from '../domain/lifecycle/backoff.js';
import type { Observation } from '../domain/lifecycle/protocol.js';
import type { BackoffConfig } from '../domain/platform-config.js';
import type { CancelTimer, Clock } from '../ports/clock.js';
import type { Metrics } from '../ports/metrics.js';

/** What the queue keeps per task: its mailbox and its place in the queue. */
export interface Queued {
  readonly mailbox: Observation[];
  /** In the ready list, being processed, or parked: never twice at once. */
  queued: boolean;
  /** Reconciles in a row that failed (state not stored, or a throw): the back-off grows with them. */
  failures: number;
  /** Set while the task waits out its back-off; its observations queue up meanwhile. */
  parked: CancelTimer | undefined;
}

export interface WorkQueueOptions<T extends Queued> {
  readonly clock: Clock;
  readonly metrics: Metrics;
  readonly random: () => number;
  readonly maxConcurrency: number;
  /** The back-off of a failed reconcile. */
  readonly backoff: BackoffConfig;
  /** One reconcile of a task's mailbox; must not reject (the manager catches and parks). */
  readonly process: (t: T) => Promise<void>;
  /** Called whenever the queue may have become idle. */
  readonly onSettled: () => void;
}

/**
 * Observations go to their task's mailbox; a task is processed by at most one worker at a time, with at most
 * `maxConcurrency` workers. A task parked after a failed reconcile comes back after a jittered exponential delay,
 * like controller-runtime's per-item rate limiter, and holds no worker meanwhile.
 */
export class WorkQueue<T extends Queued> {
  private readonly ready: T[] = [];
  private readonly parkedTasks = new Set<T>();
  /** Tasks taken out of the queue for good (`remove`): whatever is still in flight for them is not queued again. */
  private readonly removed = new WeakSet<T>();
  private active = 0;
  private stopped = false;

  constructor(private readonly opts: WorkQueueOptions<T>) {}

  enqueue(t: T, o: Observation): void {
    if (this.stopped || this.removed.has(t)) return;
    // Only the newest state of an object matters: an older queued observation of it is replaced.
    if (o._tag === 'ObjectObserved') {
      const name = o.object.metadata?.name;
      const i = t.mailbox.findIndex((m) => m._tag === 'ObjectObserved' && m.object.metadata?.name === name);
      if (i >= 0) t.mailbox.splice(i, 1);
    }
    t.mailbox.push(o);
    this.opts.metrics.increment('kubetasks_workqueue_adds_total');
    if (!t.queued) {
      t.queued = true;
      this.ready.push(t);
    }
    this.pump();
  }

  /** Holds a task back for its back-off; its mailbox is kept and processed when the delay is over. */
  park(t: T): void {
    if (this.stopped || this.removed.has(t)) return;
    t.failures++;
    const ms = delay(this.opts.backoff, t.failures, this.opts.random());
    this.parkedTasks.add(t);
    t.parked = this.opts.clock.setTimer(ms, () => {
      t.parked = undefined;
      this.parkedTasks.delete(t);
      if (this.stopped) return;
      this.ready.push(t);
      this.pump();
    });
  }

  /** Takes a task out for good: it is no longer processed, and a reconcile of it in flight does not requeue it. */
  remove(t: T): void {
    this.removed.add(t);
    const i = this.ready.indexOf(t);
    if (i >= 0) this.ready.splice(i, 1);
    t.parked?.();
    t.parked = undefined;
    this.parkedTasks.delete(t);
  }

  /** No task waiting, running or parked. */
  get isIdle(): boolean {
    return this.ready.length === 0 && this.active === 0 && this.parkedTasks.size === 0;
  }

  /**
   * Starts no more reconciles: parked tasks stay parked for good, ready ones are not started, and one in flight is
   * not queued again when it ends (a failed one would otherwise come straight back, since parking is off).
   */
  stop(): void {
    this.stopped = true;
    for (const t of this.parkedTasks) t.parked?.();
    this.parkedTasks.clear();
    this.ready.length = 0;
  }

  private pump(): void {
    while (!this.stopped && this.active < this.opts.maxConcurrency && this.ready.length > 0) {
      const t = this.ready.shift();
      if (t === undefined) break;
      this.active++;
      void this.opts.process(t).finally(() => {
        this.active--;
        // A parked task stays queued: its back-off timer puts it back.
        if (t.parked === undefined && !this.stopped && !this.removed.has(t)) {
          if (t.mailbox.length > 0) this.ready.push(t);
          else t.queued = false;
        }
        this.opts.metrics.setGauge('kubetasks_workqueue_depth', this.ready.length);
        this.pump();
        this.opts.onSettled();
      });
    }
  }
}
