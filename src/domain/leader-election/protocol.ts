// What the leader election machine hears (observations), asks for (commands) and remembers (state): plain data.
import type * as O from 'fp-ts/lib/Option.js';
import type { Instant } from '../time.js';
import type { LeaseRecord, StoredLease } from './lease.js';

// -------------------------------------------------------------------------------------
// observations
// -------------------------------------------------------------------------------------

/** How the API server answered a create or an update of the lease. */
export type WriteOutcome =
  /** Stored; the lease's new resourceVersion. */
  | { readonly _tag: 'Written'; readonly resourceVersion: string }
  /** Somebody wrote first: Conflict on update, AlreadyExists on create, NotFound on update of a deleted lease. */
  | { readonly _tag: 'Conflict' }
  /** Anything else (a timeout, a 500, a broken connection): the write may or may not have been stored. */
  | { readonly _tag: 'Failed'; readonly reason: string };

/** A fact the interpreter reports. Answers carry the `seq` of their request; answers to older requests are ignored. */
export type ElectionObservation =
  | { readonly _tag: 'LeaseRead'; readonly seq: number; readonly lease: O.Option<StoredLease> }
  | { readonly _tag: 'ReadFailed'; readonly seq: number; readonly reason: string }
  | { readonly _tag: 'WriteAnswered'; readonly seq: number; readonly outcome: WriteOutcome }
  /** The timer set by the last `SetTimer` fired (an early or spurious one is harmless). */
  | { readonly _tag: 'TimerFired' }
  /** The process is asked to stop (SIGTERM): stop leading, release the lease, end. */
  | { readonly _tag: 'StopRequested' }
  /** The work started by `StartLeading` has returned (after `StopLeading`, or on its own). */
  | { readonly _tag: 'WorkStopped' };

// -------------------------------------------------------------------------------------
// commands
// -------------------------------------------------------------------------------------

/** Why an update is sent: to take the lease, to keep it, or to give it up. */
export type UpdateIntent = 'Acquire' | 'Renew' | 'Release';

/** A request for the interpreter. Every request is answered by exactly one observation with its `seq`. */
export type ElectionCommand =
  | { readonly _tag: 'GetLease'; readonly seq: number }
  | { readonly _tag: 'CreateLease'; readonly seq: number; readonly record: LeaseRecord }
  /** Update guarded by `resourceVersion`: stored only if the lease is still at that version (else Conflict). */
  | {
      readonly _tag: 'UpdateLease';
      readonly seq: number;
      readonly intent: UpdateIntent;
      readonly record: LeaseRecord;
      readonly resourceVersion: string;
    }
  /** Begin the work that only the leader does. */
  | { readonly _tag: 'StartLeading' }
  /** Stop that work now (abort it); the interpreter reports `WorkStopped` once it has returned. */
  | { readonly _tag: 'StopLeading'; readonly reason: string }
  /** Report `TimerFired` at this instant (by the process's own clock); replaces the previous timer. */
  | { readonly _tag: 'SetTimer'; readonly at: Instant };

// -------------------------------------------------------------------------------------
// state
// -------------------------------------------------------------------------------------

/** The lease as last seen, and when (by our clock) we first saw it at that version. */
export interface Observed {
  readonly lease: StoredLease;
  readonly since: Instant;
}

/** What this process is to the election. */
export type Role =
  /** Waiting for the lease: polls it and takes it when free, its own, or unchanged for its lease duration. */
  | { readonly _tag: 'Candidate' }
  /** Leads. `renewedAt`: when the last request that stored our record was sent (not answered). */
  | { readonly _tag: 'Leader'; readonly renewedAt: Instant }
  /** Asked to stop: the work is winding down; the lease is still renewed so nobody else starts meanwhile. */
  | { readonly _tag: 'SteppingDown'; readonly renewedAt: Instant }
  /** The work has stopped: clear the lease's holder so a candidate takes over at once; give up at `giveUpAt`. */
  | { readonly _tag: 'Releasing'; readonly giveUpAt: Instant }
  /** Asked to stop as a candidate while a write that may take the lease was in flight: release it if it did. */
  | { readonly _tag: 'Quitting' };

/** What request is out, if any. */
export type Activity =
  | { readonly _tag: 'Idle'; readonly nextAt: Instant }
  | { readonly _tag: 'Reading'; readonly seq: number; readonly sentAt: Instant }
  | {
      readonly _tag: 'Writing';
      readonly seq: number;
      readonly sentAt: Instant;
      readonly intent: UpdateIntent | 'Create';
      readonly record: LeaseRecord;
    };

/** How an election ended. */
export type ElectionEnd =
  /** Stopped on request; the lease was released if we held it. */
  | { readonly _tag: 'Stopped' }
  /** Leadership was lost: not renewed within the deadline, or taken, or the lease deleted. */
  | { readonly _tag: 'Lost'; readonly reason: string };

/** The machine's whole state. */
export type ElectionState =
  | {
      readonly _tag: 'Running';
      /** The seq of the last request sent. */
      readonly seq: number;
      readonly observed: O.Option<Observed>;
      readonly role: Role;
      readonly activity: Activity;
    }
  | { readonly _tag: 'Ended'; readonly end: ElectionEnd };

/** A step's result: the next state and what to do. */
export interface ElectionResult {
  readonly state: ElectionState;
  readonly commands: ReadonlyArray<ElectionCommand>;
}
