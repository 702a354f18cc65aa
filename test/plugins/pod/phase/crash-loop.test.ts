// A Running pod whose primary container is crash-looping says so in its reason (issue 15, item 10).
import { describe, expect, it } from 'vitest';
import { defaultPlatformConfig } from '../../../../src/domain/platform-config.js';
import { getPodTaskPhase } from '../../../../src/plugins/pod/phase/classify.js';
import { MIN, SEC, T0, pod, readyConditions, running, terminated, waiting } from './fixtures/pods.js';

const R = T0 + 40 * SEC;

const crashLooping = (restarts: number, primary: string | undefined) =>
  pod({
    phase: 'Running',
    ...(primary === undefined ? {} : { primary }),
    containers: ['app', 'sidecar'],
    conditions: readyConditions(R),
    containerStatuses: [
      {
        ...waiting(
          'app',
          'CrashLoopBackOff',
          'back-off 5m0s restarting failed container=app pod=p_ml-team(uid)',
        ),
        restartCount: restarts,
        lastState: terminated('app', 1, 'Error', R, R + MIN).state ?? {},
      },
      running('sidecar', R),
    ],
  });

const ctx = { now: T0 + 30 * MIN, config: defaultPlatformConfig };

describe('a crash-looping primary container', () => {
  it.each([['annotated', 'app'] as const, ['not annotated', undefined] as const])(
    'keeps Flyte’s Running phase and says it is crash-looping, with the restart count (%s)',
    (_name, primary) => {
      const pi = getPodTaskPhase(ctx, crashLooping(7, primary));
      expect(pi.phase).toBe('Running');
      expect(pi.reason).toBe(
        'container app is crash-looping (CrashLoopBackOff, 7 restarts): back-off 5m0s restarting failed container=app pod=p_ml-team(uid)',
      );
    },
  );

  it('a new restart is a new version of the Running phase', () => {
    const first = getPodTaskPhase(ctx, crashLooping(6, 'app'));
    const next = getPodTaskPhase(
      { ...ctx, previous: { phase: first.phase, version: first.version, reason: first.reason } },
      crashLooping(7, 'app'),
    );
    expect(next.phase).toBe('Running');
    expect(next.version).toBe(first.version + 1);
  });

  it('a sidecar in CrashLoopBackOff leaves the reason empty when the primary runs', () => {
    const p = crashLooping(3, 'app');
    const statuses = p.status?.containerStatuses ?? [];
    const swapped = {
      ...p,
      status: { ...p.status, containerStatuses: [running('app', R), { ...statuses[0], name: 'sidecar' }] },
    };
    expect(getPodTaskPhase(ctx, swapped).reason).toBe('');
  });
});
