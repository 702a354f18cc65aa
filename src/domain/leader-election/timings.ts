// Leader election timings: lease duration, renew deadline and retry period, validated as client-go validates them.
import * as E from 'fp-ts/lib/Either.js';
import type { Duration } from '../time.js';

/**
 * How long a lease lasts, how long a leader keeps trying to renew it, and how often anyone tries. Built only by
 * `leaseTimings` (the brand), so a value of this type always keeps the rule that makes election safe: a leader
 * gives up (after `renewDeadline`) before anybody else may take its lease (after `leaseDuration`).
 */
export interface LeaseTimings {
  /** How long a candidate waits, by its own clock, after last seeing the lease change before it takes it over. */
  readonly leaseDuration: Duration;
  /** How long after its last successful renewal (from when that request was sent) a leader stops leading. */
  readonly renewDeadline: Duration;
  /** How often candidates poll and leaders renew; also the wait after a failed request. */
  readonly retryPeriod: Duration;
  readonly _brand: 'LeaseTimings';
}

/** client-go's (and controller-runtime's) default lease duration: how long a lease nobody renews still holds. */
export const DEFAULT_LEASE_DURATION: Duration = 15_000;
/** The default renew deadline: a leader that has not renewed for this long stops leading (before others may take over). */
export const DEFAULT_RENEW_DEADLINE: Duration = 10_000;
/** The default retry period: how often a candidate reads the lease and a leader renews it. */
export const DEFAULT_RETRY_PERIOD: Duration = 2_000;

/** client-go's jitter factor: the renew deadline must leave room for more than one jittered retry. */
const JITTER_FACTOR = 1.2;

/** The timings as given, before validation. */
export interface LeaseTimingsInput {
  readonly leaseDuration?: Duration;
  readonly renewDeadline?: Duration;
  readonly retryPeriod?: Duration;
}

/**
 * Validates timings (milliseconds; absent ones take client-go's defaults), with client-go's rules: all positive,
 * `leaseDuration > renewDeadline > 1.2 × retryPeriod`. The lease is written in whole seconds, so the lease
 * duration must be a whole number of seconds.
 */
export const leaseTimings = (input: LeaseTimingsInput = {}): E.Either<string, LeaseTimings> => {
  const leaseDuration = input.leaseDuration ?? DEFAULT_LEASE_DURATION;
  const renewDeadline = input.renewDeadline ?? DEFAULT_RENEW_DEADLINE;
  const retryPeriod = input.retryPeriod ?? DEFAULT_RETRY_PERIOD;
  const finite = [leaseDuration, renewDeadline, retryPeriod].every((d) => Number.isFinite(d) && d > 0);
  if (!finite) return E.left('lease duration, renew deadline and retry period must be positive');
  if (leaseDuration % 1000 !== 0)
    return E.left(`lease duration must be a whole number of seconds, got ${leaseDuration}ms`);
  if (leaseDuration <= renewDeadline)
    return E.left(
      `lease duration (${leaseDuration}ms) must be greater than the renew deadline (${renewDeadline}ms)`,
    );
  if (renewDeadline <= JITTER_FACTOR * retryPeriod)
    return E.left(
      `renew deadline (${renewDeadline}ms) must be greater than ${JITTER_FACTOR} × the retry period (${retryPeriod}ms)`,
    );
  return E.right({ leaseDuration, renewDeadline, retryPeriod, _brand: 'LeaseTimings' });
};

/** client-go's defaults, validated. */
export const defaultLeaseTimings: LeaseTimings = {
  leaseDuration: DEFAULT_LEASE_DURATION,
  renewDeadline: DEFAULT_RENEW_DEADLINE,
  retryPeriod: DEFAULT_RETRY_PERIOD,
  _brand: 'LeaseTimings',
};
