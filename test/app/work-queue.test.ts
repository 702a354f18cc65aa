// The manager's work queue: nothing runs after stop, whatever a reconcile in flight puts back.
import { describe, expect, it } from 'vitest';
import { WorkQueue, type Queued } from '../../src/app/work-queue.js';
import { makeVirtualClock } from '../../src/adapters/clock/index.js';
import { noopMetrics } from '../../src/ports/metrics.js';
import { defaultPlatformConfig } from '../../src/domain/platform-config.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('WorkQueue', () => {
  it('a reconcile that fails after stop is not retried: no busy loop once the queue is stopped', async () => {
    const clock = makeVirtualClock();
    let calls = 0;
    let release: () => void = () => undefined;
    const inFlight = new Promise<void>((resolve) => {
      release = resolve;
    });
    // As the manager does when the store refuses a state: the observations go back, the task is parked.
    const process = async (t: Queued): Promise<void> => {
      calls++;
      const batch = t.mailbox.splice(0);
      if (calls === 1) await inFlight;
      // Bounded, so that the loop this test guards against ends (and fails the test) instead of hanging it.
      if (calls < 100) t.mailbox.unshift(...batch);
      queue.park(t);
    };
    const queue: WorkQueue<Queued> = new WorkQueue<Queued>({
      clock,
      metrics: noopMetrics,
      random: () => 0.5,
      maxConcurrency: 1,
      backoff: defaultPlatformConfig.executor['system-failure-backoff'],
      process,
      onSettled: () => undefined,
    });
    const task: Queued = { mailbox: [], queued: false, failures: 0, parked: undefined };
    queue.enqueue(task, { _tag: 'Resumed' });
    expect(calls).toBe(1);
    // Stopped while the reconcile is in flight (a leader losing its lease); the reconcile then fails.
    queue.stop();
    release();
    await sleep(50);
    expect(calls).toBe(1);
    clock.dispose();
  });
});
