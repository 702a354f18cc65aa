// A task's timers: one per kind; moving one later costs no clock call, moving it earlier re-arms it.
import { describe, expect, it } from 'vitest';
import { makeVirtualClock } from '../../src/adapters/clock/index.js';
import { TaskTimers } from '../../src/app/task-timers.js';
import type { TimerKind } from '../../src/domain/lifecycle/protocol.js';

const setup = () => {
  const clock = makeVirtualClock();
  const fired: Array<[TimerKind, number]> = [];
  const timers = new TaskTimers(clock, (kind) => fired.push([kind, clock.now() - t0]));
  const t0 = clock.now();
  return { clock, timers, fired, t0 };
};

describe('TaskTimers', () => {
  it('fires a timer once at its time', async () => {
    const { clock, timers, fired, t0 } = setup();
    timers.schedule('Resync', t0 + 100);
    await clock.advance(1000);
    expect(fired).toEqual([['Resync', 100]]);
  });

  it('moves a timer later without a new clock timer, and fires it only at the new time', async () => {
    const { clock, timers, fired, t0 } = setup();
    timers.schedule('Resync', t0 + 100);
    timers.schedule('Resync', t0 + 500);
    expect(clock.pendingTimers()).toBe(1);
    await clock.advance(1000);
    expect(fired).toEqual([['Resync', 500]]);
  });

  it('moves a timer earlier by re-arming it, and keeps kinds apart', async () => {
    const { clock, timers, fired, t0 } = setup();
    timers.schedule('Resync', t0 + 500);
    timers.schedule('Retry', t0 + 300);
    timers.schedule('Resync', t0 + 100);
    await clock.advance(1000);
    expect(fired).toEqual([
      ['Resync', 100],
      ['Retry', 300],
    ]);
  });

  it('cancelAll drops every timer', async () => {
    const { clock, timers, fired, t0 } = setup();
    timers.schedule('Resync', t0 + 100);
    timers.schedule('Retry', t0 + 200);
    timers.cancelAll();
    await clock.advance(1000);
    expect(fired).toEqual([]);
  });
});
