// The lifecycle machine's decision table: launch, create errors, observation, retries, abort, cleanup, resume.
import { describe, expect, it } from 'vitest';
import { statusError } from '../../../src/domain/api-error.js';
import * as E from 'fp-ts/lib/Either.js';
import * as O from 'fp-ts/lib/Option.js';
import { classifyCreateError, neverFits } from '../../../src/domain/lifecycle/create-errors.js';
import type { ApiError } from '../../../src/domain/lifecycle/protocol.js';
import { initial, readState, writeState } from '../../../src/domain/lifecycle/state.js';
import { FINALIZER, isSettled, objectNameFor, step } from '../../../src/domain/lifecycle/step.js';
import type { AbortBehavior } from '../../../src/domain/plugin.js';
import type { StepContext } from '../../../src/domain/lifecycle/step.js';
import { config, ctxAt, emissions, ofTag, run, T0, task, toy, toyPlugin } from './fixtures.js';

const ref = (name: string) => ({ apiVersion: 'example.com/v1', kind: 'Toy', namespace: 'ns', name });
const created = (name: string) => ({ _tag: 'CreateSucceeded' as const, ref: ref(name), uid: `uid-${name}` });
const seen = (name: string, state: string, extra: Record<string, unknown> = {}) => ({
  _tag: 'ObjectObserved' as const,
  object: toy(name, state, extra),
});

describe('launch', () => {
  it('creates the first attempt with the manager metadata and our finalizer', () => {
    const { commands, state } = run([{ _tag: 'Submitted' }]);
    const [create] = ofTag(commands, 'Create');
    expect(create?.ref).toEqual(ref('r1-train-0'));
    expect(create?.manifest.metadata).toMatchObject({
      name: 'r1-train-0',
      namespace: 'ns',
      finalizers: [FINALIZER],
      annotations: { 'cluster-autoscaler.kubernetes.io/safe-to-evict': 'false' },
    });
    expect(state.stage._tag).toBe('Started');
    expect(emissions(commands)).toEqual([]);
  });

  it('a build error is a permanent USER failure naming the cause, and nothing is created', () => {
    const { commands, state } = run([{ _tag: 'Submitted' }], ctxAt(T0, task(2, { invalid: true })));
    expect(ofTag(commands, 'Create')).toEqual([]);
    expect(emissions(commands)).toMatchObject([
      {
        final: true,
        phaseInfo: {
          phase: 'PermanentFailure',
          error: {
            code: 'BadTaskSpecification',
            kind: 'USER',
            message: 'Failed to build resource, caused by: the toy is invalid',
          },
        },
      },
    ]);
    expect(isSettled(state)).toBe(true);
  });

  it('names system retries apart from user attempts', () => {
    expect(objectNameFor(task(), 0, 0)).toBe('r1-train-0');
    expect(objectNameFor(task(), 2, 0)).toBe('r1-train-2');
    expect(objectNameFor(task(), 2, 1)).toBe('r1-train-2-s1');
  });
});

describe('create errors', () => {
  const quota = (requested: string, used: string, limited: string): ApiError =>
    statusError(
      'Forbidden',
      `pods "r1-train-0" is forbidden: exceeded quota: compute, requested: ${requested}, used: ${used}, limited: ${limited}`,
    );

  it.each([
    [statusError('AlreadyExists', 'exists'), 'Submitted', undefined],
    [quota('limits.cpu=2', 'limits.cpu=3', 'limits.cpu=4'), 'QuotaExceeded', undefined],
    [quota('limits.memory=8Gi', 'limits.memory=0', 'limits.memory=4Gi'), 'NeverFits', undefined],
    [statusError('Forbidden', 'violates PodSecurity "restricted"'), 'UserRetryable', 'RuntimeFailure'],
    [statusError('RequestEntityTooLarge', 'too big'), 'Permanent', 'EntityTooLarge'],
    [statusError('Invalid', 'spec invalid'), 'Permanent', 'InvalidResource'],
    [statusError('BadRequest', 'webhook denied'), 'Permanent', 'BadRequest'],
    [statusError('InternalError', 'etcd'), 'System', 'InternalError'],
    [statusError('TooManyRequests', 'slow down'), 'System', 'TooManyRequests'],
    [statusError('Timeout', 'timeout'), 'System', 'Timeout'],
  ] as const)('%j → %s %s', (error, tag, code) => {
    const outcome = classifyCreateError(error);
    expect(outcome._tag).toBe(tag);
    if (code !== undefined) expect(outcome).toMatchObject({ code });
  });

  it('only errors that can follow a committed write leave the object possibly created', () => {
    const maybe = (e: ApiError) => {
      const o = classifyCreateError(e);
      return o._tag === 'System' && o.maybeCreated;
    };
    expect(maybe(statusError('InternalError', ''))).toBe(true);
    expect(maybe(statusError('Timeout', ''))).toBe(true);
    expect(maybe(statusError('ServiceUnavailable', 'connection refused'))).toBe(false);
    expect(maybe(statusError('TooManyRequests', ''))).toBe(false);
  });

  it('reads requested and limited amounts from the quota message', () => {
    expect(
      neverFits(
        quota('requests.cpu=500m,limits.memory=2Gi', 'x=0', 'requests.cpu=1,limits.memory=1Gi').message,
      ),
    ).toBe(true);
    expect(neverFits(quota('requests.cpu=500m', 'requests.cpu=1', 'requests.cpu=1').message)).toBe(false);
  });

  it('quota: waits for resources and closes the namespace gate; the gate reopening retries the same name', () => {
    const { commands, state } = run([
      { _tag: 'Submitted' },
      { _tag: 'CreateFailed', ref: ref('r1-train-0'), error: quota('cpu=1', 'cpu=4', 'cpu=4') },
      { _tag: 'QuotaGateOpened' },
    ]);
    expect(emissions(commands).map((e) => [e.phaseInfo.phase, e.phaseInfo.reason.slice(0, 31)])).toEqual([
      ['WaitingForResources', 'Exceeded resourcequota: pods "r'],
    ]);
    expect(ofTag(commands, 'QuotaRejected')).toMatchObject([{ namespace: 'ns' }]);
    expect(ofTag(commands, 'Create').map((c) => c.ref.name)).toEqual(['r1-train-0', 'r1-train-0']);
    expect(state.stage._tag).toBe('Started');
  });

  it('a request above the hard limit fails fast', () => {
    const { commands } = run([
      { _tag: 'Submitted' },
      { _tag: 'CreateFailed', ref: ref('r1-train-0'), error: quota('memory=8Gi', 'memory=0', 'memory=4Gi') },
    ]);
    expect(emissions(commands)[0]?.phaseInfo.error).toMatchObject({
      code: 'ResourceRequestsExceedLimits',
      kind: 'USER',
    });
  });

  it('a server error may have created the object: it is retried under a new name and the old one deleted', () => {
    const failedCreate = [
      { _tag: 'Submitted' as const },
      {
        _tag: 'CreateFailed' as const,
        ref: ref('r1-train-0'),
        error: statusError('InternalError', 'x'),
      },
    ];
    const { commands } = run(failedCreate);
    // Our finalizer comes off first; the delete follows the patch's answer.
    expect(ofTag(commands, 'RemoveFinalizer').map((c) => c.ref.name)).toEqual(['r1-train-0']);
    expect(ofTag(commands, 'Delete')).toEqual([]);
    expect(ofTag(commands, 'ScheduleTimer')).toMatchObject([{ timer: 'Retry' }]);
    const after = run([...failedCreate, { _tag: 'FinalizerRemoved', ref: ref('r1-train-0') }]);
    expect(ofTag(after.commands, 'Delete').map((c) => c.ref.name)).toEqual(['r1-train-0']);
    const failed = run([
      { _tag: 'Submitted' },
      {
        _tag: 'CreateFailed',
        ref: ref('r1-train-0'),
        error: statusError('InternalError', 'x'),
      },
    ]);
    const early = step(failed.state, { _tag: 'TimerFired', timer: 'Retry' }, ctxAt(T0 + 100));
    expect(ofTag(early.commands, 'Create')).toEqual([]);
    const due = step(failed.state, { _tag: 'TimerFired', timer: 'Retry' }, ctxAt(T0 + 60_000));
    expect(ofTag(due.commands, 'Create').map((c) => c.ref.name)).toEqual(['r1-train-0-s1']);
  });
});

describe('observation', () => {
  it('reports queued, running and success, then removes only our finalizer', () => {
    const { commands, state } = run([
      { _tag: 'Submitted' },
      created('r1-train-0'),
      seen('r1-train-0', 'Running'),
      seen('r1-train-0', 'Running'),
      seen('r1-train-0', 'Succeeded'),
    ]);
    expect(emissions(commands).map((e) => [e.phaseInfo.phase, e.phaseInfo.version, e.final])).toEqual([
      ['Queued', 0, false],
      ['Running', 0, false],
      ['Success', 0, true],
    ]);
    expect(ofTag(commands, 'RemoveFinalizer')).toEqual([
      { _tag: 'RemoveFinalizer', ref: ref('r1-train-0'), finalizer: FINALIZER },
    ]);
    expect(ofTag(commands, 'Delete')).toEqual([]);
    expect(state.stage._tag).toBe('Done');
  });

  it('a user failure with attempts left starts a new attempt under a new name and cleans the old one', () => {
    const { commands, state } = run([
      { _tag: 'Submitted' },
      created('r1-train-0'),
      seen('r1-train-0', 'Failed'),
    ]);
    expect(
      emissions(commands).map((e) => [e.phaseInfo.phase, e.phaseInfo.reason, e.attempt, e.final]),
    ).toEqual([
      ['Queued', 'task submitted to K8s', 0, false],
      ['RetryableFailure', '', 0, false],
      ['Queued', 'restarting task', 1, false],
    ]);
    expect(ofTag(commands, 'Create').map((c) => c.ref.name)).toEqual(['r1-train-0', 'r1-train-1']);
    expect(ofTag(commands, 'RemoveFinalizer').map((c) => c.ref.name)).toEqual(['r1-train-0']);
    expect(ofTag(commands, 'Delete')).toEqual([]);
    expect(state.attempt).toBe(1);
    const removed = step(state, { _tag: 'FinalizerRemoved', ref: ref('r1-train-0') }, ctxAt(T0));
    expect(ofTag(removed.commands, 'Delete').map((c) => c.ref.name)).toEqual(['r1-train-0']);
  });

  it('a delete waiting for the finalizer patch goes anyway when the patch fails, and the patch is retried', () => {
    const { state } = run([{ _tag: 'Submitted' }, created('r1-train-0'), seen('r1-train-0', 'Fatal')]);
    const failed = step(
      state,
      {
        _tag: 'FinalizerRemoved',
        ref: ref('r1-train-0'),
        error: statusError('Forbidden', 'no patch for you'),
      },
      ctxAt(T0),
    );
    expect(ofTag(failed.commands, 'Delete').map((c) => c.ref.name)).toEqual(['r1-train-0']);
    expect(ofTag(failed.commands, 'ScheduleTimer')).toMatchObject([{ timer: 'Retry' }]);
    const retried = step(failed.state, { _tag: 'TimerFired', timer: 'Retry' }, ctxAt(T0 + 3_600_000));
    expect(ofTag(retried.commands, 'RemoveFinalizer').map((c) => c.ref.name)).toEqual(['r1-train-0']);
    expect(ofTag(retried.commands, 'Delete')).toEqual([]);
  });

  it('the last attempt fails permanently with the same error', () => {
    const { commands } = run(
      [{ _tag: 'Submitted' }, created('r1-train-0'), seen('r1-train-0', 'Failed')],
      ctxAt(T0, task(0)),
    );
    expect(emissions(commands).at(-1)).toMatchObject({
      final: true,
      phaseInfo: { phase: 'PermanentFailure', error: { code: 'Error', kind: 'USER' } },
    });
  });

  it('cleanupOnFailure deletes the object (Flyte computes the flag and ignores it)', () => {
    const { commands } = run([
      { _tag: 'Submitted' },
      created('r1-train-0'),
      seen('r1-train-0', 'Fatal'),
      { _tag: 'FinalizerRemoved', ref: ref('r1-train-0') },
    ]);
    expect(ofTag(commands, 'Delete').map((c) => c.ref.name)).toEqual(['r1-train-0']);
    expect(ofTag(commands, 'RemoveFinalizer').map((c) => c.ref.name)).toEqual(['r1-train-0']);
  });

  it('without our finalizer the delete goes at once', () => {
    const { commands } = run(
      [{ _tag: 'Submitted' }, created('r1-train-0'), seen('r1-train-0', 'Fatal', { finalizers: [] })],
      ctxAt(T0, task(), config({ finalizer: false })),
    );
    expect(ofTag(commands, 'Delete').map((c) => c.ref.name)).toEqual(['r1-train-0']);
    expect(ofTag(commands, 'RemoveFinalizer')).toEqual([]);
  });

  it('system failures retry under fresh names until the budget is spent', () => {
    const obs = [{ _tag: 'Submitted' as const }];
    let all: ReturnType<typeof run> = run(obs, ctxAt(T0, task(), config({ maxSystemFailures: 2 })));
    let now = T0;
    for (const name of ['r1-train-0', 'r1-train-0-s1', 'r1-train-0-s2']) {
      const s0 = all.state;
      const c = ctxAt(now, task(), config({ maxSystemFailures: 2 }));
      let st = step(s0, created(name), c);
      st = step(st.state, seen(name, 'Broken'), c);
      now += 3_600_000;
      const fired = step(
        st.state,
        { _tag: 'TimerFired', timer: 'Retry' },
        ctxAt(now, task(), config({ maxSystemFailures: 2 })),
      );
      all = { state: fired.state, commands: [...all.commands, ...st.commands, ...fired.commands] };
    }
    expect(ofTag(all.commands, 'Create').map((c) => c.ref.name)).toEqual([
      'r1-train-0',
      'r1-train-0-s1',
      'r1-train-0-s2',
    ]);
    expect(emissions(all.commands).at(-1)).toMatchObject({
      final: true,
      phaseInfo: { phase: 'PermanentFailure', error: { code: 'MaxSystemFailuresExceeded', kind: 'SYSTEM' } },
    });
  });

  it('a vanished object is ResourceDeletedExternally; a deleting one is UnexpectedObjectDeletion', () => {
    const gone = run([
      { _tag: 'Submitted' },
      created('r1-train-0'),
      { _tag: 'ObjectGone', ref: ref('r1-train-0') },
    ]);
    expect(emissions(gone.commands).at(-1)?.phaseInfo.error).toMatchObject({
      code: 'ResourceDeletedExternally',
      kind: 'SYSTEM',
    });
    const deleting = run([
      { _tag: 'Submitted' },
      created('r1-train-0'),
      seen('r1-train-0', 'Running', { deletionTimestamp: '2026-01-01T00:00:00Z' }),
    ]);
    expect(emissions(deleting.commands).at(-1)?.phaseInfo.error).toMatchObject({
      code: 'UnexpectedObjectDeletion',
      message: 'object [ns/r1-train-0] terminated unexpectedly in the background',
    });
  });

  it("the plugin's isTerminal and completionTime: a finished resource's deletion is no failure; its time is kept", () => {
    const done = T0 - 60_000;
    const ctx: StepContext = {
      ...ctxAt(T0),
      plugin: {
        ...toyPlugin,
        isTerminal: (r) => (r as { status?: { done?: unknown } }).status?.done === true,
        completionTime: () => O.some(done),
      },
    };
    const deleting = {
      _tag: 'ObjectObserved' as const,
      object: { ...toy('r1-train-0', 'Running', { deletionTimestamp: '2026-01-01T00:00:00Z' }) },
    };
    const finished = {
      ...deleting,
      object: { ...deleting.object, status: { state: 'Running', done: true } },
    };
    const cut = run([{ _tag: 'Submitted' }, created('r1-train-0'), deleting], ctx);
    expect(emissions(cut.commands).at(-1)?.phaseInfo.error?.code).toBe('UnexpectedObjectDeletion');
    const kept = run([{ _tag: 'Submitted' }, created('r1-train-0'), finished], ctx);
    expect(emissions(kept.commands).at(-1)?.phaseInfo.phase).toBe('Running');
    const success = run([{ _tag: 'Submitted' }, created('r1-train-0'), seen('r1-train-0', 'Succeeded')], ctx);
    expect(emissions(success.commands).at(-1)).toMatchObject({
      final: true,
      phaseInfo: { phase: 'Success', info: { occurredAt: done } },
    });
  });

  it('attaches new Kubernetes events once, with structured metadata, bumping the version', () => {
    const event = (name: string, at: string, reason: string) => ({
      metadata: { name, creationTimestamp: at },
      involvedObject: { kind: 'Toy', namespace: 'ns', name: 'r1-train-0' },
      reason,
      message: `${reason} happened`,
      type: 'Warning',
      source: { component: 'kubelet' },
      count: 2,
    });
    const { commands } = run([
      { _tag: 'Submitted' },
      created('r1-train-0'),
      { ...seen('r1-train-0', 'Running'), events: [event('e1', '2026-01-01T00:00:01Z', 'Pulled')] },
      {
        ...seen('r1-train-0', 'Running'),
        events: [
          event('e1', '2026-01-01T00:00:01Z', 'Pulled'),
          event('e2', '2026-01-01T00:00:02Z', 'BackOff'),
        ],
      },
    ]);
    const running = emissions(commands).filter((e) => e.phaseInfo.phase === 'Running');
    expect(running.map((e) => e.phaseInfo.version)).toEqual([0, 1]);
    expect(running[1]?.phaseInfo.info.additionalReasons).toMatchObject([
      {
        reason: 'BackOff happened',
        occurredAt: Date.parse('2026-01-01T00:00:02Z'),
        kubernetesEvent: { type: 'Warning', reason: 'BackOff', sourceComponent: 'kubelet', count: 2 },
      },
    ]);
    expect(running[1]?.phaseInfo.info.additionalReasons).toHaveLength(1);
  });
});

describe('abort', () => {
  it('before anything was created: aborted at once', () => {
    const s = { ...initial('t1', 'toy') };
    const { commands } = run([{ _tag: 'AbortRequested', reason: 'user' }], ctxAt(T0), s);
    expect(emissions(commands)).toMatchObject([{ final: true, phaseInfo: { phase: 'Aborted' } }]);
  });

  it('while the create is in flight: applied when the create answers', () => {
    const { commands } = run([
      { _tag: 'Submitted' },
      { _tag: 'AbortRequested', reason: 'user' },
      created('r1-train-0'),
    ]);
    expect(ofTag(commands, 'ApplyAbort')).toMatchObject([
      { ref: ref('r1-train-0'), behavior: { _tag: 'Delete' } },
    ]);
  });

  describe('while the create is in flight: a stage of its own, AbortPending', () => {
    const inFlight = [{ _tag: 'Submitted' as const }, { _tag: 'AbortRequested' as const, reason: 'user' }];

    it('waits for the answer, and is stored as version 2 always wrote it', () => {
      const { state, commands } = run(inFlight);
      expect(state.stage).toEqual({ _tag: 'AbortPending' });
      expect(commands.map((c) => c._tag)).toEqual(['Create']);
      expect(writeState(state)).toMatchObject({ stage: { _tag: 'Started' }, abortRequested: true });
      expect(readState(JSON.parse(JSON.stringify(writeState(state))))).toEqual(E.right(state));
    });

    it.each([
      [
        'a quota rejection',
        statusError('Forbidden', 'toys "x" is forbidden: exceeded quota: q, requested: cpu=1'),
      ],
      ['a server error', statusError('InternalError', 'etcd hiccup')],
      ['an invalid object', statusError('Invalid', 'spec.x: Invalid value')],
    ])('a create that fails (%s) ends the task aborted at once: no retry, no wait for quota', (_, error) => {
      const { commands, state } = run([...inFlight, { _tag: 'CreateFailed', ref: ref('r1-train-0'), error }]);
      // The first create, and no other.
      expect(ofTag(commands, 'Create')).toHaveLength(1);
      expect(emissions(commands)).toMatchObject([{ final: true, phaseInfo: { phase: 'Aborted' } }]);
      expect(state.stage._tag).toBe('Done');
    });

    it('the namespace gate still hears of a quota rejection', () => {
      const quota = statusError('Forbidden', 'toys "x" is forbidden: exceeded quota: q, requested: cpu=1');
      const { commands } = run([...inFlight, { _tag: 'CreateFailed', ref: ref('r1-train-0'), error: quota }]);
      expect(ofTag(commands, 'QuotaRejected').map((c) => c.namespace)).toEqual(['ns']);
    });

    it('reports no phase of the object it is about to abort', () => {
      const { commands, state } = run([...inFlight, seen('r1-train-0', 'Running')]);
      expect(emissions(commands)).toEqual([]);
      expect(state.stage).toEqual({ _tag: 'AbortPending' });
    });

    it('after a restart, an object the watch showed is aborted (the answer to its create is lost)', () => {
      const { commands, state } = run([...inFlight, seen('r1-train-0', 'Running'), { _tag: 'Resumed' }]);
      expect(ofTag(commands, 'ApplyAbort')).toMatchObject([
        { ref: ref('r1-train-0'), behavior: { _tag: 'Delete' }, uid: 'uid-r1-train-0' },
      ]);
      expect(state.stage).toEqual({ _tag: 'Aborting', behavior: { _tag: 'Delete' } });
    });

    it('after a restart with the create unanswered: aborted, and the object deleted should it exist', () => {
      const { commands, state } = run([...inFlight, { _tag: 'Resumed' }]);
      expect(ofTag(commands, 'Create')).toHaveLength(1);
      expect(emissions(commands)).toMatchObject([{ final: true, phaseInfo: { phase: 'Aborted' } }]);
      expect(state.owned).toMatchObject([{ _tag: 'Live', deletion: 'Wanted' }]);
    });

    it('an object deleted meanwhile ends the task aborted, not retried', () => {
      const { commands } = run([
        ...inFlight,
        seen('r1-train-0', 'Running'),
        { _tag: 'ObjectGone', ref: ref('r1-train-0') },
      ]);
      expect(emissions(commands)).toMatchObject([{ final: true, phaseInfo: { phase: 'Aborted' } }]);
      expect(ofTag(commands, 'ScheduleTimer')).toEqual([]);
    });
  });

  it('while running: the abort behaviour, then Aborted and our finalizer removed', () => {
    const { commands, state } = run([
      { _tag: 'Submitted' },
      created('r1-train-0'),
      seen('r1-train-0', 'Running'),
      { _tag: 'AbortRequested', reason: 'user' },
      { _tag: 'AbortApplied', ref: ref('r1-train-0') },
    ]);
    expect(emissions(commands).at(-1)).toMatchObject({ final: true, phaseInfo: { phase: 'Aborted' } });
    expect(ofTag(commands, 'RemoveFinalizer').map((c) => c.ref.name)).toEqual(['r1-train-0']);
    expect(state.stage._tag).toBe('Done');
  });

  describe("the plugin's behaviour is kept for every attempt", () => {
    const patch = (deleteOnError: boolean): AbortBehavior => ({
      _tag: 'Patch',
      patch: { metadata: { labels: { stopped: 'true' } } },
      deleteOnError,
    });
    const update: AbortBehavior = {
      _tag: 'Update',
      resource: toy('r1-train-0', 'Running', { labels: { stopped: 'true' } }),
      deleteOnError: false,
    };
    const withAbort = (b: AbortBehavior, maxSystemFailures = 3): StepContext => ({
      ...ctxAt(T0, task(), config({ maxSystemFailures })),
      plugin: { ...toyPlugin, onAbort: () => b },
    });
    const failed = {
      _tag: 'AbortApplied' as const,
      ref: ref('r1-train-0'),
      error: statusError('InternalError', 'etcd'),
    };
    const running = [{ _tag: 'Submitted' as const }, created('r1-train-0'), seen('r1-train-0', 'Running')];

    it.each([
      ['patch', patch(false)],
      ['update', update],
    ] as const)('%s: a retry after a failure, and a restart, apply the same behaviour', (_, b) => {
      const ctx = withAbort(b);
      const { commands, state } = run(
        [
          ...running,
          { _tag: 'AbortRequested', reason: 'user' },
          failed,
          { _tag: 'TimerFired', timer: 'Retry' },
          failed,
          { _tag: 'Resumed' },
        ],
        ctx,
      );
      expect(ofTag(commands, 'ApplyAbort').map((c) => c.behavior)).toEqual([b, b, b]);
      expect(ofTag(commands, 'Delete')).toEqual([]);
      // The kept behaviour survives the store.
      expect(readState(writeState(state))).toEqual(E.right(state));
    });

    it('without the object at hand the plugin is asked with its identity resource, named', () => {
      let seenBy: unknown;
      const ctx: StepContext = {
        ...ctxAt(T0),
        plugin: {
          ...toyPlugin,
          onAbort: (_, o) => {
            seenBy = o;
            return patch(false);
          },
        },
      };
      const { commands } = run(
        [{ _tag: 'Submitted' }, { _tag: 'AbortRequested', reason: 'user' }, created('r1-train-0')],
        ctx,
      );
      expect(seenBy).toMatchObject({
        kind: 'Toy',
        metadata: { name: 'r1-train-0', namespace: 'ns', uid: 'uid-r1-train-0' },
      });
      expect(ofTag(commands, 'ApplyAbort')).toMatchObject([{ behavior: { _tag: 'Patch' } }]);
    });

    it.each([
      [false, []],
      [true, ['r1-train-0']],
    ] as const)(
      'out of budget, a patch with deleteOnError=%s deletes %j; Aborted either way',
      (deleteOnError, deleted) => {
        const { commands, state } = run(
          [
            ...running,
            { _tag: 'AbortRequested', reason: 'user' },
            failed,
            { _tag: 'TimerFired', timer: 'Retry' },
            failed,
            { _tag: 'FinalizerRemoved', ref: ref('r1-train-0') },
          ],
          withAbort(patch(deleteOnError), 1),
        );
        expect(emissions(commands).at(-1)).toMatchObject({ final: true, phaseInfo: { phase: 'Aborted' } });
        expect(ofTag(commands, 'Delete').map((c) => c.ref.name)).toEqual(deleted);
        expect(ofTag(commands, 'Delete').every((c) => c.uid === 'uid-r1-train-0')).toBe(true);
        // A delete sent is settled once its object is seen gone; a kept object at once.
        expect(isSettled(state)).toBe(deleted.length === 0);
        const after = run(
          [
            { _tag: 'DeleteAnswered', ref: ref('r1-train-0') },
            { _tag: 'ObjectGone', ref: ref('r1-train-0') },
          ],
          withAbort(patch(deleteOnError), 1),
          state,
        );
        expect(isSettled(after.state)).toBe(true);
      },
    );

    it('a successful patch keeps the object (only our finalizer comes off)', () => {
      const { commands, state } = run(
        [
          ...running,
          { _tag: 'AbortRequested', reason: 'user', object: toy('r1-train-0', 'Running') },
          { _tag: 'AbortApplied', ref: ref('r1-train-0') },
          { _tag: 'FinalizerRemoved', ref: ref('r1-train-0') },
        ],
        withAbort(patch(true)),
      );
      expect(ofTag(commands, 'Delete')).toEqual([]);
      expect(ofTag(commands, 'RemoveFinalizer').map((c) => c.ref.name)).toEqual(['r1-train-0']);
      expect(isSettled(state)).toBe(true);
    });

    it('a delete of our own object carries its uid', () => {
      const { commands } = run([...running, { _tag: 'AbortRequested', reason: 'user' }]);
      expect(ofTag(commands, 'ApplyAbort')).toMatchObject([{ uid: 'uid-r1-train-0' }]);
    });
  });

  it('after the end: ignored', () => {
    const done = run([{ _tag: 'Submitted' }, created('r1-train-0'), seen('r1-train-0', 'Succeeded')]);
    const after = step(done.state, { _tag: 'AbortRequested', reason: 'late' }, ctxAt(T0));
    expect(after.commands).toEqual([]);
  });
});

describe('settled: a deleted object counts once it is seen gone', () => {
  const deleting = (): StepContext => {
    const c = config();
    return ctxAt(T0, task(), {
      ...c,
      plugins: { ...c.plugins, k8s: { ...c.plugins.k8s, 'delete-resource-on-finalize': true } },
    });
  };
  const succeeded = [
    { _tag: 'Submitted' as const },
    created('r1-train-0'),
    seen('r1-train-0', 'Succeeded'),
    { _tag: 'FinalizerRemoved' as const, ref: ref('r1-train-0') },
  ];

  it('with delete-resource-on-finalize: not when the DELETE is sent, nor answered; when the watch says gone', () => {
    const ctx = deleting();
    const sent = run(succeeded, ctx);
    expect(ofTag(sent.commands, 'Delete').map((c) => c.ref.name)).toEqual(['r1-train-0']);
    expect(sent.state.stage._tag).toBe('Done');
    // The DELETE may still be queued in the client, or be refused: a caller that forgot the task now (or a
    // process that stopped now) would leave the pod behind, Succeeded and without our finalizer.
    expect(isSettled(sent.state)).toBe(false);
    const answered = run([{ _tag: 'DeleteAnswered', ref: ref('r1-train-0') }], ctx, sent.state);
    expect(isSettled(answered.state)).toBe(false);
    // The finalizer patch's own event, late, changes nothing.
    const late = run([seen('r1-train-0', 'Succeeded', { finalizers: [] })], ctx, answered.state);
    expect(late.commands.filter((c) => c._tag !== 'ScheduleTimer')).toEqual([]);
    expect(isSettled(late.state)).toBe(false);
    const gone = run([{ _tag: 'ObjectGone', ref: ref('r1-train-0') }], ctx, late.state);
    expect(gone.commands).toEqual([]);
    expect(isSettled(gone.state)).toBe(true);
  });

  it('once its DELETE is answered, a finished task looks for the object at each resync until it is gone', () => {
    const ctx = deleting();
    const answered = run([...succeeded, { _tag: 'DeleteAnswered', ref: ref('r1-train-0') }], ctx);
    expect(ofTag(answered.commands, 'ScheduleTimer').at(-1)).toMatchObject({ timer: 'Resync' });
    const looked = run([{ _tag: 'TimerFired', timer: 'Resync' }], ctx, answered.state);
    // Absent from the cache means gone here, even if the cache never held it: the watch may have missed its life.
    expect(looked.commands).toEqual([
      { _tag: 'Observe', ref: ref('r1-train-0'), absentIsGone: true },
      { _tag: 'ScheduleTimer', timer: 'Resync', at: T0 + config().executor['resync-period'] },
    ]);
    const gone = run([{ _tag: 'ObjectGone', ref: ref('r1-train-0') }], ctx, looked.state);
    expect(isSettled(gone.state)).toBe(true);
    expect(run([{ _tag: 'TimerFired', timer: 'Resync' }], ctx, gone.state).commands).toEqual([]);
  });

  it('a DELETE answered NotFound is gone at once (nothing may ever be seen of it)', () => {
    const ctx = deleting();
    const { state } = run(
      [
        ...succeeded,
        { _tag: 'DeleteAnswered', ref: ref('r1-train-0'), error: statusError('NotFound', 'gone') },
      ],
      ctx,
    );
    expect(isSettled(state)).toBe(true);
  });

  it('a refused DELETE is sent again, and the task is not settled meanwhile', () => {
    const ctx = deleting();
    const { state, commands } = run(
      [
        ...succeeded,
        { _tag: 'DeleteAnswered', ref: ref('r1-train-0'), error: statusError('InternalError', 'etcd') },
      ],
      ctx,
    );
    expect(isSettled(state)).toBe(false);
    const retry = run([{ _tag: 'TimerFired', timer: 'Retry' }], ctx, state);
    expect(ofTag(retry.commands, 'Delete').map((c) => c.ref.name)).toEqual(['r1-train-0']);
    expect(ofTag(commands, 'ScheduleTimer').some((c) => c.timer === 'Retry')).toBe(true);
  });

  it('without it: settled once our finalizer is off, the object kept', () => {
    const { state, commands } = run(succeeded);
    expect(ofTag(commands, 'Delete')).toEqual([]);
    expect(isSettled(state)).toBe(true);
  });

  it.each([
    ['NotFound', statusError('NotFound', 'gone')],
    ['Conflict (its uid precondition failed)', statusError('Conflict', 'uid precondition failed')],
  ])('an abort by delete answered %s: the object meant is gone, and the task settles', (_, error) => {
    const { state } = run([
      { _tag: 'Submitted' },
      created('r1-train-0'),
      seen('r1-train-0', 'Running'),
      { _tag: 'AbortRequested', reason: 'user' },
      { _tag: 'AbortApplied', ref: ref('r1-train-0'), error },
    ]);
    expect(state.stage).toMatchObject({ _tag: 'Done', final: { phase: 'Aborted' } });
    expect(state.owned).toMatchObject([{ _tag: 'Gone' }]);
    expect(isSettled(state)).toBe(true);
  });

  it('an abort by delete that succeeded waits for the object to go (its finalizer off first)', () => {
    const { state, commands } = run([
      { _tag: 'Submitted' },
      created('r1-train-0'),
      seen('r1-train-0', 'Running'),
      { _tag: 'AbortRequested', reason: 'user' },
      { _tag: 'AbortApplied', ref: ref('r1-train-0') },
      { _tag: 'FinalizerRemoved', ref: ref('r1-train-0') },
    ]);
    expect(ofTag(commands, 'RemoveFinalizer').map((c) => c.ref.name)).toEqual(['r1-train-0']);
    expect(isSettled(state)).toBe(false);
    expect(isSettled(run([{ _tag: 'ObjectGone', ref: ref('r1-train-0') }], ctxAt(T0), state).state)).toBe(
      true,
    );
  });
});

describe('persistence', () => {
  it('round-trips and refuses unknown versions', () => {
    const { state } = run([{ _tag: 'Submitted' }, created('r1-train-0'), seen('r1-train-0', 'Running')]);
    expect(readState(JSON.parse(JSON.stringify(writeState(state))))).toEqual(E.right(state));
    expect(readState({ ...(writeState(state) as object), version: 99 })).toEqual(
      E.left({ _tag: 'UnknownVersion', version: 99 }),
    );
    expect(readState('garbage')).toEqual(E.left({ _tag: 'UnknownVersion', version: undefined }));
  });

  it('resuming re-issues what was in flight, idempotently', () => {
    const { state } = run([{ _tag: 'Submitted' }]);
    const resumed = step(state, { _tag: 'Resumed' }, ctxAt(T0));
    expect(ofTag(resumed.commands, 'Create').map((c) => c.ref.name)).toEqual(['r1-train-0']);
    const live = run([{ _tag: 'Submitted' }, created('r1-train-0')]).state;
    expect(step(live, { _tag: 'Resumed' }, ctxAt(T0)).commands.map((c) => c._tag)).toEqual([
      'Observe',
      'ScheduleTimer',
    ]);
  });

  it('resuming a create in flight looks in the cache before sending it again', () => {
    const { state } = run([{ _tag: 'Submitted' }]);
    expect(step(state, { _tag: 'Resumed' }, ctxAt(T0)).commands.map((c) => c._tag)).toEqual([
      'Observe',
      'Create',
    ]);
  });

  it('a create sent again after a restart that fails is moot once the watch has shown the first one', () => {
    const { state } = run([{ _tag: 'Submitted' }]);
    const r = run(
      [
        { _tag: 'Resumed' },
        seen('r1-train-0', 'Running'),
        {
          _tag: 'CreateFailed',
          ref: ref('r1-train-0'),
          error: statusError('TooManyRequests', 'slow down'),
        },
      ],
      ctxAt(T0),
      state,
    );
    expect(r.state.stage._tag).toBe('Started');
    expect(r.state.systemFailures).toBe(0);
    expect(r.state.owned).toMatchObject([{ ref: ref('r1-train-0'), _tag: 'Live', deletion: 'None' }]);
  });

  it('a delete refused by its uid precondition counts the object as gone; a newer one is deleted by its own uid', () => {
    const ctx = ctxAt(T0, task(), config({ finalizer: false }));
    const { commands, state } = run(
      [
        { _tag: 'Submitted' },
        created('r1-train-0'),
        seen('r1-train-0', 'Fatal', { finalizers: [] }),
        {
          _tag: 'DeleteAnswered',
          ref: ref('r1-train-0'),
          error: statusError('Conflict', 'Precondition failed: UID in precondition'),
        },
        seen('r1-train-0', 'Fatal', { finalizers: [], uid: 'uid-newer' }),
      ],
      ctx,
    );
    expect(ofTag(commands, 'Delete').map((c) => c.uid)).toEqual(['uid-r1-train-0', 'uid-newer']);
    expect(ofTag(commands, 'ScheduleTimer').filter((c) => c.timer === 'Retry')).toEqual([]);
    expect(state.owned[0]).toMatchObject({ _tag: 'Live', deletion: 'Sent', uid: 'uid-newer' });
  });

  it('an object that comes back after a NotFound (a late create of a dead process) is cleaned up and deleted', () => {
    const notFound = statusError('NotFound', 'pods "r1-train-0" not found');
    const aborted = run([
      { _tag: 'Submitted' },
      created('r1-train-0'),
      seen('r1-train-0', 'Running'),
      { _tag: 'AbortRequested', reason: 'user' },
    ]);
    const answered = run(
      [
        { _tag: 'AbortApplied', ref: ref('r1-train-0') },
        { _tag: 'FinalizerRemoved', ref: ref('r1-train-0'), error: notFound },
        { _tag: 'DeleteAnswered', ref: ref('r1-train-0'), error: notFound },
      ],
      ctxAt(T0),
      aborted.state,
    );
    expect(answered.state.owned).toEqual([{ _tag: 'Gone', ref: ref('r1-train-0'), attempt: 0 }]);
    const back = step(answered.state, seen('r1-train-0', 'Running', { uid: 'uid-late' }), ctxAt(T0));
    expect(ofTag(back.commands, 'RemoveFinalizer').map((c) => c.ref.name)).toEqual(['r1-train-0']);
    expect(back.state.owned).toMatchObject([
      { _tag: 'Live', uid: 'uid-late', finalizer: 'Removing', deletion: 'Wanted' },
    ]);
    // The aborted task's stray pod must not run on: once our finalizer is off, it is deleted.
    const removed = step(back.state, { _tag: 'FinalizerRemoved', ref: ref('r1-train-0') }, ctxAt(T0));
    expect(ofTag(removed.commands, 'Delete').map((c) => c.ref.name)).toEqual(['r1-train-0']);
  });
});
