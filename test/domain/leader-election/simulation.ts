// A discrete-event world for the leader election machine: candidates with drifting clocks, a shared lease store
// with resourceVersions, a network that delays, drops and fails, crashes and restarts.
import * as O from 'fp-ts/lib/Option.js';
import type { LeaseRecord } from '../../../src/domain/leader-election/lease.js';
import type {
  ElectionCommand,
  ElectionObservation,
  ElectionResult,
  ElectionState,
} from '../../../src/domain/leader-election/protocol.js';
import { start, step, type ElectionConfig } from '../../../src/domain/leader-election/step.js';
import type { LeaseTimings } from '../../../src/domain/leader-election/timings.js';

/** The machine under test: the real one, or a planted bug built around it. */
export interface Machine {
  readonly start: (c: ElectionConfig, now: number) => ElectionResult;
  readonly step: (c: ElectionConfig, s: ElectionState, o: ElectionObservation, now: number) => ElectionResult;
}

export const realMachine: Machine = { start, step };

/** One world to simulate; every random choice comes from `seed`. */
export interface Scenario {
  readonly timings: LeaseTimings;
  readonly candidates: number;
  readonly seed: number;
  /** Real time (ms) at which faults stop: no drops, failures, crashes or long delays are started after it. */
  readonly faultsUntil: number;
  /** Longest one-way delay while faults last; afterwards every delay is at most `QUIET_DELAY`. */
  readonly maxDelay: number;
  /** Per message: dropped; per write: refused with an error, or stored with an error answered. */
  readonly dropRate: number;
  readonly failRate: number;
  readonly ambiguousRate: number;
  /** Expected crashes per candidate while faults last. */
  readonly crashes: number;
  /** How long a crashed process stays down, at most. */
  readonly maxDowntime: number;
  /** Clocks run at rates within [1 - drift, 1 + drift] and start at unrelated offsets (up to a day apart). */
  readonly drift: number;
  /** Timers fire late by up to this (a busy event loop). */
  readonly maxTimerLateness: number;
  /** Real time at which the simulation ends. */
  readonly until: number;
  /** Ask the leader at this real time to stop (SIGTERM); its work takes up to `maxWindDown` to return. */
  readonly stopLeaderAt?: number;
  readonly maxWindDown?: number;
}

/** Delays once faults have stopped. */
export const QUIET_DELAY = 5;

/** A leadership period, in real time, of one process incarnation. */
export interface Term {
  readonly candidate: number;
  readonly identity: string;
  readonly from: number;
  to: number | undefined;
}

export interface Outcome {
  readonly terms: ReadonlyArray<Term>;
  /** Broken laws, as text (empty when all hold). */
  readonly violations: ReadonlyArray<string>;
  /** When the stopped leader's work returned (release scenarios). */
  readonly workStoppedAt: number | undefined;
  readonly stoppedIdentity: string | undefined;
}

const mulberry32 = (seed: number): (() => number) => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

interface Clock {
  anchorReal: number;
  anchorLocal: number;
  rate: number;
}

const localAt = (c: Clock, t: number): number => c.anchorLocal + (t - c.anchorReal) * c.rate;
const realAt = (c: Clock, local: number): number => c.anchorReal + (local - c.anchorLocal) / c.rate;

interface Process {
  readonly index: number;
  incarnation: number;
  identity: string;
  alive: boolean;
  state: ElectionState;
  clock: Clock;
  timerToken: number;
  timerLocal: number | undefined;
  leading: Term | undefined;
  working: boolean;
}

type Event =
  | { readonly kind: 'request'; readonly p: number; readonly inc: number; readonly cmd: ElectionCommand }
  | { readonly kind: 'answer'; readonly p: number; readonly inc: number; readonly obs: ElectionObservation }
  | { readonly kind: 'timer'; readonly p: number; readonly token: number }
  | { readonly kind: 'crash'; readonly p: number }
  | { readonly kind: 'restart'; readonly p: number }
  | { readonly kind: 'rate'; readonly p: number }
  | { readonly kind: 'stop' }
  | { readonly kind: 'workStopped'; readonly p: number; readonly inc: number };

interface Queued {
  readonly at: number;
  readonly seq: number;
  readonly event: Event;
}

/** Runs the scenario; `check` sees the world after every event and returns violations. */
export const simulate = (
  sc: Scenario,
  machine: Machine = realMachine,
  timings: LeaseTimings = sc.timings,
): Outcome => {
  const rnd = mulberry32(sc.seed);
  const between = (lo: number, hi: number): number => lo + rnd() * (hi - lo);
  const queue: Queued[] = [];
  let qseq = 0;
  const schedule = (at: number, event: Event): void => {
    const q = { at, seq: qseq++, event };
    // Insertion keeps the queue sorted; the worlds are small.
    let i = queue.length;
    while (i > 0 && (queue[i - 1]!.at > at || (queue[i - 1]!.at === at && queue[i - 1]!.seq > q.seq))) i--;
    queue.splice(i, 0, q);
  };
  let now = 0;
  const faulty = (): boolean => now < sc.faultsUntil;
  const delay = (): number => (faulty() ? between(0, sc.maxDelay) : between(0, QUIET_DELAY));
  const newClock = (): Clock => ({
    anchorReal: now,
    anchorLocal: between(1.7e12, 1.7e12 + 86_400_000),
    rate: between(1 - sc.drift, 1 + sc.drift),
  });

  // The shared store: one Lease.
  let lease: { record: LeaseRecord; rv: number } | undefined;
  let rvCounter = 0;
  /** Real time at which the latest record naming each identity as holder was stored. */
  const storedAt = new Map<string, number>();

  const terms: Term[] = [];
  const violations: string[] = [];
  let workStoppedAt: number | undefined;
  let stoppedIdentity: string | undefined;

  const procs: Process[] = Array.from({ length: sc.candidates }, (_, index) => ({
    index,
    incarnation: 0,
    identity: `c${index}.0`,
    alive: true,
    state: { _tag: 'Ended', end: { _tag: 'Stopped' } },
    clock: newClock(),
    timerToken: 0,
    timerLocal: undefined,
    leading: undefined,
    working: false,
  }));
  const configOf = (p: Process): ElectionConfig => ({ identity: p.identity, timings });

  const armTimer = (p: Process): void => {
    p.timerToken++;
    if (p.timerLocal === undefined) return;
    const due = Math.max(now, realAt(p.clock, p.timerLocal)) + between(0, sc.maxTimerLateness);
    schedule(due, { kind: 'timer', p: p.index, token: p.timerToken });
  };

  const valid = timings.leaseDuration / (1 + sc.drift);
  /** A leader may lead only while others cannot yet take its lease: within `valid` of its last stored record. */
  const checkValid = (identity: string): void => {
    const stored = storedAt.get(identity);
    if (stored === undefined || now > stored + valid)
      violations.push(
        `${identity} leads at ${now.toFixed(0)}ms, after others may take its lease (stored at ${stored?.toFixed(0) ?? 'never'}ms)`,
      );
  };

  const endTerm = (p: Process): void => {
    if (p.leading !== undefined) {
      checkValid(p.identity);
      p.leading.to = now;
      p.leading = undefined;
    }
  };

  const run = (p: Process, r: ElectionResult): void => {
    p.state = r.state;
    for (const cmd of r.commands) {
      switch (cmd._tag) {
        case 'GetLease':
        case 'CreateLease':
        case 'UpdateLease':
          if (faulty() && rnd() < sc.dropRate) break;
          schedule(now + delay(), { kind: 'request', p: p.index, inc: p.incarnation, cmd });
          break;
        case 'StartLeading': {
          const term: Term = { candidate: p.index, identity: p.identity, from: now, to: undefined };
          terms.push(term);
          p.leading = term;
          p.working = true;
          break;
        }
        case 'StopLeading': {
          endTerm(p);
          const stoppedOnRequest = sc.stopLeaderAt !== undefined && p.identity === stoppedIdentity;
          const windDown = stoppedOnRequest ? between(0, sc.maxWindDown ?? 0) : 0;
          schedule(now + windDown, { kind: 'workStopped', p: p.index, inc: p.incarnation });
          break;
        }
        case 'SetTimer':
          p.timerLocal = cmd.at;
          armTimer(p);
          break;
      }
    }
  };

  const feed = (p: Process, o: ElectionObservation): void => {
    run(p, machine.step(configOf(p), p.state, o, localAt(p.clock, now)));
  };

  const boot = (p: Process): void => {
    p.alive = true;
    p.timerLocal = undefined;
    run(p, machine.start(configOf(p), localAt(p.clock, now)));
  };

  const serve = (cmd: ElectionCommand & { readonly seq: number }): ElectionObservation | undefined => {
    const failing = faulty() && rnd() < sc.failRate;
    const ambiguous = faulty() && rnd() < sc.ambiguousRate;
    const store = (record: LeaseRecord): ElectionObservation => {
      rvCounter++;
      lease = { record, rv: rvCounter };
      if (record.holder !== '') {
        if (procs.some((q) => q.alive && q.leading !== undefined && q.identity === record.holder))
          checkValid(record.holder);
        storedAt.set(record.holder, now);
      }
      return ambiguous
        ? { _tag: 'WriteAnswered', seq: cmd.seq, outcome: { _tag: 'Failed', reason: 'timeout' } }
        : {
            _tag: 'WriteAnswered',
            seq: cmd.seq,
            outcome: { _tag: 'Written', resourceVersion: String(rvCounter) },
          };
    };
    switch (cmd._tag) {
      case 'GetLease':
        return failing
          ? { _tag: 'ReadFailed', seq: cmd.seq, reason: 'etcd' }
          : {
              _tag: 'LeaseRead',
              seq: cmd.seq,
              lease:
                lease === undefined
                  ? O.none
                  : O.some({ record: lease.record, resourceVersion: String(lease.rv) }),
            };
      case 'CreateLease':
        if (failing)
          return { _tag: 'WriteAnswered', seq: cmd.seq, outcome: { _tag: 'Failed', reason: 'etcd' } };
        return lease !== undefined
          ? { _tag: 'WriteAnswered', seq: cmd.seq, outcome: { _tag: 'Conflict' } }
          : store(cmd.record);
      case 'UpdateLease':
        if (failing)
          return { _tag: 'WriteAnswered', seq: cmd.seq, outcome: { _tag: 'Failed', reason: 'etcd' } };
        return lease === undefined || String(lease.rv) !== cmd.resourceVersion
          ? { _tag: 'WriteAnswered', seq: cmd.seq, outcome: { _tag: 'Conflict' } }
          : store(cmd.record);
      default:
        return undefined;
    }
  };

  // Crashes and clock-rate changes while faults last.
  for (const p of procs) {
    const crashCount = Math.floor(sc.crashes + rnd());
    for (let k = 0; k < crashCount; k++) schedule(between(0, sc.faultsUntil), { kind: 'crash', p: p.index });
    const rateChanges = Math.floor(rnd() * 3);
    for (let k = 0; k < rateChanges; k++) schedule(between(0, sc.until), { kind: 'rate', p: p.index });
  }
  if (sc.stopLeaderAt !== undefined) schedule(sc.stopLeaderAt, { kind: 'stop' });
  for (const p of procs) boot(p);

  const leaders = (): Process[] => procs.filter((p) => p.alive && p.leading !== undefined);

  let guard = 0;
  while (queue.length > 0) {
    if (++guard > 20000) throw new Error(`runaway at ${now}: ${JSON.stringify(queue.slice(0, 3))}`);
    const q = queue.shift()!;
    if (q.at > sc.until) break;
    now = q.at;
    const e = q.event;
    const p = 'p' in e ? procs[e.p]! : undefined;
    switch (e.kind) {
      case 'request': {
        if (!('seq' in e.cmd)) break;
        const answer = serve(e.cmd);
        if (answer !== undefined && !(faulty() && rnd() < sc.dropRate))
          schedule(now + delay(), { kind: 'answer', p: e.p, inc: e.inc, obs: answer });
        break;
      }
      case 'answer':
        if (p!.alive && p!.incarnation === e.inc) feed(p!, e.obs);
        break;
      case 'timer':
        if (p!.alive && p!.timerToken === e.token) feed(p!, { _tag: 'TimerFired' });
        break;
      case 'crash':
        if (!p!.alive) break;
        p!.alive = false;
        endTerm(p!);
        p!.working = false;
        p!.timerToken++;
        schedule(now + between(0, sc.maxDowntime), { kind: 'restart', p: e.p });
        break;
      case 'restart':
        p!.incarnation++;
        p!.identity = `c${p!.index}.${p!.incarnation}`;
        p!.clock = newClock();
        boot(p!);
        break;
      case 'rate':
        p!.clock = {
          anchorReal: now,
          anchorLocal: localAt(p!.clock, now),
          rate: between(1 - sc.drift, 1 + sc.drift),
        };
        if (p!.alive) armTimer(p!);
        break;
      case 'stop': {
        const [leader] = leaders();
        if (leader !== undefined) {
          stoppedIdentity = leader.identity;
          feed(leader, { _tag: 'StopRequested' });
        }
        break;
      }
      case 'workStopped':
        if (p!.alive && p!.incarnation === e.inc && p!.working) {
          p!.working = false;
          if (p!.identity === stoppedIdentity) workStoppedAt = now;
          feed(p!, { _tag: 'WorkStopped' });
        }
        break;
    }
    // A process whose election ended (lost) exits and is restarted, as a Deployment's pod would be.
    if (
      p !== undefined &&
      p.alive &&
      p.state._tag === 'Ended' &&
      p.identity !== stoppedIdentity &&
      !p.working
    ) {
      p.alive = false;
      p.timerToken++;
      schedule(now + (faulty() ? between(0, sc.maxDowntime) : between(0, QUIET_DELAY)), {
        kind: 'restart',
        p: p.index,
      });
    }
    const ls = leaders();
    if (ls.length > 1)
      violations.push(`two leaders at ${now.toFixed(0)}ms: ${ls.map((l) => l.identity).join(', ')}`);
    for (const l of ls) checkValid(l.identity);
  }
  now = sc.until;
  for (const p of procs) endTerm(p);
  return { terms, violations, workStoppedAt, stoppedIdentity };
};
