// Laws of the lifecycle machine over random interleavings of cluster answers, observations, aborts and crashes.
import { describe, expect } from 'vitest';
import { statusError } from '../../../src/domain/api-error.js';
import { fc, test } from '@fast-check/vitest';
import * as E from 'fp-ts/lib/Either.js';
import type { ApiError, Command, Observation } from '../../../src/domain/lifecycle/protocol.js';
import {
  initial,
  readState,
  TaskStateC,
  writeState,
  type TaskState,
} from '../../../src/domain/lifecycle/state.js';
import { FINALIZER, isSettled, step } from '../../../src/domain/lifecycle/step.js';
import type { PlatformConfig } from '../../../src/domain/platform-config.js';
import { config, ctxAt, T0, task, toy } from './fixtures.js';

interface Obj {
  state: string;
  finalizer: boolean;
  deleting: boolean;
}

/** What the environment may do next; interpreted against the current environment so every choice is valid. */
type Move =
  | { kind: 'answer'; index: number; fail: ApiError | undefined }
  | { kind: 'advance'; index: number; to: 'Running' | 'Succeeded' | 'Failed' | 'Broken' | 'Fatal' }
  | { kind: 'observe'; index: number }
  | { kind: 'externalDelete'; index: number }
  | { kind: 'abort' }
  | { kind: 'timer'; timer: 'Retry' | 'Resync' }
  | { kind: 'quotaGate' }
  | { kind: 'crash' };

const arbError: fc.Arbitrary<ApiError | undefined> = fc.oneof(
  { weight: 6, arbitrary: fc.constant(undefined) },
  fc.constantFrom<ApiError>(
    statusError('InternalError', 'etcd hiccup'),
    statusError('TooManyRequests', 'slow down'),
    statusError('Conflict', 'conflict'),
    statusError(
      'Forbidden',
      'pods "x" is forbidden: exceeded quota: q, requested: cpu=1, used: cpu=4, limited: cpu=4',
    ),
    statusError('Invalid', 'spec.x: Invalid value'),
  ),
);

const arbMove: fc.Arbitrary<Move> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({ kind: fc.constant('answer' as const), index: fc.nat(), fail: arbError }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('advance' as const),
      index: fc.nat(),
      to: fc.constantFrom(
        'Running' as const,
        'Succeeded' as const,
        'Failed' as const,
        'Broken' as const,
        'Fatal' as const,
      ),
    }),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('observe' as const), index: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('externalDelete' as const), index: fc.nat() }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'abort' as const }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('timer' as const),
      timer: fc.constantFrom('Retry' as const, 'Resync' as const),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'quotaGate' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'crash' as const }) },
);

class World {
  state: TaskState = initial('t1', 'toy');
  readonly cluster = new Map<string, Obj>();
  pending: Command[] = [];
  readonly created = new Set<string>();
  readonly createdConfirmed = new Set<string>();
  readonly existed = new Set<string>();
  readonly violations: string[] = [];
  readonly emissions: Array<{ phase: string; version: number; attempt: number; final: boolean }> = [];
  now = T0;
  terminalSeen = false;

  /** With `deleteOnFinalize`, the platform's `delete-resource-on-finalize`: a finished task deletes its objects. */
  constructor(
    private readonly retries: number,
    private readonly deleteOnFinalize = false,
  ) {}

  private config(): PlatformConfig {
    const c = config();
    return this.deleteOnFinalize
      ? { ...c, plugins: { ...c.plugins, k8s: { ...c.plugins.k8s, 'delete-resource-on-finalize': true } } }
      : c;
  }

  feed(o: Observation): void {
    this.now += 1000;
    const r = step(this.state, o, ctxAt(this.now, task(this.retries), this.config()));
    const round = readState(JSON.parse(JSON.stringify(writeState(r.state))));
    if (E.isLeft(round) || JSON.stringify(round.right) !== JSON.stringify(r.state)) {
      this.violations.push('state does not round-trip');
    }
    if (JSON.stringify(writeState(r.state)) !== JSON.stringify(TaskStateC.encode(r.state))) {
      this.violations.push('writeState differs from the codec');
    }
    this.state = r.state;
    // Settled is what a caller forgets the task on (and a bench stops on): whatever it deleted must be gone then.
    if (this.deleteOnFinalize && isSettled(r.state) && this.cluster.size > 0) {
      this.violations.push(`settled with ${this.names().join(', ')} still there`);
    }
    for (const c of r.commands) this.check(c);
    this.pending.push(...r.commands.filter((c) => c._tag !== 'Emit' && c._tag !== 'ScheduleTimer'));
  }

  check(c: Command): void {
    switch (c._tag) {
      case 'Create':
        if (this.createdConfirmed.has(c.ref.name)) this.violations.push(`second create of ${c.ref.name}`);
        this.created.add(c.ref.name);
        break;
      case 'Delete':
      case 'RemoveFinalizer':
      case 'ApplyAbort':
      case 'Observe':
        if (!this.created.has(c.ref.name)) this.violations.push(`${c._tag} of ${c.ref.name}, never created`);
        break;
      case 'Emit': {
        const e = c.emission;
        const prev = this.emissions[this.emissions.length - 1];
        if (prev?.final === true) this.violations.push('emission after the final one');
        if (
          prev !== undefined &&
          prev.attempt === e.attempt &&
          prev.phase === e.phaseInfo.phase &&
          e.phaseInfo.version < prev.version
        ) {
          this.violations.push(`version went down: ${prev.version} -> ${e.phaseInfo.version}`);
        }
        this.emissions.push({
          phase: e.phaseInfo.phase,
          version: e.phaseInfo.version,
          attempt: e.attempt,
          final: e.final,
        });
        break;
      }
      default:
        break;
    }
  }

  /** Executes a pending command against the toy cluster and feeds the answer back. */
  answer(index: number, fail: ApiError | undefined): void {
    if (this.pending.length === 0) return;
    const [c] = this.pending.splice(index % this.pending.length, 1);
    if (c === undefined) return;
    switch (c._tag) {
      case 'Create': {
        if (fail !== undefined) {
          // A server error may have committed the write anyway.
          if (fail.code >= 500) {
            this.cluster.set(c.ref.name, { state: 'Pending', finalizer: true, deleting: false });
            this.existed.add(c.ref.name);
          }
          this.feed({ _tag: 'CreateFailed', ref: c.ref, error: fail });
          return;
        }
        if (this.cluster.has(c.ref.name)) {
          this.feed({
            _tag: 'CreateFailed',
            ref: c.ref,
            error: statusError('AlreadyExists', 'exists'),
          });
          return;
        }
        this.cluster.set(c.ref.name, {
          state: 'Pending',
          finalizer: c.manifest.metadata?.finalizers?.includes(FINALIZER) ?? false,
          deleting: false,
        });
        this.createdConfirmed.add(c.ref.name);
        this.existed.add(c.ref.name);
        this.feed({ _tag: 'CreateSucceeded', ref: c.ref, uid: `uid-${c.ref.name}` });
        return;
      }
      case 'Delete':
      case 'ApplyAbort': {
        // As the API server answers: a delete of an object that is not there is NotFound.
        const error =
          fail?.code === 500
            ? fail
            : this.cluster.has(c.ref.name)
              ? undefined
              : statusError('NotFound', `${c.ref.name} not found`);
        if (error === undefined) this.markDeleted(c.ref.name);
        this.feed(
          c._tag === 'Delete'
            ? { _tag: 'DeleteAnswered', ref: c.ref, ...(error === undefined ? {} : { error }) }
            : { _tag: 'AbortApplied', ref: c.ref, ...(error === undefined ? {} : { error }) },
        );
        return;
      }
      case 'RemoveFinalizer': {
        const o = this.cluster.get(c.ref.name);
        // The patch of an object that is not there is NotFound, as the interpreter reports it.
        const error =
          fail?.code === 409
            ? fail
            : o === undefined
              ? statusError('NotFound', `${c.ref.name} not found`)
              : undefined;
        if (error === undefined && o !== undefined) {
          o.finalizer = false;
          if (o.deleting) this.cluster.delete(c.ref.name);
        }
        this.feed({ _tag: 'FinalizerRemoved', ref: c.ref, ...(error === undefined ? {} : { error }) });
        return;
      }
      case 'Observe':
        this.deliver(c.ref.name);
        return;
      default:
        return;
    }
  }

  markDeleted(name: string): void {
    const o = this.cluster.get(name);
    if (o === undefined) return;
    if (o.finalizer) o.deleting = true;
    else this.cluster.delete(name);
  }

  deliver(name: string): void {
    const o = this.cluster.get(name);
    const ref = { apiVersion: 'example.com/v1', kind: 'Toy', namespace: 'ns', name };
    if (o === undefined) {
      // Like a watch cache: only an object that existed can be reported gone.
      if (this.existed.has(name)) this.feed({ _tag: 'ObjectGone', ref });
      return;
    }
    if (['Succeeded', 'Fatal'].includes(o.state)) this.terminalSeen = true;
    this.feed({
      _tag: 'ObjectObserved',
      object: toy(name, o.state, {
        finalizers: o.finalizer ? [FINALIZER] : [],
        ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
      }),
    });
  }

  names(): string[] {
    return [...this.cluster.keys()].sort();
  }

  move(m: Move): void {
    switch (m.kind) {
      case 'answer':
        this.answer(m.index, m.fail);
        return;
      case 'advance': {
        const names = this.names();
        const name = names[m.index % Math.max(1, names.length)];
        const o = name === undefined ? undefined : this.cluster.get(name);
        const terminal = ['Succeeded', 'Failed', 'Broken', 'Fatal'];
        if (o !== undefined && !terminal.includes(o.state)) o.state = m.to;
        return;
      }
      case 'observe': {
        const names = [...this.created].sort();
        const name = names[m.index % Math.max(1, names.length)];
        if (name !== undefined) this.deliver(name);
        return;
      }
      case 'externalDelete': {
        const names = this.names();
        const name = names[m.index % Math.max(1, names.length)];
        if (name !== undefined) this.markDeleted(name);
        return;
      }
      case 'abort':
        this.feed({ _tag: 'AbortRequested', reason: 'user' });
        return;
      case 'timer':
        this.feed({ _tag: 'TimerFired', timer: m.timer });
        return;
      case 'quotaGate':
        this.feed({ _tag: 'QuotaGateOpened' });
        return;
      case 'crash': {
        // Unanswered commands die with the process; the stored state is all that survives.
        this.pending = [];
        const stored = readState(JSON.parse(JSON.stringify(writeState(this.state))));
        if (E.isRight(stored)) this.state = stored.right;
        this.now += 1000;
        this.feed({ _tag: 'Resumed' });
        return;
      }
    }
  }

  /** Lets everything finish: answers succeed, objects reach a terminal state, timers fire, caches deliver. */
  drain(): void {
    for (let i = 0; i < 400 && !isSettled(this.state); i++) {
      if (this.pending.length > 0) {
        this.answer(0, undefined);
        continue;
      }
      for (const [name, o] of this.cluster) {
        if (!['Succeeded', 'Failed', 'Broken', 'Fatal'].includes(o.state)) o.state = 'Succeeded';
        this.deliver(name);
      }
      for (const name of this.created) if (!this.cluster.has(name)) this.deliver(name);
      this.now += 10 * 60_000;
      this.feed({ _tag: 'TimerFired', timer: 'Retry' });
      this.feed({ _tag: 'QuotaGateOpened' });
      this.feed({ _tag: 'TimerFired', timer: 'Resync' });
    }
  }
}

describe('lifecycle machine laws', () => {
  test.prop([fc.array(arbMove, { maxLength: 60 }), fc.integer({ min: 0, max: 3 })], { numRuns: 300 })(
    'no duplicate create, only owned objects touched, round-trippable state, monotone versions, one final answer',
    (moves, retries) => {
      const w = new World(retries);
      w.feed({ _tag: 'Submitted' });
      for (const m of moves) w.move(m);
      expect(w.violations).toEqual([]);
      w.drain();
      expect(w.violations).toEqual([]);
      expect(isSettled(w.state)).toBe(true);
      expect(w.emissions.filter((e) => e.final)).toHaveLength(1);
      // Nothing we created still carries our finalizer.
      expect([...w.cluster.entries()].filter(([, o]) => o.finalizer).map(([n]) => n)).toEqual([]);
    },
  );

  test.prop([fc.array(arbMove, { maxLength: 60 }), fc.integer({ min: 0, max: 3 })], { numRuns: 300 })(
    'with delete-resource-on-finalize, a settled task has nothing left: no delete counts until its object is gone',
    (moves, retries) => {
      const w = new World(retries, true);
      w.feed({ _tag: 'Submitted' });
      for (const m of moves) w.move(m);
      w.drain();
      expect(w.violations).toEqual([]);
      expect(isSettled(w.state)).toBe(true);
      expect(w.names()).toEqual([]);
    },
  );

  test.prop([fc.array(arbMove, { maxLength: 40 })])('a terminal object always ends the task', (moves) => {
    const w = new World(0);
    w.feed({ _tag: 'Submitted' });
    for (const m of moves) w.move(m);
    w.drain();
    expect(w.state.stage._tag).toBe('Done');
  });
});
