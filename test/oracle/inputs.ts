// Generated inputs for the differential test and the oracle bench: realistic pods, an observation time, a config.
import fc from 'fast-check';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { defaultPlatformConfig, type PlatformConfig } from '../../src/domain/platform-config.js';
import type { DifferentialInput } from '../../src/plugins/pod/phase/differences.js';
import { parseInstant, type Instant } from '../../src/domain/time.js';
import * as O from 'fp-ts/lib/Option.js';
import {
  arbPodObservation,
  arbSucceededPod,
  arbUnknownPod,
  arbWaitingObservation,
} from '../../src/testing/pod-arbitraries.js';
import { arbWidePodObservation } from '../../src/testing/pod-regions.js';

/** Grace periods and pending timeouts that bite within a lifecycle, including Flyte's defaults and 0. */
export const arbOracleConfig: fc.Arbitrary<PlatformConfig> = fc
  .record({
    cce: fc.constantFrom(0, 30_000, 180_000),
    ccce: fc.constantFrom(0, 60_000),
    ipbo: fc.constantFrom(0, 60_000, 180_000),
    pending: fc.constantFrom(0, 0, 120_000, 900_000),
  })
  .map(({ cce, ccce, ipbo, pending }) => ({
    ...defaultPlatformConfig,
    plugins: {
      ...defaultPlatformConfig.plugins,
      k8s: {
        ...defaultPlatformConfig.plugins.k8s,
        'create-container-error-grace-period': cce,
        'create-container-config-error-grace-period': ccce,
        'image-pull-backoff-grace-period': ipbo,
        'pod-pending-timeout': pending,
      },
    },
  }));

const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/u;

/** The latest timestamp anywhere in a pod (the kubelet's last write). */
const latestTimestamp = (pod: Pod): Instant => {
  let latest = 0;
  JSON.stringify(pod, (_k, v: unknown) => {
    if (typeof v === 'string' && TIMESTAMP.test(v)) {
      const t = parseInstant(v);
      if (O.isSome(t) && t.value > latest) latest = t.value;
    }
    return v;
  });
  return latest;
};

/** A pod without its own observation time, observed a little after its last status write. */
const observedAfter = (pods: fc.Arbitrary<Pod>): fc.Arbitrary<{ readonly pod: Pod; readonly now: Instant }> =>
  fc
    .tuple(pods, fc.integer({ min: 0, max: 600 }))
    .map(([pod, s]) => ({ pod, now: latestTimestamp(pod) + s * 1000 }));

/** Any moment of a pod's life, pods stuck on a waiting reason, OOM-killed successes, pods on a lost node. */
export const arbObservation: fc.Arbitrary<{ readonly pod: Pod; readonly now: Instant }> = fc.oneof(
  { weight: 6, arbitrary: arbPodObservation },
  { weight: 2, arbitrary: arbWaitingObservation },
  { weight: 1, arbitrary: observedAfter(arbSucceededPod) },
  { weight: 1, arbitrary: observedAfter(arbUnknownPod) },
);

/**
 * What the differential test compares: ordinary lives (arbObservation, also the benchmark's pods), the corners they
 * never reach, and perturbations of both (src/testing/pod-regions.ts).
 */
export const arbDifferentialInput: fc.Arbitrary<DifferentialInput> = fc
  .tuple(arbWidePodObservation(arbObservation), arbOracleConfig)
  .map(([{ pod, now }, config]) => ({ resource: pod, now, config }));
