// Task phases: Flyte's eleven phases in Flyte's ordinal order, with their predicates.
import * as O from 'fp-ts/lib/Option.js';
import type { Ord } from 'fp-ts/lib/Ord.js';
import * as t from 'io-ts';

/** The phases, in Flyte's ordinal order (code compares ordinals, so the order is part of the contract). */
export const phases = [
  'Undefined',
  'NotReady',
  'WaitingForResources',
  'Queued',
  'Initializing',
  'Running',
  'Success',
  'RetryableFailure',
  'PermanentFailure',
  'WaitingForCache',
  'Aborted',
] as const;

/**
 * Where a task execution stands, in Flyte's vocabulary, so a propeller-like caller can act on it without
 * translation. Only `Success`, the two failures and `Aborted` are final.
 */
export type Phase = (typeof phases)[number];

const ordinals: Readonly<Record<Phase, number>> = Object.fromEntries(phases.map((p, i) => [p, i])) as Record<
  Phase,
  number
>;

// -------------------------------------------------------------------------------------
// refinements
// -------------------------------------------------------------------------------------

/** Guards data read from outside (a stored state, a message) before it is treated as a phase. */
export const isPhase = (u: unknown): u is Phase => typeof u === 'string' && Object.hasOwn(ordinals, u);

/** The task finished and its outputs may be used. */
export const isSuccess = (p: Phase): boolean => p === 'Success';
/**
 * The task failed, whether or not a retry may help: the caller decides from the failure kind, not from this.
 */
export const isFailure = (p: Phase): boolean => p === 'RetryableFailure' || p === 'PermanentFailure';
/** The task was stopped on request, which is neither success nor failure. */
export const isAborted = (p: Phase): boolean => p === 'Aborted';
/**
 * The phase is final: nothing more will be observed for this attempt, and its resources may be cleaned up.
 */
export const isTerminal = (p: Phase): boolean => isSuccess(p) || isFailure(p) || isAborted(p);
/** True only for WaitingForResources (not WaitingForCache), as in Flyte. */
export const isWaitingForResources = (p: Phase): boolean => p === 'WaitingForResources';

// -------------------------------------------------------------------------------------
// conversions
// -------------------------------------------------------------------------------------

/** Flyte's ordinal of the phase (0..10). */
export const ordinal = (p: Phase): number => ordinals[p];

/**
 * The phase with Flyte's ordinal `n`, to read phases encoded as numbers (Flyte's protobuf enum); none for a
 * number that is not one.
 */
export const fromOrdinal = (n: number): O.Option<Phase> => O.fromNullable(phases[n]);

/** Parses an exact phase name. */
export const parse = (s: string): O.Option<Phase> => (isPhase(s) ? O.some(s) : O.none);

/** Flyte's stringification (`PhaseQueued`), for messages aimed at Flyte users. */
export const toFlyteName = (p: Phase): string => `Phase${p}`;

// -------------------------------------------------------------------------------------
// instances
// -------------------------------------------------------------------------------------

/** Orders phases by Flyte ordinal. Note that WaitingForCache sorts after the failure phases, as in Flyte. */
export const OrdPhase: Ord<Phase> = {
  equals: (a, b) => a === b,
  compare: (a, b) => Math.sign(ordinals[a] - ordinals[b]) as -1 | 0 | 1,
};

/** io-ts codec for a phase name. */
export const PhaseC = t.keyof(ordinals, 'Phase');
