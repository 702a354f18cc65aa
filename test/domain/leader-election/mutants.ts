// Planted bugs: the real machine wrapped so it makes one classic leader-election mistake each. The laws must catch them.
import * as O from 'fp-ts/lib/Option.js';
import type { ElectionResult, ElectionState } from '../../../src/domain/leader-election/protocol.js';
import type { LeaseTimings } from '../../../src/domain/leader-election/timings.js';
import { realMachine, type Machine } from './simulation.js';

/** Takes a lease once the holder's renewTime plus its duration is past by the candidate's own clock. */
export const trustsRemoteRenewTime: Machine = {
  start: realMachine.start,
  step: (c, s, o, now) => {
    if (o._tag !== 'LeaseRead' || O.isNone(o.lease)) return realMachine.step(c, s, o, now);
    const { record, resourceVersion } = o.lease.value;
    const expired =
      record.holder !== '' &&
      record.holder !== c.identity &&
      O.isSome(record.renewTime) &&
      record.renewTime.value + O.getOrElse(() => c.timings.leaseDuration)(record.leaseDuration) <= now;
    return realMachine.step(
      c,
      s,
      expired ? { ...o, lease: O.some({ record: { ...record, holder: '' }, resourceVersion }) } : o,
      now,
    );
  },
};

/** Restarts the lease's clock on every read, so a dead holder's lease never expires. */
export const forgetsWhenItSawTheLease: Machine = {
  start: realMachine.start,
  step: (c, s, o, now) => {
    const r = realMachine.step(c, s, o, now);
    const st: ElectionState = r.state;
    if (o._tag !== 'LeaseRead' || st._tag !== 'Running' || O.isNone(st.observed)) return r;
    const fresh: ElectionResult = {
      ...r,
      state: { ...st, observed: O.some({ ...st.observed.value, since: now }) },
    };
    return fresh;
  },
};

/** Sees a released lease (no holder) as held by somebody, so it waits the whole lease duration. */
export const ignoresRelease: Machine = {
  start: realMachine.start,
  step: (c, s, o, now) =>
    realMachine.step(
      c,
      s,
      o._tag === 'LeaseRead' && O.isSome(o.lease) && o.lease.value.record.holder === ''
        ? {
            ...o,
            lease: O.some({ ...o.lease.value, record: { ...o.lease.value.record, holder: 'phantom' } }),
          }
        : o,
      now,
    ),
};

/** Timings with a renew deadline longer than the lease duration (client-go refuses them; so does `leaseTimings`). */
export const deadlineBeyondLease = (t: LeaseTimings): LeaseTimings => ({
  ...t,
  renewDeadline: t.leaseDuration + t.retryPeriod,
});
