// The manager's work queue: once stopped it starts no reconcile, even for a task whose reconciles keep failing.
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src/adapters/clock/system.js';
import { WorkQueue, type Queued } from '../../src/app/work-queue.js';
import { noopMetrics } from '../../src/ports/metrics.js';

interface Task extends Queued {
  readonly id: string;
}

const task = (id: string): Task => ({ id, mailbox: [], queued: false, failures: 0, parked: undefined });

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A queue whose every reconcile fails (the store refused the state), as the manager's does then: it parks. */
const failingQueue = (): { queue: WorkQueue<Task>; calls: () => number; release: () => void } => {
  let calls = 0;
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const queue: WorkQueue<Task> = new WorkQueue<Task>({
    clock: systemClock,
    metrics: noopMetrics,
    random: () => 0.5,
    maxConcurrency: 4,
    backoff: { 'base-duration': 10, 'max-duration': 10, jitter: 0 },
    process: async (t) => {
      calls++;
      // The first reconcile is in flight when the queue stops; the later ones fail at once.
      await gate;
      await sleep(0);
      queue.park(t);
    },
    onSettled: () => undefined,
  });
  return { queue, calls: () => calls, release };
};

describe('WorkQueue.stop', () => {
  it('a reconcile in flight at stop that fails is not retried: no reconcile starts after stop', async () => {
    const { queue, calls, release } = failingQueue();
    const t = task('a');
    queue.enqueue(t, { _tag: 'Resumed' });
    expect(calls()).toBe(1);
    queue.stop();
    release();
    // Old code: park was a no-op once stopped, so the task went straight back to the ready list and the failing
    // reconcile ran again and again with no back-off (a busy loop in a controller that had lost its leadership).
    await sleep(100);
    expect(calls()).toBe(1);
  });

  it('tasks waiting for a worker at stop are not started', async () => {
    const { queue, calls, release } = failingQueue();
    const tasks = Array.from({ length: 6 }, (_, i) => task(`t${i}`));
    for (const t of tasks) queue.enqueue(t, { _tag: 'Resumed' });
    // Four workers: four reconciles in flight, two waiting.
    expect(calls()).toBe(4);
    queue.stop();
    release();
    await sleep(100);
    expect(calls()).toBe(4);
  });

  it('before stop, a failing task is retried after its back-off, and only then', async () => {
    const { queue, calls, release } = failingQueue();
    release();
    queue.enqueue(task('a'), { _tag: 'Resumed' });
    await sleep(100);
    queue.stop();
    const seen = calls();
    // 10 ms back-off: a handful of retries in 100 ms, not thousands.
    expect(seen).toBeGreaterThan(1);
    expect(seen).toBeLessThan(20);
    await sleep(50);
    expect(calls()).toBe(seen);
  });
});
