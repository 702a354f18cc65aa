// Per-namespace quota gates: creates held while a namespace backs off, let go in order when it reopens.
import { describe, expect, it } from 'vitest';
import { makeVirtualClock } from '../../src/adapters/clock/index.js';
import { QuotaGates } from '../../src/app/quota-gates.js';

const setup = () => {
  const clock = makeVirtualClock();
  const reopened: string[] = [];
  const gates = new QuotaGates({
    clock,
    backoff: { 'base-duration': 1000, 'max-duration': 8000, jitter: 0 },
    random: () => 0.5,
    onReopen: (ns) => reopened.push(ns),
  });
  return { clock, gates, reopened };
};

describe('QuotaGates', () => {
  it('sends at once while open', async () => {
    const { gates } = setup();
    await expect(gates.admit('a', () => Promise.resolve(1))).resolves.toBe(1);
  });

  it('holds creates of a rejected namespace until its back-off ends, then lets them go before telling', async () => {
    const { clock, gates, reopened } = setup();
    gates.reject('a');
    const sent: string[] = [];
    const held = gates.admit('a', () => (sent.push('held'), Promise.resolve('ok')));
    const other = gates.admit('b', () => (sent.push('other'), Promise.resolve('ok')));
    await other;
    expect(sent).toEqual(['other']);
    await clock.advance(999);
    expect(sent).toEqual(['other']);
    await clock.advance(1);
    await expect(held).resolves.toBe('ok');
    expect(sent).toEqual(['other', 'held']);
    expect(reopened).toEqual(['a']);
  });

  it('backs off longer on each rejection, and starts over once a create is accepted', async () => {
    const { clock, gates, reopened } = setup();
    gates.reject('a');
    await clock.advance(1000);
    gates.reject('a');
    await clock.advance(1000);
    expect(reopened).toEqual(['a']);
    await clock.advance(1000);
    expect(reopened).toEqual(['a', 'a']);
    gates.accept('a');
    gates.reject('a');
    await clock.advance(1000);
    expect(reopened).toEqual(['a', 'a', 'a']);
  });

  it('stop cancels the reopening', async () => {
    const { clock, gates, reopened } = setup();
    gates.reject('a');
    gates.stop();
    await clock.advance(10_000);
    expect(reopened).toEqual([]);
  });
});
