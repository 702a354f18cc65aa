// The differences' expectations describe kubetasks exactly: wherever one applies, kubetasks answers what it expects.
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { defaultPlatformConfig, type PlatformConfig } from '../../../../src/domain/platform-config.js';
import { getPodTaskPhase } from '../../../../src/plugins/pod/phase/classify.js';
import { differences, type DifferentialInput } from '../../../../src/plugins/pod/phase/differences.js';
import { outcome, sameOutcome } from '../../../../src/plugins/pod/phase/flyte-model.js';
import { arbPodObservation, arbWaitingObservation } from '../../../../src/testing/pod-arbitraries.js';
import { cases, configOf } from './cases.js';
import { MIN, T0 } from './fixtures/pods.js';

const arbConfig: fc.Arbitrary<PlatformConfig> = fc
  .record({
    ccce: fc.constantFrom(0, 60_000),
    ipbo: fc.constantFrom(0, 180_000),
    pending: fc.constantFrom(0, 120_000, 900_000),
  })
  .map(({ ccce, ipbo, pending }) => ({
    ...defaultPlatformConfig,
    plugins: {
      ...defaultPlatformConfig.plugins,
      k8s: {
        ...defaultPlatformConfig.plugins.k8s,
        'create-container-config-error-grace-period': ccce,
        'image-pull-backoff-grace-period': ipbo,
        'pod-pending-timeout': pending,
      },
    },
  }));

const arbInput: fc.Arbitrary<DifferentialInput> = fc
  .tuple(fc.oneof(arbPodObservation, arbWaitingObservation), arbConfig)
  .map(([{ pod, now }, config]) => ({ resource: pod, now, config }));

const mismatches = (input: DifferentialInput): string[] => {
  const pi = getPodTaskPhase({ now: input.now, config: input.config }, input.resource);
  const mine = outcome(pi.phase, pi.error?.code, pi.error?.kind, pi.cleanupOnFailure);
  return differences.flatMap((d) => {
    if (d.applies === undefined || d.expected === undefined || !d.applies(input)) return [];
    const e = d.expected(input).kubetasks;
    return sameOutcome(e, mine)
      ? []
      : [`${d.id}: expected ${JSON.stringify(e)}, got ${JSON.stringify(mine)}`];
  });
};

describe('pod phase differences as data', () => {
  test.prop([arbInput], { numRuns: 500 })(
    'an applicable difference expects what kubetasks answers',
    (input) => {
      expect(mismatches(input)).toEqual([]);
    },
  );

  it.each(cases.filter((c) => c.previous === undefined).map((c) => [c.name, c] as const))(
    'table case %s: every applicable difference expects its answer',
    (_name, c) => {
      expect(mismatches({ resource: c.resource, now: c.now ?? T0 + 10 * MIN, config: configOf(c) })).toEqual(
        [],
      );
    },
  );

  it('the differences the oracle checks carry both a predicate and the expected answers', () => {
    const checked = differences.filter((d) => d.applies !== undefined).map((d) => d.id);
    expect(checked.length).toBeGreaterThanOrEqual(9);
    for (const d of differences) expect(d.applies === undefined).toBe(d.expected === undefined);
  });
});
