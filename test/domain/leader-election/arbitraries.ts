// Worlds for the election laws: timings that client-go accepts, faults, and clock drift the timings can absorb.
import { fc } from '@fast-check/vitest';
import * as E from 'fp-ts/lib/Either.js';
import {
  defaultLeaseTimings,
  leaseTimings,
  type LeaseTimings,
} from '../../../src/domain/leader-election/timings.js';
import { QUIET_DELAY, type Scenario } from './simulation.js';

/** Timings client-go would accept: whole-second lease durations, `L > D > 1.2 R`; the defaults often. */
export const arbTimings: fc.Arbitrary<LeaseTimings> = fc.oneof(
  { weight: 1, arbitrary: fc.constant(defaultLeaseTimings) },
  {
    weight: 2,
    arbitrary: fc
      .record({
        r: fc.integer({ min: 250, max: 3000 }),
        extra: fc.integer({ min: 0, max: 8000 }),
        k: fc.nat(4),
      })
      .map(({ r, extra, k }) => {
        const d = Math.floor(1.2 * r) + 1 + extra;
        const l = (Math.floor(d / 1000) + 1 + k) * 1000;
        return E.getOrElse<string, LeaseTimings>((e) => {
          throw new Error(e);
        })(leaseTimings({ leaseDuration: l, renewDeadline: d, retryPeriod: r }));
      }),
  },
);

/** The largest drift the timings absorb with timers `late` ms late: `D/(1-ε) + late < 0.98·L/(1+ε)`. */
export const driftBound = (t: LeaseTimings, late: number): number => {
  let e = 0.1;
  while (e > 1e-6 && t.renewDeadline / (1 - e) + late >= (0.98 * t.leaseDuration) / (1 + e)) e /= 2;
  return e;
};

/**
 * How late timers may fire: a leader's renewal, sent a retry period after the last one was answered, must come
 * back within its renew deadline, and its deadline must pass before the lease expires for others.
 */
const latenessBound = (t: LeaseTimings): number =>
  Math.min(300, (t.leaseDuration - t.renewDeadline) / 4, (t.renewDeadline - t.retryPeriod) / 4);

interface Knobs {
  readonly timings: LeaseTimings;
  readonly candidates: number;
  readonly seed: number;
  readonly faultLeases: number;
  readonly delayShare: number;
  readonly dropRate: number;
  readonly failRate: number;
  readonly ambiguousRate: number;
  readonly crashes: number;
  readonly downtimeShare: number;
  readonly driftShare: number;
  readonly lateShare: number;
}

const arbKnobs: fc.Arbitrary<Knobs> = fc.record({
  timings: arbTimings,
  candidates: fc.integer({ min: 2, max: 4 }),
  seed: fc.integer(),
  faultLeases: fc.integer({ min: 1, max: 6 }),
  delayShare: fc.double({ min: 0, max: 1, noNaN: true }),
  dropRate: fc.double({ min: 0, max: 0.3, noNaN: true }),
  failRate: fc.double({ min: 0, max: 0.3, noNaN: true }),
  ambiguousRate: fc.double({ min: 0, max: 0.2, noNaN: true }),
  crashes: fc.double({ min: 0, max: 2, noNaN: true }),
  downtimeShare: fc.double({ min: 0, max: 2, noNaN: true }),
  driftShare: fc.double({ min: 0, max: 1, noNaN: true }),
  lateShare: fc.double({ min: 0, max: 1, noNaN: true }),
});

/** A faulty world, then a quiet one long enough for the liveness bound (see `livenessBound`) and two leases more. */
export const arbFaultyScenario: fc.Arbitrary<Scenario> = arbKnobs.map((k) => {
  const t = k.timings;
  const maxTimerLateness = k.lateShare * latenessBound(t);
  const drift = k.driftShare * driftBound(t, maxTimerLateness);
  const base: Scenario = {
    timings: t,
    candidates: k.candidates,
    seed: k.seed,
    faultsUntil: k.faultLeases * t.leaseDuration,
    maxDelay: k.delayShare * t.leaseDuration,
    dropRate: k.dropRate,
    failRate: k.failRate,
    ambiguousRate: k.ambiguousRate,
    crashes: k.crashes,
    maxDowntime: k.downtimeShare * t.leaseDuration,
    drift,
    maxTimerLateness,
    until: 0,
  };
  return { ...base, until: livenessBound(base) + 2 * t.leaseDuration };
});

/**
 * When faults have settled (every message sent while they lasted delivered, every request they left unanswered
 * given up, every crashed process back) and, from then, a lease duration and a retry period later (by the slowest
 * clock, with timer lateness and a few quiet message delays): by then some candidate must lead, for good.
 */
export const livenessBound = (sc: Scenario): number => {
  const t = sc.timings;
  const slow = 1 - sc.drift;
  const settled =
    sc.faultsUntil +
    Math.max(2 * sc.maxDelay, t.renewDeadline / slow + sc.maxTimerLateness, sc.maxDowntime + QUIET_DELAY);
  return settled + (t.leaseDuration + t.retryPeriod) / slow + 8 * QUIET_DELAY + 3 * sc.maxTimerLateness;
};

/** A quiet world in which the leader is asked to stop once elected; its work takes up to two lease durations to end. */
export const arbReleaseScenario: fc.Arbitrary<Scenario> = arbKnobs.map((k) => {
  const t = k.timings;
  const maxTimerLateness = k.lateShare * latenessBound(t);
  const drift = k.driftShare * driftBound(t, maxTimerLateness);
  const stopLeaderAt = 2 * t.leaseDuration;
  const maxWindDown = k.downtimeShare * t.leaseDuration;
  return {
    timings: t,
    candidates: k.candidates,
    seed: k.seed,
    faultsUntil: 0,
    maxDelay: 0,
    dropRate: 0,
    failRate: 0,
    ambiguousRate: 0,
    crashes: 0,
    maxDowntime: 0,
    drift,
    maxTimerLateness,
    stopLeaderAt,
    maxWindDown,
    until: stopLeaderAt + maxWindDown + 2 * t.leaseDuration,
  };
});

/** How soon after the stopped leader's work returned a standby must lead: a retry period and a little. */
export const handoverBound = (sc: Scenario): number =>
  sc.timings.retryPeriod / (1 - sc.drift) + 8 * QUIET_DELAY + 2 * sc.maxTimerLateness;
