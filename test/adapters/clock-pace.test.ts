// The virtual clock's pace in auto mode, and the counting view that tells a busy simulation from an idle one.
import { describe, expect, it } from 'vitest';
import { countingClock, makeVirtualClock } from '../../src/adapters/clock/index.js';

const wall = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('virtual clock pace', () => {
  it('jumps to a far timer at once without a pace', async () => {
    const clock = makeVirtualClock({ auto: true, start: 0 });
    const fired = new Promise<number>((r) => clock.setTimer(86_400_000, () => r(clock.now())));
    expect(await Promise.race([fired, wall(2000).then(() => -1)])).toBe(86_400_000);
    clock.dispose();
  });

  it('with a finite pace, time moves at that rate and a far timer does not fire early', async () => {
    // 10 virtual ms per wall ms: a day-long timer stays far; time moves, but not a day's worth.
    const clock = makeVirtualClock({ auto: true, start: 0, pace: () => 10 });
    let fired = false;
    clock.setTimer(86_400_000, () => (fired = true));
    await wall(300);
    expect(fired).toBe(false);
    expect(clock.now()).toBeGreaterThan(0);
    expect(clock.now()).toBeLessThan(100_000);
    clock.dispose();
  });

  it('fires a near timer at its paced time, and jumps again once the pace is lifted', async () => {
    let rate = 1000;
    const clock = makeVirtualClock({ auto: true, start: 0, pace: () => rate });
    const near = new Promise<number>((r) => clock.setTimer(50_000, () => r(clock.now())));
    // 50 s at 1000x is 50 ms of wall time.
    expect(await Promise.race([near, wall(5000).then(() => -1)])).toBe(50_000);
    rate = Number.POSITIVE_INFINITY;
    const far = new Promise<number>((r) => clock.setTimer(86_400_000, () => r(clock.now())));
    expect(await Promise.race([far, wall(2000).then(() => -1)])).toBe(50_000 + 86_400_000);
    clock.dispose();
  });

  it('a timer set while waiting on the wall clock is asked about at once', async () => {
    let busy = false;
    const clock = makeVirtualClock({ auto: true, start: 0, pace: () => (busy ? Infinity : 1) });
    clock.setTimer(86_400_000, () => undefined);
    await wall(50);
    busy = true;
    const soon = new Promise<number>((r) => clock.setTimer(1000, () => r(clock.now())));
    const at = await Promise.race([soon, wall(2000).then(() => -1)]);
    expect(at).toBeGreaterThanOrEqual(1000);
    expect(at).toBeLessThan(1000 + 5000);
    clock.dispose();
  });
});

describe('countingClock', () => {
  it('counts timers and sleeps until they fire or are cancelled', async () => {
    const base = makeVirtualClock({ start: 0 });
    const { clock, pending } = countingClock(base);
    const cancel = clock.setTimer(10, () => undefined);
    clock.setTimer(20, () => undefined);
    const slept = clock.sleep(30)();
    expect(pending()).toBe(3);
    cancel();
    cancel();
    expect(pending()).toBe(2);
    await base.advance(20);
    expect(pending()).toBe(1);
    await base.advance(10);
    await slept;
    expect(pending()).toBe(0);
    expect(clock.now()).toBe(base.now());
  });
});
