// Garbage-collection helpers: terminal pods and their completion time.
import { describe, expect, it } from 'vitest';
import * as O from 'fp-ts/lib/Option.js';
import { isPodTerminal, podCompletionTime } from '../../../../src/plugins/pod/phase/gc.js';
import { iso, pod, running, SEC, T0, terminated } from './fixtures/pods.js';

describe('isPodTerminal', () => {
  it.each([
    ['Succeeded', true],
    ['Failed', true],
    ['Running', false],
    ['Pending', false],
    ['Unknown', false],
  ])('%s → %s', (phase, expected) => {
    expect(isPodTerminal(pod({ phase }))).toBe(expected);
  });

  it.each([[null], ['Failed'], [{ kind: 'Job', status: { phase: 'Failed' } }], [{ status: 'Failed' }]])(
    'garbage %j is not terminal',
    (u) => {
      expect(isPodTerminal(u)).toBe(false);
    },
  );
});

describe('podCompletionTime', () => {
  it('is the latest finishedAt over init and regular containers, current and last state', () => {
    const p = pod({
      phase: 'Failed',
      startTime: T0 + SEC,
      initContainerStatuses: [terminated('fetch-inputs', 0, 'Completed', T0, T0 + 10 * SEC)],
      containerStatuses: [
        {
          ...terminated('app', 1, 'Error', T0 + 20 * SEC, T0 + 30 * SEC),
          lastState: { terminated: { exitCode: 1, startedAt: iso(T0), finishedAt: iso(T0 + 50 * SEC) } },
        },
      ],
    });
    expect(podCompletionTime(p)).toEqual(O.some(T0 + 50 * SEC));
  });

  it('falls back to deletionTimestamp, then startTime, then creationTimestamp', () => {
    const p = pod({
      phase: 'Running',
      startTime: T0 + SEC,
      containerStatuses: [running('app', T0 + 2 * SEC)],
    });
    expect(podCompletionTime(p)).toEqual(O.some(T0 + SEC));
    const deleted = { ...p, metadata: { ...p.metadata, deletionTimestamp: iso(T0 + 5 * SEC) } };
    expect(podCompletionTime(deleted)).toEqual(O.some(T0 + 5 * SEC));
    expect(podCompletionTime(pod({ phase: 'Pending' }))).toEqual(O.some(T0));
  });

  it('is none for garbage or a pod without any time', () => {
    expect(podCompletionTime(42)).toEqual(O.none);
    expect(podCompletionTime({ kind: 'Pod', metadata: { name: 'x' } })).toEqual(O.none);
  });
});
