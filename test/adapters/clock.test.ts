// The virtual clock: ordered timers, settling between them, auto mode; and the system clock's basics.
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { makeVirtualClock, steadyClock, systemClock } from '../../src/adapters/clock/index.js';

describe('virtual clock', () => {
  test.prop([fc.array(fc.integer({ min: 0, max: 10_000 }), { maxLength: 20 })])(
    'fires timers in due order, ties in the order they were set, at their due time',
    async (delays) => {
      const clock = makeVirtualClock({ start: 0 });
      const fired: Array<[number, number]> = [];
      delays.forEach((d, i) => clock.setTimer(d, () => fired.push([i, clock.now()])));
      await clock.advance(10_000);
      const expected = delays
        .map((d, i) => [i, d] as [number, number])
        .sort((a, b) => a[1] - b[1] || a[0] - b[0]);
      expect(fired).toEqual(expected);
      expect(clock.now()).toBe(10_000);
    },
  );

  it('does not fire cancelled timers, nor timers past the target', async () => {
    const clock = makeVirtualClock({ start: 0 });
    const fired: string[] = [];
    const cancel = clock.setTimer(5, () => fired.push('cancelled'));
    clock.setTimer(20, () => fired.push('late'));
    clock.setTimer(10, () => fired.push('due'));
    cancel();
    await clock.advance(15);
    expect(fired).toEqual(['due']);
    expect(clock.pendingTimers()).toBe(1);
  });

  it('lets the work a timer starts settle before the next timer fires', async () => {
    const clock = makeVirtualClock({ start: 0 });
    const log: string[] = [];
    clock.setTimer(1, () => {
      void Promise.resolve()
        .then(() => Promise.resolve())
        .then(() => {
          log.push('work of first');
          clock.setTimer(1, () => log.push('timer set by first'));
        });
    });
    clock.setTimer(3, () => log.push('second'));
    await clock.advance(5);
    expect(log).toEqual(['work of first', 'timer set by first', 'second']);
  });

  it('sleeps on virtual time', async () => {
    const clock = makeVirtualClock({ start: 1000 });
    let woke = false;
    const sleeping = clock
      .sleep(500)()
      .then(() => {
        woke = true;
      });
    await clock.advance(499);
    expect(woke).toBe(false);
    await clock.advance(1);
    await sleeping;
    expect(woke).toBe(true);
    expect(clock.now()).toBe(1500);
  });

  it('runs itself in auto mode: an hour of sleeping takes no real time', async () => {
    const clock = makeVirtualClock({ start: 0, auto: true });
    const started = Date.now();
    for (let i = 0; i < 60; i++) await clock.sleep(60_000)();
    expect(clock.now()).toBe(3_600_000);
    expect(Date.now() - started).toBeLessThan(5000);
    clock.dispose();
  });

  it('runAll fires everything (up to a limit) and dispose drops timers', async () => {
    const clock = makeVirtualClock({ start: 0 });
    let n = 0;
    const again = (): void => {
      n++;
      clock.setTimer(1000, again);
    };
    clock.setTimer(1000, again);
    await clock.runAll(10_500);
    expect(n).toBe(10);
    clock.dispose();
    expect(clock.pendingTimers()).toBe(0);
  });
});

describe('system clock', () => {
  it('reads the wall clock and sleeps for real', async () => {
    const before = Date.now();
    expect(Math.abs(systemClock.now() - before)).toBeLessThan(1000);
    await systemClock.sleep(5)();
    expect(Date.now()).toBeGreaterThanOrEqual(before + 4);
    let fired = false;
    const cancel = systemClock.setTimer(1, () => {
      fired = true;
    });
    cancel();
    await systemClock.sleep(10)();
    expect(fired).toBe(false);
  });
});

describe('steadyClock', () => {
  it('reads near the wall clock and never goes back', async () => {
    const first = steadyClock.now();
    expect(Math.abs(first - Date.now())).toBeLessThan(1000);
    await steadyClock.sleep(5)();
    expect(steadyClock.now()).toBeGreaterThanOrEqual(first + 4);
  });
});
