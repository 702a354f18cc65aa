// The work queue once stopped, and a task removed from it: nothing processed again, even when a reconcile fails.
import { describe, expect, it } from 'vitest';
import { makeVirtualClock } from '../../src/adapters/clock/index.js';
import type { Observation } from '../../src/domain/lifecycle/protocol.js';
import { defaultPlatformConfig } from '../../src/domain/platform-config.js';
import { noopMetrics } from '../../src/ports/metrics.js';
import { WorkQueue, type Queued } from '../../src/app/work-queue.js';

const item = (): Queued => ({ mailbox: [], queued: false, failures: 0, parked: undefined });
const resumed: Observation = { _tag: 'Resumed' };
/** Enough turns of the event loop for any promise chain the queue starts to run out. */
const settle = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};

/**
 * A queue whose every reconcile fails (the state store refuses it) and is parked, as the manager does; it gives up
 * after 50 calls so a queue that spins ends instead of hanging the test.
 */
const failing = () => {
  const clock = makeVirtualClock();
  let calls = 0;
  let release = (): void => undefined;
  const gate = new Promise<void>((r) => (release = r));
  const queue: WorkQueue<Queued> = new WorkQueue<Queued>({
    clock,
    metrics: noopMetrics,
    random: () => 0.5,
    maxConcurrency: 1,
    backoff: defaultPlatformConfig.executor['system-failure-backoff'],
    process: async (t) => {
      calls++;
      const batch = t.mailbox.splice(0);
      await gate;
      if (calls > 50) return;
      t.mailbox.unshift(...batch);
      queue.park(t);
    },
    onSettled: () => undefined,
  });
  return { clock, queue, calls: () => calls, release };
};

describe('the work queue', () => {
  it('once stopped, a reconcile that fails in flight is not taken up again', async () => {
    const { clock, queue, calls, release } = failing();
    queue.enqueue(item(), resumed);
    queue.stop();
    release();
    await settle();
    // Before the fix the stopped queue put the failed task straight back, with no back-off: a loop of promises.
    expect(calls()).toBe(1);
    expect(queue.isIdle).toBe(true);
    clock.dispose();
  });

  it('a removed task is not processed again, and its reconcile in flight does not requeue it', async () => {
    const { clock, queue, calls, release } = failing();
    const t = item();
    queue.enqueue(t, resumed);
    queue.remove(t);
    queue.enqueue(t, resumed);
    release();
    await settle();
    await clock.advance(60_000);
    expect(calls()).toBe(1);
    expect(queue.isIdle).toBe(true);
    clock.dispose();
  });
});
