// Laws of the leader election machine over simulated worlds: faults, crashes, drifting clocks; each law is shown
// to catch a planted bug.
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { arbFaultyScenario, arbReleaseScenario, handoverBound, livenessBound } from './arbitraries.js';
import {
  deadlineBeyondLease,
  forgetsWhenItSawTheLease,
  ignoresRelease,
  trustsRemoteRenewTime,
} from './mutants.js';
import { realMachine, simulate, type Machine, type Outcome, type Scenario } from './simulation.js';

/** Never two leaders, and nobody leads once others may take its lease. */
const safe = (o: Outcome): boolean => o.violations.length === 0;

/** From the liveness bound to the end, one leadership term covers the whole time. */
const live = (sc: Scenario, o: Outcome): boolean => {
  const bound = livenessBound(sc);
  return o.terms.some((t) => t.from <= bound && (t.to ?? Infinity) >= sc.until);
};

/** A standby leads within about a retry period of the stopped leader's work returning, and not before. */
const handsOver = (sc: Scenario, o: Outcome): boolean => {
  const stopped = o.stoppedIdentity;
  const at = o.workStoppedAt;
  if (stopped === undefined || at === undefined) return false;
  const others = o.terms.filter((t) => t.identity !== stopped);
  const early = others.some((t) => t.from < at && (t.to ?? Infinity) > at);
  const successor = others.find((t) => t.from >= at);
  return !early && successor !== undefined && successor.from <= at + handoverBound(sc);
};

const catches = (arb: fc.Arbitrary<Scenario>, law: (sc: Scenario) => boolean): boolean =>
  fc.check(fc.property(arb, law), { numRuns: 200 }).failed;

const explain = (o: Outcome): string => o.violations.slice(0, 3).join('\n');

describe('leader election laws', () => {
  test.prop([arbFaultyScenario])('never two leaders; nobody leads once others may take its lease', (sc) => {
    const o = simulate(sc);
    expect(o.violations, explain(o)).toEqual([]);
  });

  test.prop([arbFaultyScenario])('once faults settle, some candidate leads within L + R, for good', (sc) => {
    const o = simulate(sc);
    expect(o.violations, explain(o)).toEqual([]);
    expect(live(sc, o)).toBe(true);
  });

  test.prop([arbReleaseScenario])(
    'a stopping leader keeps the lease until its work returns, then a standby leads within a retry period',
    (sc) => {
      const o = simulate(sc);
      expect(o.violations, explain(o)).toEqual([]);
      expect(handsOver(sc, o)).toBe(true);
    },
  );
});

// Each planted bug breaks its law in roughly one world in ten or more: 200 worlds find it.
describe('the laws catch planted bugs', { timeout: 180_000 }, () => {
  const safetyOf = (m: Machine, timings?: (sc: Scenario) => Scenario['timings']) => (sc: Scenario) =>
    safe(simulate(sc, m, timings?.(sc)));

  it('safety: taking a lease on the holder’s renewTime (clocks disagree)', () => {
    expect(catches(arbFaultyScenario, safetyOf(trustsRemoteRenewTime))).toBe(true);
  });

  it('safety: a renew deadline at or beyond the lease duration', () => {
    expect(
      catches(
        arbFaultyScenario,
        safetyOf(realMachine, (sc) => deadlineBeyondLease(sc.timings)),
      ),
    ).toBe(true);
  });

  it('liveness: restarting the expiry clock on every read (a dead holder’s lease never expires)', () => {
    expect(catches(arbFaultyScenario, (sc) => live(sc, simulate(sc, forgetsWhenItSawTheLease)))).toBe(true);
  });

  it('handover: treating a released lease as held', () => {
    expect(catches(arbReleaseScenario, (sc) => handsOver(sc, simulate(sc, ignoresRelease)))).toBe(true);
  });
});
