// Laws of the Spark plugin over generated tasks and statuses: total, deterministic, monotone (CRD validity: test/crds).
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { addObjectMetadata } from '../../../src/domain/object-metadata.js';
import { isTerminal } from '../../../src/domain/phase.js';
import { PhaseInfoC, pluginStateOf, type PluginState } from '../../../src/domain/phase-info.js';
import type { KubeObject, PodSpec } from '../../../src/domain/kubernetes.js';
import { defaultPlatformConfig } from '../../../src/domain/platform-config.js';
import { decodeSparkJob } from '../../../src/plugins/spark/payload.js';
import { sparkPlugin } from '../../../src/plugins/spark/plugin.js';
import { SparkConfig } from '../../../src/plugins/spark/config.js';
import { arbPlatformConfig } from '../../../src/testing/arbitraries.js';
import { arbGarbagePod } from '../../../src/testing/pod-arbitraries.js';
import {
  arbSparkApplication,
  arbSparkBuildContext,
  arbSparkDriverPod,
  arbSparkJob,
  arbSparkStatusSequence,
} from '../../../src/testing/spark-arbitraries.js';

const decodeSection = (s: Record<string, unknown>): unknown => {
  const r = SparkConfig.decode(s);
  if (E.isLeft(r)) throw new Error('generated an invalid spark section');
  return r.right;
};
const arbCtx = arbSparkBuildContext(decodeSection);
const arbNow = fc.integer({ min: 1_700_000_000_000, max: 1_900_000_000_000 });
const arbPrevious: fc.Arbitrary<PluginState | undefined> = fc.option(
  fc.record({
    phase: fc.constantFrom(
      'Queued' as const,
      'Initializing' as const,
      'Running' as const,
      'RetryableFailure' as const,
    ),
    version: fc.nat({ max: 20 }),
    reason: fc.string({ maxLength: 8 }),
  }),
  { nil: undefined },
);
// Garbage among the related objects on purpose: getTaskPhase must survive whatever the cache holds.
const arbRelated = fc
  .array(fc.oneof(arbSparkDriverPod, arbGarbagePod), { maxLength: 2 })
  .map((xs) => xs as unknown as KubeObject[]);
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

describe('getTaskPhase laws', () => {
  test.prop([fc.anything(), arbNow, arbPrevious, arbPlatformConfig])(
    'is total on any value',
    (u, now, previous, config) => {
      const pi = sparkPlugin.getTaskPhase(
        { now, config, ...(previous === undefined ? {} : { previous }) },
        u,
      );
      expect(E.isRight(PhaseInfoC.decode(pi))).toBe(true);
    },
  );

  test.prop([arbSparkApplication, arbRelated, arbNow, arbPrevious])(
    'is total and deterministic on generated applications and driver pods',
    (app, related, now, previous) => {
      const ctx = {
        now,
        config: defaultPlatformConfig,
        related,
        ...(previous === undefined ? {} : { previous }),
      };
      const a = sparkPlugin.getTaskPhase(ctx, app);
      expect(E.isRight(PhaseInfoC.decode(a))).toBe(true);
      expect(sparkPlugin.getTaskPhase(ctx, structuredClone(app))).toEqual(a);
      if (previous !== undefined && previous.phase === a.phase)
        expect(a.version).toBeGreaterThanOrEqual(previous.version);
    },
  );

  test.prop([arbSparkStatusSequence(12), arbNow])(
    'versions never decrease within a phase and a terminal phase stays terminal as the operator moves on',
    (apps, now) => {
      let previous: PluginState | undefined;
      let terminal = false;
      for (const [i, app] of apps.entries()) {
        const pi = sparkPlugin.getTaskPhase(
          {
            now: now + i * 1000,
            config: defaultPlatformConfig,
            ...(previous === undefined ? {} : { previous }),
          },
          app,
        );
        if (previous !== undefined && previous.phase === pi.phase)
          expect(pi.version).toBeGreaterThanOrEqual(previous.version);
        if (terminal) expect(isTerminal(pi.phase)).toBe(true);
        terminal = terminal || isTerminal(pi.phase);
        expect(sparkPlugin.isTerminal(app)).toBe(isTerminal(pi.phase));
        previous = pluginStateOf(pi);
      }
    },
  );

  test.prop([arbSparkApplication])('isTerminal agrees with the phase when no driver pod is seen', (app) => {
    const pi = sparkPlugin.getTaskPhase({ now: 0, config: defaultPlatformConfig }, app);
    expect(sparkPlugin.isTerminal(app)).toBe(isTerminal(pi.phase));
  });
});

describe('buildResource laws', () => {
  test.prop([arbCtx], { numRuns: 100 })('is deterministic and ignores how the context was copied', (ctx) => {
    const a = sparkPlugin.buildResource(ctx);
    expect(sparkPlugin.buildResource(structuredClone(ctx))).toEqual(a);
    expect(sparkPlugin.buildResource(ctx)).toEqual(a);
  });

  test.prop([arbCtx], { numRuns: 100 })(
    'names: a valid object name, executor prefix and container names',
    (ctx) => {
      const r = sparkPlugin.buildResource(ctx);
      if (E.isLeft(r)) return;
      const name = addObjectMetadata(ctx, sparkPlugin.properties, r.right).metadata?.name ?? '';
      expect(name).toMatch(DNS_LABEL);
      expect(`${name}-driver`.length).toBeLessThanOrEqual(63);
      const spec = r.right['spec'] as Record<string, Record<string, unknown>>;
      const prefix = spec['sparkConf']?.['spark.kubernetes.executor.podNamePrefix'] as string;
      expect(prefix).toBe(name);
      expect(prefix.length).toBeLessThanOrEqual(47);
      for (const role of ['driver', 'executor'] as const) {
        const template = spec[role]?.['template'] as { spec: PodSpec } | undefined;
        if (template === undefined) continue;
        const names = template.spec.containers.map((c) => c.name);
        expect(names).toContain(`spark-kubernetes-${role}`);
        for (const n of names) expect(n).toMatch(DNS_LABEL);
      }
    },
  );

  test.prop([arbSparkJob])('camel and proto spellings decode alike', (job) => {
    const camel = (k: string) => k.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
    const deep = (u: unknown, depth: number): unknown =>
      depth === 0 || typeof u !== 'object' || u === null || Array.isArray(u)
        ? u
        : Object.fromEntries(
            Object.entries(u).map(([k, v]) => [
              camel(k),
              k.endsWith('Pod') || k.endsWith('_pod') ? deep(v, 1) : v,
            ]),
          );
    const a = decodeSparkJob(job);
    const b = decodeSparkJob(deep(job, 1));
    expect(E.isRight(a)).toBe(true);
    if (E.isRight(a) && E.isRight(b)) {
      const strip = (j: typeof a.right) =>
        JSON.parse(JSON.stringify(j, (k, v: unknown) => (k.endsWith('At') ? undefined : v))) as unknown;
      expect(strip(b.right)).toEqual(strip(a.right));
    }
  });
});
