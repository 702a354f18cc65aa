// Kubernetes events as additional reasons: both Event APIs, filtering to the object, order, cursor, version bumps.
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import * as O from 'fp-ts/lib/Option.js';
import {
  PhaseInfoC,
  initializing,
  retryableFailureWithCleanup,
  running,
} from '../../../../src/domain/phase-info.js';
import {
  attachEvents,
  eventsRegarding,
  latestEventTime,
  readEvent,
  regardingOf,
} from '../../../../src/domain/events.js';
import { arbKubernetesEvent, arbPod } from '../../../../src/testing/pod-arbitraries.js';
import { T0, iso, pod, SEC } from './fixtures/pods.js';

const subject = {
  kind: 'Pod',
  namespace: 'ml-team',
  name: 'r8f3a2c-train-0',
  uid: '6b1e3c2a-9f0d-4e7a-8b5c-2d4f6a8c0e1f',
};

const coreEvent = (reason: string, message: string, at: number, over: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Event',
  metadata: {
    name: `r8f3a2c-train-0.${reason.toLowerCase()}`,
    namespace: 'ml-team',
    creationTimestamp: iso(at),
  },
  involvedObject: {
    apiVersion: 'v1',
    kind: 'Pod',
    namespace: 'ml-team',
    name: 'r8f3a2c-train-0',
    uid: subject.uid,
  },
  reason,
  message,
  type: reason === 'BackOff' || reason === 'Failed' ? 'Warning' : 'Normal',
  source: { component: 'kubelet', host: 'node-a' },
  count: 1,
  firstTimestamp: iso(at),
  lastTimestamp: iso(at),
  ...over,
});

const newEvent = (reason: string, note: string, at: number, over: Record<string, unknown> = {}) => ({
  apiVersion: 'events.k8s.io/v1',
  kind: 'Event',
  metadata: {
    name: `r8f3a2c-train-0.${reason.toLowerCase()}2`,
    namespace: 'ml-team',
    creationTimestamp: iso(at),
  },
  regarding: { kind: 'Pod', namespace: 'ml-team', name: 'r8f3a2c-train-0', uid: subject.uid },
  reason,
  note,
  type: 'Normal',
  action: 'Binding',
  reportingController: 'default-scheduler',
  reportingInstance: 'default-scheduler-control-plane',
  eventTime: `${iso(at).replace('Z', '')}.123456Z`,
  ...over,
});

describe('reading events', () => {
  it('reads a core/v1 Event', () => {
    expect(readEvent(coreEvent('Pulling', 'Pulling image "python:3.12"', T0 + SEC, { count: 3 }))).toEqual(
      O.some({
        eventName: 'r8f3a2c-train-0.pulling',
        type: 'Normal',
        reason: 'Pulling',
        message: 'Pulling image "python:3.12"',
        sourceComponent: 'kubelet',
        count: 3,
        occurredAt: T0 + SEC,
        regarding: subject,
      }),
    );
  });

  it('reads an events.k8s.io/v1 Event, preferring the series time and count', () => {
    const e = readEvent(
      newEvent('Scheduled', 'Successfully assigned ml-team/r8f3a2c-train-0 to node-a', T0, {
        series: { count: 4, lastObservedTime: `${iso(T0 + 5 * SEC).replace('Z', '')}.000001Z` },
      }),
    );
    expect(O.isSome(e) && e.value).toMatchObject({
      message: 'Successfully assigned ml-team/r8f3a2c-train-0 to node-a',
      sourceComponent: 'default-scheduler',
      count: 4,
      occurredAt: T0 + 5 * SEC,
    });
  });

  it.each([
    [null],
    [42],
    [{ kind: 'Pod' }],
    [{ kind: 'Event', involvedObject: {} }],
    [[coreEvent('A', 'b', T0)]],
  ])('ignores %j', (u) => {
    expect(readEvent(u)).toEqual(O.none);
  });

  it('derives the reference of a pod', () => {
    expect(regardingOf(pod())).toEqual(O.some(subject));
    expect(regardingOf('pod')).toEqual(O.none);
  });
});

describe('attachEvents', () => {
  const base = initializing(T0, 0, '[ContainersNotReady|ContainerCreating]: x|');

  it('attaches the events about the object, oldest first, with structured metadata', () => {
    const events = [
      coreEvent('Pulled', 'Successfully pulled image "python:3.12" in 2.1s', T0 + 9 * SEC),
      newEvent('Scheduled', 'Successfully assigned ml-team/r8f3a2c-train-0 to node-a', T0 + SEC),
      coreEvent('Pulling', 'Pulling image "python:3.12"', T0 + 2 * SEC),
    ];
    const pi = attachEvents(base, events, undefined, { regarding: subject });
    expect(pi.info.additionalReasons).toEqual([
      {
        reason: 'Successfully assigned ml-team/r8f3a2c-train-0 to node-a',
        occurredAt: T0 + SEC + 123, // eventTime has microseconds: .123456
        kubernetesEvent: {
          type: 'Normal',
          reason: 'Scheduled',
          sourceComponent: 'default-scheduler',
          count: 1,
          involvedKind: 'Pod',
          involvedName: 'r8f3a2c-train-0',
          involvedNamespace: 'ml-team',
        },
      },
      expect.objectContaining({ reason: 'Pulling image "python:3.12"', occurredAt: T0 + 2 * SEC }),
      expect.objectContaining({
        reason: 'Successfully pulled image "python:3.12" in 2.1s',
        occurredAt: T0 + 9 * SEC,
      }),
    ]);
    expect(PhaseInfoC.is(pi)).toBe(true);
  });

  it('ignores events about other objects, another uid (a recreated pod) or another namespace', () => {
    const events = [
      coreEvent('Pulling', 'x', T0, {
        involvedObject: { kind: 'Pod', namespace: 'ml-team', name: 'other-pod' },
      }),
      coreEvent('Pulling', 'x', T0, {
        involvedObject: { kind: 'Pod', namespace: 'ml-team', name: subject.name, uid: 'old' },
      }),
      coreEvent('Pulling', 'x', T0, {
        involvedObject: { kind: 'Pod', namespace: 'default', name: subject.name },
      }),
      coreEvent('Pulling', 'x', T0, {
        involvedObject: { kind: 'Job', namespace: 'ml-team', name: subject.name },
      }),
    ];
    expect(attachEvents(base, events, undefined, { regarding: subject })).toBe(base);
  });

  it('matches the kind without regard to case (an identity object may say "pod")', () => {
    const e = coreEvent('Killing', 'Stopping container app', T0, {
      involvedObject: { kind: 'Pod', namespace: 'ml-team', name: subject.name },
    });
    expect(
      attachEvents(base, [e], undefined, { regarding: { ...subject, kind: 'pod' } }).info.additionalReasons,
    ).toHaveLength(1);
  });

  it('attaches only events observed after the cursor; an updated event re-surfaces with its new time', () => {
    const old = coreEvent('BackOff', 'Back-off pulling image "python:3.12"', T0 + SEC);
    const updated = { ...old, count: 5, lastTimestamp: iso(T0 + 90 * SEC) };
    expect(attachEvents(base, [old], undefined, { regarding: subject, after: T0 + 10 * SEC })).toBe(base);
    const pi = attachEvents(base, [updated], undefined, { regarding: subject, after: T0 + 10 * SEC });
    expect(pi.info.additionalReasons.map((r) => r.kubernetesEvent?.count)).toEqual([5]);
    expect(latestEventTime(eventsRegarding([old, updated], { regarding: subject }))).toBe(T0 + 90 * SEC);
  });

  it('moves the version past the stored one when events arrive in the same phase', () => {
    const e = [coreEvent('Pulling', 'Pulling image', T0 + SEC)];
    const previous = { phase: 'Initializing' as const, version: 3, reason: base.reason };
    expect(attachEvents(base, e, previous, { regarding: subject }).version).toBe(4);
    expect(attachEvents(base, [], previous, { regarding: subject }).version).toBe(0);
    expect(attachEvents(running(1), e, previous, { regarding: subject }).version).toBe(1);
    expect(attachEvents({ ...base, version: 7 }, e, previous, { regarding: subject }).version).toBe(7);
  });

  it('keeps cleanupOnFailure through the bump', () => {
    const failed = retryableFailureWithCleanup('ContainersNotReady|ImagePullBackOff', 'm');
    const pi = attachEvents(
      failed,
      [coreEvent('BackOff', 'b', T0)],
      { phase: 'RetryableFailure', version: 0, reason: '' },
      {
        regarding: subject,
      },
    );
    expect([pi.version, pi.cleanupOnFailure]).toEqual([1, true]);
  });

  test.prop([fc.array(fc.anything(), { maxLength: 5 })])('is total on any list of values', (events) => {
    expect(PhaseInfoC.is(attachEvents(base, events, undefined, { regarding: subject }))).toBe(true);
  });

  test.prop([
    arbPod.chain((p) =>
      fc.tuple(
        fc.constant(p),
        fc.array(
          arbKubernetesEvent(
            {
              kind: 'Pod',
              namespace: p.metadata?.namespace ?? '',
              name: p.metadata?.name ?? '',
              uid: p.metadata?.uid ?? '',
            },
            T0,
          ),
          { maxLength: 6 },
        ),
      ),
    ),
  ])('attaches every generated event about the pod, in time order', ([p, events]) => {
    const regarding = O.toUndefined(regardingOf(p))!;
    const pi = attachEvents(base, events, undefined, { regarding });
    const times = pi.info.additionalReasons.map((r) => r.occurredAt ?? 0);
    expect(pi.info.additionalReasons).toHaveLength(events.length);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });
});
