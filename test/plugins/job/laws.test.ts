// Laws of the batch-job plugin over generated tasks, Job statuses and pods: total, pure, monotone, valid manifests.
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import * as E from 'fp-ts/lib/Either.js';
import { isLabelValue, isDns1123Subdomain } from '../../../src/domain/names.js';
import { addObjectMetadata } from '../../../src/domain/object-metadata.js';
import { isTerminal } from '../../../src/domain/phase.js';
import { PhaseInfoC, pluginStateOf, type PluginState } from '../../../src/domain/phase-info.js';
import { defaultPlatformConfig } from '../../../src/domain/platform-config.js';
import { buildJobResource } from '../../../src/plugins/job/build.js';
import { getJobTaskPhase, isJobTerminal } from '../../../src/plugins/job/phase.js';
import { jobPlugin } from '../../../src/plugins/job/plugin.js';
import {
  arbAnyBatchJobStatus,
  arbBatchJobBuildContext,
  arbBatchJobObservation,
  arbBatchJobObservations,
  arbBatchJobPods,
} from '../../../src/testing/job-arbitraries.js';
import { unknownJobFields, validateJob } from './fixtures.js';

const config = defaultPlatformConfig;
const arbNow = fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 });

const arbPrevious: fc.Arbitrary<PluginState | undefined> = fc.option(
  fc.record({
    phase: fc.constantFrom(
      'Queued' as const,
      'Initializing' as const,
      'Running' as const,
      'WaitingForResources' as const,
    ),
    version: fc.nat({ max: 20 }),
    reason: fc.string({ maxLength: 10 }),
  }),
  { nil: undefined },
);

/** A Job observation with pods of its own (any state the pod generator knows). */
const arbWithPods = arbBatchJobObservation.chain((o) =>
  arbBatchJobPods(o.job).map((pods) => ({ ...o, pods })),
);

describe('getTaskPhase laws', () => {
  test.prop([
    fc.anything(),
    arbNow,
    arbPrevious,
    fc.option(fc.array(fc.anything(), { maxLength: 3 }), { nil: undefined }),
  ])('is total on any value, with any related objects', (u, now, previous, related) => {
    const pi = getJobTaskPhase(
      {
        now,
        config,
        ...(previous === undefined ? {} : { previous }),
        ...(related === undefined ? {} : { related: related as never }),
      },
      u,
    );
    expect(PhaseInfoC.is(pi)).toBe(true);
  });

  test.prop([arbAnyBatchJobStatus, arbNow])(
    'is total on arbitrary statuses and never Undefined for a Job',
    (status, now) => {
      const pi = getJobTaskPhase(
        { now, config },
        { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, status },
      );
      expect(PhaseInfoC.is(pi)).toBe(true);
      expect(pi.phase).not.toBe('Undefined');
    },
  );

  test.prop([arbWithPods, arbPrevious])(
    'is deterministic and independent of the order of related pods',
    (o, previous) => {
      const ctx = {
        now: o.now,
        config,
        related: o.pods as never,
        ...(previous === undefined ? {} : { previous }),
      };
      const a = getJobTaskPhase(ctx, o.job);
      expect(getJobTaskPhase(ctx, o.job)).toEqual(a);
      const reversed = getJobTaskPhase({ ...ctx, related: [...o.pods].reverse() as never }, o.job);
      expect(reversed.phase).toBe(a.phase);
      expect(reversed.error?.code).toBe(a.error?.code);
    },
  );

  test.prop([arbWithPods])(
    'a Job with a terminal condition maps to a terminal phase, whatever its pods',
    (o) => {
      const pi = getJobTaskPhase({ now: o.now, config, related: o.pods as never }, o.job);
      if (isJobTerminal(o.job)) expect(isTerminal(pi.phase)).toBe(true);
      if (pi.phase === 'Success') expect(isJobTerminal(o.job)).toBe(true);
      if (isTerminal(pi.phase) && !isJobTerminal(o.job)) {
        // only a pending pod's trouble ends a Job the controller still runs
        expect(pi.error?.message).toMatch(/^pod /);
      }
    },
  );

  test.prop([arbBatchJobObservations])(
    "over a Job's life: versions never decrease within a phase, terminal stays terminal, Running never regresses",
    ({ observations }) => {
      let previous: PluginState | undefined;
      let terminal = false;
      for (const { job, now } of observations) {
        const pi = getJobTaskPhase({ now, config, ...(previous === undefined ? {} : { previous }) }, job);
        if (previous?.phase === pi.phase) expect(pi.version).toBeGreaterThanOrEqual(previous.version);
        if (terminal) expect(isTerminal(pi.phase)).toBe(true);
        if (previous?.phase === 'Running' && !isTerminal(pi.phase) && pi.phase !== 'WaitingForResources') {
          expect(pi.phase).toBe('Running');
        }
        terminal = terminal || isTerminal(pi.phase);
        previous = pluginStateOf(pi);
      }
    },
  );

  test.prop([arbBatchJobObservations])(
    "the end of a Job's life is its outcome",
    ({ lifecycle, observations }) => {
      const lastObs = observations[observations.length - 1];
      if (lastObs === undefined) return;
      const pi = getJobTaskPhase({ now: lastObs.now, config }, lastObs.job);
      if (!isJobTerminal(lastObs.job)) return;
      if (lifecycle.outcome === 'Complete' || lifecycle.outcome === 'SuccessPolicy')
        expect(pi.phase).toBe('Success');
      else {
        expect(pi.phase).toBe('PermanentFailure');
        expect(pi.error?.code).toBe(lifecycle.outcome);
      }
    },
  );
});

describe('buildResource laws', () => {
  it('the generated contexts build a Job in most cases (the laws are not vacuous)', () => {
    const samples = fc.sample(arbBatchJobBuildContext, { numRuns: 300, seed: 42 });
    const ok = samples.filter((ctx) => E.isRight(buildJobResource(ctx))).length;
    expect(ok).toBeGreaterThan(200);
  });

  test.prop([arbBatchJobBuildContext])(
    'every built Job validates against the Kubernetes OpenAPI schema',
    (ctx) => {
      const r = buildJobResource(ctx);
      if (E.isLeft(r)) {
        expect(r.left.code).not.toBe('FailedToBuildResource');
        return;
      }
      validateJob(r.right);
      expect(unknownJobFields(r.right)).toEqual([]);
      const managed = addObjectMetadata(ctx, jobPlugin.properties, r.right);
      validateJob(managed);
      const name = managed.metadata?.name ?? '';
      expect(isDns1123Subdomain(name)).toBe(true);
      expect(isLabelValue(name)).toBe(true);
      expect(name.length).toBeLessThanOrEqual(57);
      const restart = r.right.spec?.template.spec?.restartPolicy;
      expect(['Never', 'OnFailure']).toContain(restart);
      if (r.right.spec?.podFailurePolicy !== undefined) expect(restart).toBe('Never');
    },
  );

  test.prop([arbBatchJobBuildContext])('is deterministic', (ctx) => {
    expect(buildJobResource(ctx)).toEqual(buildJobResource(ctx));
  });

  test.prop([arbBatchJobBuildContext])(
    "is idempotent: the built Job's own knobs, fed back as the payload, build the same Job",
    (ctx) => {
      const r = buildJobResource(ctx);
      if (E.isLeft(r)) return;
      const { template: _t, ...spec } = r.right.spec!;
      // No policy in the Job is said `rules: []` in a payload (an explicit opt-out of the platform default).
      const knobs = { ...spec, podFailurePolicy: spec.podFailurePolicy ?? { rules: [] } };
      const again = buildJobResource({
        ...ctx,
        task: { ...ctx.task, task: { ...ctx.task.task, custom: knobs } },
      });
      expect(again).toEqual(r);
    },
  );
});
