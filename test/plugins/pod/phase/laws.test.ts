// Laws of the pod phase mapping as properties over generated pods: total, deterministic, order-independent, monotone.
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import type { ContainerStatus, Pod } from 'kubernetes-types/core/v1.js';
import { isFailure, isTerminal } from '../../../../src/domain/phase.js';
import {
  PhaseInfoC,
  pluginStateOf,
  type PhaseInfo,
  type PluginState,
} from '../../../../src/domain/phase-info.js';
import { defaultPlatformConfig, type PlatformConfig } from '../../../../src/domain/platform-config.js';
import { explainPodTaskPhase, getPodTaskPhase } from '../../../../src/plugins/pod/phase/classify.js';
import { attachEvents } from '../../../../src/domain/events.js';
import { isPodTerminal, podCompletionTime } from '../../../../src/plugins/pod/phase/gc.js';
import { arbPlatformConfig } from '../../../../src/testing/arbitraries.js';
import {
  arbFailedPod,
  arbGarbagePod,
  arbKubernetesEvent,
  arbPendingObservation,
  arbPod,
  arbPodObservation,
  arbPodObservations,
  arbRunningPod,
  arbWaitingObservation,
} from '../../../../src/testing/pod-arbitraries.js';
import { iso } from './fixtures/pods.js';

const arbNow = fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 });

/** Configs with grace periods and pending timeouts that bite within a lifecycle. */
const arbConfig: fc.Arbitrary<PlatformConfig> = fc
  .record({
    base: arbPlatformConfig,
    cce: fc.constantFrom(0, 30_000, 180_000),
    ccce: fc.constantFrom(0, 60_000),
    ipbo: fc.constantFrom(0, 60_000, 180_000),
    pending: fc.constantFrom(0, 120_000, 900_000),
  })
  .map(({ base, cce, ccce, ipbo, pending }) => ({
    ...base,
    plugins: {
      ...base.plugins,
      k8s: {
        ...base.plugins.k8s,
        'create-container-error-grace-period': cce,
        'create-container-config-error-grace-period': ccce,
        'image-pull-backoff-grace-period': ipbo,
        'pod-pending-timeout': pending,
      },
    },
    logs: { ...base.logs, 'kubernetes-enabled': true, 'kubernetes-url': 'https://k8s.example.com' },
  }));

const arbPrevious: fc.Arbitrary<PluginState | undefined> = fc.option(
  fc.record({
    phase: fc.constantFrom(
      'Queued' as const,
      'Initializing' as const,
      'Running' as const,
      'Undefined' as const,
    ),
    version: fc.nat({ max: 20 }),
    reason: fc.string({ maxLength: 10 }),
  }),
  { nil: undefined },
);

/** The classification of a PhaseInfo: what must not depend on the observation history. */
const classification = (pi: PhaseInfo) => ({
  phase: pi.phase,
  code: pi.error?.code,
  kind: pi.error?.kind,
  cleanup: pi.cleanupOnFailure,
});

describe('laws of getPodTaskPhase', () => {
  test.prop([fc.anything(), arbNow, arbPrevious])('is total on any value', (u, now, previous) => {
    const pi = getPodTaskPhase(
      { now, config: defaultPlatformConfig, ...(previous === undefined ? {} : { previous }) },
      u,
    );
    expect(PhaseInfoC.is(pi)).toBe(true);
  });

  test.prop([arbGarbagePod, arbNow, arbConfig])('is total on pod-shaped garbage', (u, now, config) => {
    const { phaseInfo, rows } = explainPodTaskPhase({ now, config }, u);
    expect(PhaseInfoC.is(phaseInfo)).toBe(true);
    expect(rows.length).toBeGreaterThan(0);
    expect(isPodTerminal(u)).toBeTypeOf('boolean');
    podCompletionTime(u);
  });

  test.prop([fc.oneof(arbPod, arbGarbagePod), arbNow, arbConfig, arbPrevious])(
    'is deterministic',
    (u, now, config, previous) => {
      const ctx = { now, config, ...(previous === undefined ? {} : { previous }) };
      expect(explainPodTaskPhase(ctx, u)).toEqual(explainPodTaskPhase(ctx, u));
    },
  );

  test.prop([arbPodObservations({ minLength: 2, maxLength: 10 }), arbConfig])(
    'the classification of a pod does not depend on whether earlier observations happened',
    ({ observations }, config) => {
      let previous: PluginState | undefined;
      for (const o of observations) {
        const withHistory = getPodTaskPhase(
          { now: o.now, config, ...(previous === undefined ? {} : { previous }) },
          o.pod,
        );
        const fresh = getPodTaskPhase({ now: o.now, config }, o.pod);
        expect(classification(withHistory)).toEqual(classification(fresh));
        expect(withHistory.reason).toBe(fresh.reason);
        expect(withHistory.error).toEqual(fresh.error);
        previous = pluginStateOf(withHistory);
      }
    },
  );

  const arbPrimaryEnd = fc.record({
    exitCode: fc.constantFrom(0, 1, 2, 3, 127, 137, 143, 247, 255),
    reason: fc.constantFrom('Error', 'Completed', 'OOMKilled', '', 'ContainerCannotRun'),
  });

  test.prop([arbRunningPod, arbPrimaryEnd, arbNow])(
    'a primary container that ended is classified the same whether the pod is seen Running or Failed/Succeeded',
    (running, end, now) => {
      const primary = running.spec?.containers[0]?.name ?? 'primary';
      const startedAt = iso(Date.parse(running.metadata?.creationTimestamp ?? '2026-01-01T00:00:00Z'));
      const ended: ContainerStatus['state'] = {
        terminated: { exitCode: end.exitCode, reason: end.reason, startedAt, finishedAt: startedAt },
      };
      const annotated: Pod = {
        ...running,
        metadata: {
          ...running.metadata,
          annotations: { ...running.metadata?.annotations, primary_container_name: primary },
        },
      };
      const statuses = annotated.status?.containerStatuses ?? [];
      const seenRunning: Pod = {
        ...annotated,
        status: {
          ...annotated.status,
          phase: 'Running',
          containerStatuses: statuses.map((s) =>
            s.name === primary ? { ...s, ready: false, state: ended } : s,
          ),
        },
      };
      const final: Pod = {
        ...annotated,
        status: {
          ...annotated.status,
          phase: end.exitCode === 0 ? 'Succeeded' : 'Failed',
          containerStatuses: statuses.map((s) =>
            s.name === primary
              ? { ...s, ready: false, state: ended }
              : {
                  ...s,
                  ready: false,
                  state: {
                    terminated: { exitCode: 0, reason: 'Completed', startedAt, finishedAt: startedAt },
                  },
                },
          ),
        },
      };
      const ctx = { now, config: defaultPlatformConfig };
      const a = getPodTaskPhase(ctx, seenRunning);
      const b = getPodTaskPhase(ctx, final);
      expect(classification(a)).toEqual(classification(b));
      const disrupted = (running.status?.conditions ?? []).some((c) => c.type === 'DisruptionTarget');
      if (end.exitCode === 1 && end.reason === 'Error' && !disrupted) {
        expect(classification(a)).toEqual({
          phase: 'RetryableFailure',
          code: 'Error',
          kind: 'USER',
          cleanup: false,
        });
      }
    },
  );

  const monotone = ({ pod, now }: { pod: Pod; now: number }, later: number, config: PlatformConfig) => {
    const before = getPodTaskPhase({ now, config }, pod);
    const after = getPodTaskPhase({ now: now + later, config }, pod);
    if (isFailure(before.phase)) expect(isFailure(after.phase)).toBe(true);
  };

  test.prop([arbPodObservation, fc.nat({ max: 3 * 3_600_000 }), arbConfig])(
    'time is monotone: a failure reported at t is reported at every later t',
    monotone,
  );

  test.prop(
    [
      arbWaitingObservation,
      fc.nat({ max: 3 * 3_600_000 }),
      arbConfig.map((c) => ({
        ...c,
        plugins: { ...c.plugins, k8s: { ...c.plugins.k8s, 'pod-pending-timeout': 0 } },
      })),
    ],
    { numRuns: 400 },
  )('grace periods are monotone on their own (no pending timeout to mask them)', monotone);

  test.prop([
    fc.oneof(arbWaitingObservation, arbPendingObservation),
    fc.nat({ max: 24 * 3_600_000 }),
    arbConfig,
  ])(
    'for a pending pod, only grace periods and the pending timeout turn time into failure',
    ({ pod, now }, later, config) => {
      const before = explainPodTaskPhase({ now, config }, pod);
      const after = explainPodTaskPhase({ now: now + later, config }, pod);
      if (!isFailure(before.phaseInfo.phase) && isFailure(after.phaseInfo.phase)) {
        expect(after.rows.at(-1)).toMatch(/\.expired$|\.rate-limited$|^pending\.timeout$/u);
      }
    },
  );

  test.prop([arbPodObservations({ minLength: 2, maxLength: 12 }), arbConfig])(
    'a terminal phase is never followed by a non-terminal one as the pod moves forward',
    ({ observations }, config) => {
      let previous: PluginState | undefined;
      let terminalSeen = false;
      for (const o of observations) {
        const pi = getPodTaskPhase(
          { now: o.now, config, ...(previous === undefined ? {} : { previous }) },
          o.pod,
        );
        if (terminalSeen) expect(isTerminal(pi.phase)).toBe(true);
        if (isTerminal(pi.phase)) {
          // A failure that asks for cleanup makes the plugin manager delete the pod: it does not move on.
          if (pi.cleanupOnFailure) return;
          terminalSeen = true;
        }
        previous = pluginStateOf(pi);
      }
    },
  );

  test.prop([arbPodObservations({ minLength: 2, maxLength: 12 }), arbConfig])(
    'a pod that Kubernetes reports terminal stays terminal',
    ({ observations }) => {
      let seen = false;
      for (const o of observations) {
        if (seen) expect(isPodTerminal(o.pod)).toBe(true);
        seen = seen || isPodTerminal(o.pod);
      }
    },
  );

  test.prop([
    arbPodObservations({ minLength: 2, maxLength: 12 }),
    arbConfig,
    fc.array(fc.nat({ max: 5 }), { maxLength: 12 }),
  ])(
    'versions never decrease across successive observations, and a new reason moves them forward',
    ({ lifecycle, observations }, config, eventsPerRound) => {
      const subject = {
        kind: 'Pod',
        namespace: lifecycle.namespace,
        name: lifecycle.name,
        uid: lifecycle.uid,
      };
      let previous: PluginState | undefined;
      observations.forEach((o, i) => {
        const events = fc.sample(arbKubernetesEvent(subject, o.now - 60_000), {
          numRuns: eventsPerRound[i] ?? 0,
          seed: i,
        });
        const decided = getPodTaskPhase(
          { now: o.now, config, ...(previous === undefined ? {} : { previous }) },
          o.pod,
        );
        const pi = attachEvents(decided, events, previous, { regarding: subject, after: o.now - 60_000 });
        if (previous !== undefined && previous.phase === pi.phase) {
          expect(pi.version).toBeGreaterThanOrEqual(previous.version);
          if (previous.reason !== pi.reason || pi.info.additionalReasons.length > 0) {
            expect(pi.version).toBeGreaterThan(previous.version);
          }
        }
        previous = pluginStateOf(pi);
      });
    },
  );

  test.prop([arbFailedPod, arbNow])(
    'a failed pod is a failure, and SYSTEM only for infrastructure signals',
    (pod, now) => {
      const { phaseInfo, rows } = explainPodTaskPhase({ now, config: defaultPlatformConfig }, pod);
      if (rows.at(-1) === 'primary.succeeded') return;
      expect(isFailure(phaseInfo.phase)).toBe(true);
      if (phaseInfo.error?.kind === 'SYSTEM') {
        expect(rows.at(-1)).toMatch(
          /^failed\.(node-shutdown|preempted|evicted-by-system|primary\.sigkill|no-status)$/u,
        );
      }
    },
  );
});

describe('the pod arbitraries', () => {
  const timestamps = (u: unknown): string[] => {
    if (Array.isArray(u)) return u.flatMap(timestamps);
    if (typeof u === 'object' && u !== null) {
      return Object.entries(u).flatMap(([k, v]) =>
        /Time$|At$|Timestamp$/u.test(k) && typeof v === 'string' ? [v] : timestamps(v),
      );
    }
    return [];
  };

  test.prop([arbPodObservations()])(
    'observations move forward and never show the future',
    ({ observations }) => {
      const order = ['Pending', 'Running', 'Succeeded', 'Failed'];
      let last = 0;
      let lastNow = -Infinity;
      for (const o of observations) {
        expect(o.now).toBeGreaterThanOrEqual(lastNow);
        lastNow = o.now;
        for (const t of timestamps(o.pod)) expect(Date.parse(t)).toBeLessThanOrEqual(o.now);
        const rank = Math.min(order.indexOf(o.pod.status?.phase ?? 'Pending'), 2);
        expect(rank).toBeGreaterThanOrEqual(last);
        last = rank;
      }
    },
  );

  it('cover every pod phase and the interesting rows', () => {
    const rows = new Set(
      fc
        .sample(arbPodObservation, { numRuns: 3000, seed: 7 })
        .map((o) => explainPodTaskPhase({ now: o.now, config: defaultPlatformConfig }, o.pod).rows.at(-1)),
    );
    for (const id of [
      'pending.unscheduled',
      'pending.waiting.starting',
      'pending.waiting.image-pull-backoff.expired',
      'running.default',
      'running.primary.running',
      'primary.succeeded',
      'failed.primary.exit-code',
      'failed.preempted',
      'failed.evicted-by-system',
      'failed.node-shutdown',
      'failed.pod-reason',
      'succeeded.ok',
    ]) {
      expect(rows, id).toContain(id);
    }
  });
});
