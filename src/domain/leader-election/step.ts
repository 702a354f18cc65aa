// The leader election machine: one step per observation, as client-go's LeaderElector decides, with time as a value.
import * as O from 'fp-ts/lib/Option.js';
import type { Duration, Instant } from '../time.js';
import type { LeaseRecord, StoredLease } from './lease.js';
import type {
  Activity,
  ElectionCommand,
  ElectionObservation,
  ElectionResult,
  ElectionState,
  Observed,
  UpdateIntent,
  WriteOutcome,
} from './protocol.js';
import type { LeaseTimings } from './timings.js';

/** Who this process is and its timings. The identity must be unique to the process (a restart is a new one). */
export interface ElectionConfig {
  readonly identity: string;
  readonly timings: LeaseTimings;
}

type Running = Extract<ElectionState, { readonly _tag: 'Running' }>;

interface Acc {
  readonly state: ElectionState;
  readonly commands: ReadonlyArray<ElectionCommand>;
}

/** How long a released lease says it lasts, as client-go writes it (nobody waits on it: the holder is empty). */
const RELEASED_DURATION: Duration = 1000;

const idleAt = (s: Running, nextAt: Instant): Running => ({ ...s, activity: { _tag: 'Idle', nextAt } });

const ended = (end: ElectionState & { readonly _tag: 'Ended' }): ElectionState => end;

const stopped: ElectionState = { _tag: 'Ended', end: { _tag: 'Stopped' } };

/** A request that waits longer than this for its answer counts as failed (its late answer is ignored). */
const requestTimeout = (c: ElectionConfig): Duration => c.timings.renewDeadline;

const ownedBy = (identity: string, o: O.Option<Observed>): O.Option<StoredLease> =>
  O.isSome(o) && o.value.lease.record.holder === identity ? O.some(o.value.lease) : O.none;

/** The lease as now seen; `since` moves only when the lease changed. */
const observe = (prev: O.Option<Observed>, lease: StoredLease, now: Instant): Observed => {
  if (O.isSome(prev)) {
    const p = prev.value.lease;
    const same =
      p.resourceVersion === lease.resourceVersion &&
      p.record.holder === lease.record.holder &&
      O.getEq({ equals: (a: number, b: number) => a === b }).equals(
        p.record.renewTime,
        lease.record.renewTime,
      );
    if (same) return { lease, since: prev.value.since };
  }
  return { lease, since: now };
};

const send = (
  s: Running,
  command: (seq: number) => ElectionCommand,
  activity: (seq: number) => Activity,
): Acc => {
  const seq = s.seq + 1;
  return { state: { ...s, seq, activity: activity(seq) }, commands: [command(seq)] };
};

const get = (s: Running, now: Instant): Acc =>
  send(
    s,
    (seq) => ({ _tag: 'GetLease', seq }),
    (seq) => ({ _tag: 'Reading', seq, sentAt: now }),
  );

const create = (s: Running, now: Instant, record: LeaseRecord): Acc =>
  send(
    s,
    (seq) => ({ _tag: 'CreateLease', seq, record }),
    (seq) => ({ _tag: 'Writing', seq, sentAt: now, intent: 'Create', record }),
  );

const update = (
  s: Running,
  now: Instant,
  intent: UpdateIntent,
  record: LeaseRecord,
  resourceVersion: string,
): Acc =>
  send(
    s,
    (seq) => ({ _tag: 'UpdateLease', seq, intent, record, resourceVersion }),
    (seq) => ({ _tag: 'Writing', seq, sentAt: now, intent, record }),
  );

/** Our record: a new holding (`from` absent or someone else's) or a renewal of ours. */
const ours = (c: ElectionConfig, now: Instant, from: O.Option<LeaseRecord>): LeaseRecord => {
  const renewal = O.isSome(from) && from.value.holder === c.identity;
  return {
    holder: c.identity,
    leaseDuration: O.some(c.timings.leaseDuration),
    acquireTime: renewal && O.isSome(from.value.acquireTime) ? from.value.acquireTime : O.some(now),
    renewTime: O.some(now),
    transitions: O.isNone(from) ? 0 : renewal ? from.value.transitions : from.value.transitions + 1,
  };
};

const released = (now: Instant, from: LeaseRecord): LeaseRecord => ({
  holder: '',
  leaseDuration: O.some(RELEASED_DURATION),
  acquireTime: O.some(now),
  renewTime: O.some(now),
  transitions: from.transitions,
});

/** Leadership ends without a release; a leader's work is stopped (a stepping-down one's already is). */
const lose = (s: Running, reason: string): Acc => ({
  state: ended({ _tag: 'Ended', end: { _tag: 'Lost', reason } }),
  commands: s.role._tag === 'Leader' ? [{ _tag: 'StopLeading', reason }] : [],
});

const holderText = (holder: string): string =>
  holder === '' ? 'the lease was released by another process' : `the lease is held by ${holder}`;

/** The answer to our read, with `observed` already updated. */
const onRead = (c: ElectionConfig, s: Running, now: Instant): Acc => {
  const seen = s.observed;
  switch (s.role._tag) {
    case 'Candidate': {
      if (O.isNone(seen)) return create(s, now, ours(c, now, O.none));
      const { lease, since } = seen.value;
      const holder = lease.record.holder;
      const expiresAt = since + O.getOrElse(() => c.timings.leaseDuration)(lease.record.leaseDuration);
      // Free, ours (a write of ours stored though its answer was lost), or unchanged for its whole duration by
      // our own clock: take it. The holder's renewTime is never compared with our clock.
      if (holder === '' || holder === c.identity || now >= expiresAt)
        return update(s, now, 'Acquire', ours(c, now, O.some(lease.record)), lease.resourceVersion);
      return { state: idleAt(s, Math.min(now + c.timings.retryPeriod, expiresAt)), commands: [] };
    }
    case 'Leader':
    case 'SteppingDown': {
      if (O.isNone(seen)) return lose(s, 'the lease was deleted');
      const { lease } = seen.value;
      if (lease.record.holder !== c.identity) return lose(s, holderText(lease.record.holder));
      return update(s, now, 'Renew', ours(c, now, O.some(lease.record)), lease.resourceVersion);
    }
    case 'Releasing':
    case 'Quitting': {
      const mine = ownedBy(c.identity, seen);
      return O.isSome(mine)
        ? update(s, now, 'Release', released(now, mine.value.record), mine.value.resourceVersion)
        : { state: stopped, commands: [] };
    }
  }
};

const onWritten = (
  c: ElectionConfig,
  s: Running,
  w: Extract<Activity, { readonly _tag: 'Writing' }>,
  resourceVersion: string,
  now: Instant,
): Acc => {
  const written: Running = {
    ...s,
    observed: O.some({
      lease: { record: w.record, resourceVersion: resourceVersion },
      since: now,
    }),
  };
  switch (s.role._tag) {
    case 'Candidate':
      // A leader counts from when its write was sent: the lease may have been stored, and seen by others,
      // any time after that. An answer that comes too late to lead on is followed by a fresh renewal.
      return now < w.sentAt + c.timings.renewDeadline
        ? {
            state: idleAt(
              { ...written, role: { _tag: 'Leader', renewedAt: w.sentAt } },
              now + c.timings.retryPeriod,
            ),
            commands: [{ _tag: 'StartLeading' }],
          }
        : { state: idleAt(written, now), commands: [] };
    case 'Leader':
    case 'SteppingDown':
      return {
        state: idleAt(
          { ...written, role: { ...s.role, renewedAt: Math.max(s.role.renewedAt, w.sentAt) } },
          now + c.timings.retryPeriod,
        ),
        commands: [],
      };
    case 'Releasing':
      return w.intent === 'Release'
        ? { state: stopped, commands: [] }
        : { state: idleAt(written, now), commands: [] };
    case 'Quitting':
      return {
        state: idleAt(
          { ...written, role: { _tag: 'Releasing', giveUpAt: now + c.timings.renewDeadline } },
          now,
        ),
        commands: [],
      };
  }
};

const onWrite = (
  c: ElectionConfig,
  s: Running,
  w: Extract<Activity, { readonly _tag: 'Writing' }>,
  outcome: WriteOutcome,
  now: Instant,
): Acc => {
  const retry = { state: idleAt(s, now + c.timings.retryPeriod), commands: [] };
  const reread = get(s, now);
  switch (outcome._tag) {
    case 'Written':
      return onWritten(c, s, w, outcome.resourceVersion, now);
    case 'Conflict':
      return s.role._tag === 'Quitting' ? { state: stopped, commands: [] } : reread;
    case 'Failed':
      switch (s.role._tag) {
        case 'Candidate':
        case 'Releasing':
        case 'Leader':
        case 'SteppingDown':
          // A retry period later, as client-go polls; were the write stored after all, the retry (guarded by the
          // version it knew) answers Conflict and the lease is read again. Retrying at once would hammer a
          // struggling API server.
          return retry;
        case 'Quitting':
          // It may have been stored: find out, and release it if so.
          return {
            state: idleAt(
              { ...s, role: { _tag: 'Releasing', giveUpAt: now + c.timings.renewDeadline } },
              now,
            ),
            commands: [],
          };
      }
  }
};

const apply = (c: ElectionConfig, s: Running, o: ElectionObservation, now: Instant): Acc => {
  const a = s.activity;
  switch (o._tag) {
    case 'TimerFired':
      return { state: s, commands: [] };
    case 'StopRequested':
      switch (s.role._tag) {
        case 'Candidate':
          return a._tag === 'Writing'
            ? { state: { ...s, role: { _tag: 'Quitting' } }, commands: [] }
            : { state: stopped, commands: [] };
        case 'Leader':
          return {
            state: { ...s, role: { _tag: 'SteppingDown', renewedAt: s.role.renewedAt } },
            commands: [{ _tag: 'StopLeading', reason: 'stop requested' }],
          };
        default:
          return { state: s, commands: [] };
      }
    case 'WorkStopped': {
      // Release at once (a renewal in flight is answered first, and the release follows it).
      const releasing: Running = {
        ...s,
        role: { _tag: 'Releasing', giveUpAt: now + c.timings.renewDeadline },
        activity: a._tag === 'Idle' ? { _tag: 'Idle', nextAt: now } : a,
      };
      switch (s.role._tag) {
        case 'Leader':
          return {
            state: releasing,
            commands: [{ _tag: 'StopLeading', reason: 'the work ended' }],
          };
        case 'SteppingDown':
          return { state: releasing, commands: [] };
        default:
          return { state: s, commands: [] };
      }
    }
    case 'ReadFailed':
      if (a._tag !== 'Reading' || a.seq !== o.seq) return { state: s, commands: [] };
      return { state: idleAt(s, now + c.timings.retryPeriod), commands: [] };
    case 'LeaseRead': {
      if (a._tag !== 'Reading' || a.seq !== o.seq) return { state: s, commands: [] };
      const observed = O.map((l: StoredLease) => observe(s.observed, l, now))(o.lease);
      return onRead(c, { ...s, observed, activity: { _tag: 'Idle', nextAt: now } }, now);
    }
    case 'WriteAnswered':
      if (a._tag !== 'Writing' || a.seq !== o.seq) return { state: s, commands: [] };
      return onWrite(c, s, a, o.outcome, now);
  }
};

/** When the next thing is due: a request, a request's timeout, a leader's deadline, a release's last chance. */
const wakeAt = (c: ElectionConfig, s: Running): Instant => {
  const a = s.activity;
  const activity = a._tag === 'Idle' ? a.nextAt : a.sentAt + requestTimeout(c);
  const r = s.role;
  switch (r._tag) {
    case 'Leader':
    case 'SteppingDown':
      return Math.min(activity, r.renewedAt + c.timings.renewDeadline);
    case 'Releasing':
      return Math.min(activity, r.giveUpAt);
    default:
      return activity;
  }
};

/** Whatever is due at `now`: deadlines first, then timed-out requests, then the next request. */
const drive = (c: ElectionConfig, now: Instant, acc: Acc): ElectionResult => {
  let { state, commands } = acc;
  // Each round either ends the machine, sends a request (which is not due again before `now`) or turns a
  // timed-out request into an idle activity; three rounds always suffice, the bound only guards the loop.
  for (let round = 0; round < 8 && state._tag === 'Running'; round++) {
    const s: Running = state;
    const r = s.role;
    let next: Acc | undefined;
    if ((r._tag === 'Leader' || r._tag === 'SteppingDown') && now >= r.renewedAt + c.timings.renewDeadline) {
      next = lose(s, 'the lease was not renewed within the renew deadline');
    } else if (r._tag === 'Releasing' && now >= r.giveUpAt) {
      next = { state: stopped, commands: [] };
    } else if (s.activity._tag !== 'Idle' && now >= s.activity.sentAt + requestTimeout(c)) {
      const why = 'no answer within the request timeout';
      next =
        s.activity._tag === 'Reading'
          ? apply(c, s, { _tag: 'ReadFailed', seq: s.activity.seq, reason: why }, now)
          : apply(
              c,
              s,
              { _tag: 'WriteAnswered', seq: s.activity.seq, outcome: { _tag: 'Failed', reason: why } },
              now,
            );
    } else if (s.activity._tag === 'Idle' && now >= s.activity.nextAt) {
      next = due(c, s, now);
    }
    if (next === undefined) break;
    state = next.state;
    commands = [...commands, ...next.commands];
  }
  return state._tag === 'Running'
    ? { state, commands: [...commands, { _tag: 'SetTimer', at: wakeAt(c, state) }] }
    : { state, commands };
};

/** The request an idle machine sends when its time comes. */
const due = (c: ElectionConfig, s: Running, now: Instant): Acc => {
  const mine = ownedBy(c.identity, s.observed);
  switch (s.role._tag) {
    case 'Leader':
    case 'SteppingDown':
      return O.isSome(mine)
        ? update(s, now, 'Renew', ours(c, now, O.some(mine.value.record)), mine.value.resourceVersion)
        : get(s, now);
    case 'Releasing':
      return O.isSome(mine)
        ? update(s, now, 'Release', released(now, mine.value.record), mine.value.resourceVersion)
        : get(s, now);
    default:
      return get(s, now);
  }
};

/** The machine at `now`: a candidate that reads the lease at once. */
export const start = (c: ElectionConfig, now: Instant): ElectionResult =>
  drive(c, now, {
    state: {
      _tag: 'Running',
      seq: 0,
      observed: O.none,
      role: { _tag: 'Candidate' },
      activity: { _tag: 'Idle', nextAt: now },
    },
    commands: [],
  });

/**
 * One step: the state after observation `o` at `now` (by this process's clock, which only has to run at nearly the
 * same rate as the others': nothing here compares it with another process's clock), and the commands to run, in
 * order. `StopLeading` always comes before the release it allows; an ended machine ignores everything.
 */
export const step = (
  c: ElectionConfig,
  state: ElectionState,
  o: ElectionObservation,
  now: Instant,
): ElectionResult =>
  state._tag === 'Ended' ? { state, commands: [] } : drive(c, now, apply(c, state, o, now));

/** Whether the machine's process leads: its work may run (a stepping-down leader's is winding down). */
export const isLeading = (s: ElectionState): boolean => s._tag === 'Running' && s.role._tag === 'Leader';
