// Laws of the Kubeflow plugins over generated jobs, status sequences and tasks: total, deterministic, monotone, valid.
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import type { KubeObject } from '../../../src/domain/kubernetes.js';
import { isTerminal } from '../../../src/domain/phase.js';
import { PhaseInfoC, pluginStateOf, type PluginState } from '../../../src/domain/phase-info.js';
import { defaultPlatformConfig } from '../../../src/domain/platform-config.js';
import { isDns1123Label } from '../../../src/domain/names.js';
import type { Plugin } from '../../../src/domain/plugin.js';
import { mpiPlugin } from '../../../src/plugins/kubeflow/mpi.js';
import { pytorchPlugin } from '../../../src/plugins/kubeflow/pytorch.js';
import { tensorflowPlugin } from '../../../src/plugins/kubeflow/tensorflow.js';
import {
  arbGarbageKubeflowJob,
  arbKubeflowBuildContext,
  arbKubeflowJob,
  arbKubeflowObservations,
  type KubeflowKindName,
} from '../../../src/testing/kubeflow-arbitraries.js';
import { arbPod } from '../../../src/testing/pod-arbitraries.js';

const plugins: Readonly<Record<KubeflowKindName, Plugin>> = {
  PyTorchJob: pytorchPlugin,
  TFJob: tensorflowPlugin,
  MPIJob: mpiPlugin,
};
const all = [pytorchPlugin, tensorflowPlugin, mpiPlugin];
const arbPlugin = fc.constantFrom(...all);
const arbNow = fc.integer({ min: 1_700_000_000_000, max: 1_900_000_000_000 });
const arbPrevious: fc.Arbitrary<PluginState | undefined> = fc.option(
  fc.record({
    phase: fc.constantFrom('Queued' as const, 'Running' as const, 'WaitingForResources' as const),
    version: fc.nat({ max: 20 }),
    reason: fc.string({ maxLength: 6 }),
  }),
  { nil: undefined },
);

const pluginFor = (kind: string | undefined): Plugin => plugins[(kind ?? 'PyTorchJob') as KubeflowKindName];

describe('laws of getTaskPhase', () => {
  test.prop([
    arbPlugin,
    fc.oneof(fc.anything(), arbGarbageKubeflowJob),
    arbNow,
    arbPrevious,
    fc.array(fc.anything(), { maxLength: 2 }),
  ])('is total on any value, with any related objects', (plugin, u, now, previous, related) => {
    const pi = plugin.getTaskPhase(
      {
        now,
        config: defaultPlatformConfig,
        related: related as never,
        ...(previous === undefined ? {} : { previous }),
      },
      u,
    );
    expect(PhaseInfoC.is(pi)).toBe(true);
    expect(typeof plugin.isTerminal(u)).toBe('boolean');
    plugin.completionTime(u);
  });

  test.prop([arbKubeflowJob, arbNow, arbPrevious, fc.array(arbPod, { maxLength: 2 })])(
    'gives a defined phase for every generated status (never Undefined), deterministically',
    (job, now, previous, pods) => {
      const plugin = pluginFor(job.kind);
      const ctx = {
        now,
        config: defaultPlatformConfig,
        related: pods as unknown as KubeObject[],
        ...(previous === undefined ? {} : { previous }),
      };
      const pi = plugin.getTaskPhase(ctx, job);
      expect(PhaseInfoC.is(pi)).toBe(true);
      expect(pi.phase).not.toBe('Undefined');
      expect(plugin.getTaskPhase(ctx, job)).toEqual(pi);
    },
  );

  test.prop([arbKubeflowJob, arbNow])(
    'isTerminal agrees with a terminal phase from the status alone',
    (job, now) => {
      const plugin = pluginFor(job.kind);
      const pi = plugin.getTaskPhase({ now: Math.max(now, 0), config: defaultPlatformConfig }, job);
      if (plugin.isTerminal(job)) expect(isTerminal(pi.phase)).toBe(true);
      else expect(['Success'].includes(pi.phase)).toBe(false);
    },
  );

  test.prop([arbKubeflowObservations()])(
    'over a status sequence: versions never decrease within a phase, and terminal stays terminal',
    ({ kind, observations }) => {
      const plugin = plugins[kind];
      let previous: PluginState | undefined;
      let terminal = false;
      for (const o of observations) {
        const pi = plugin.getTaskPhase(
          { now: o.now, config: defaultPlatformConfig, ...(previous === undefined ? {} : { previous }) },
          o.job,
        );
        expect(pi.phase).not.toBe('Undefined');
        if (previous !== undefined && previous.phase === pi.phase)
          expect(pi.version).toBeGreaterThanOrEqual(previous.version);
        if (terminal) expect(isTerminal(pi.phase)).toBe(true);
        terminal = isTerminal(pi.phase);
        expect(plugin.isTerminal(o.job)).toBe(
          pi.phase === 'Success' || pi.error?.code === 'DownstreamSystemError',
        );
        previous = pluginStateOf(pi);
      }
    },
  );
});

describe('laws of buildResource', () => {
  for (const plugin of all) {
    const kind = plugin.watches.kind;
    const taskType = plugin.id as 'pytorch' | 'tensorflow' | 'mpi';
    test.prop([arbKubeflowBuildContext(taskType)], { numRuns: 40 })(
      `${plugin.id}: deterministic, and every ${kind} names its containers as the operator expects`,
      (ctx) => {
        const a = plugin.buildResource(ctx);
        const b = plugin.buildResource(ctx);
        expect(a).toEqual(b);
        if (E.isLeft(a)) {
          expect(['BadTaskSpecification', 'PodSecurityViolation', 'MetadataTooLarge']).toContain(a.left.code);
          return;
        }
        const spec = (
          a.right as unknown as {
            spec: Record<string, Record<string, { template: { spec: { containers: { name: string }[] } } }>>;
          }
        ).spec;
        const key = Object.keys(spec).find((k) => k.endsWith('ReplicaSpecs')) ?? '';
        for (const r of Object.values(spec[key] ?? {})) {
          const names = r.template.spec.containers.map((c) => c.name);
          expect(names).toContain(plugin.id === 'tensorflow' ? 'tensorflow' : plugin.id);
          for (const n of names) expect(isDns1123Label(n)).toBe(true);
          expect(new Set(names).size).toBe(names.length);
        }
      },
    );
  }

  it.each(all.map((p) => [p.id, p] as const))(
    '%s: most generated tasks build (the laws above are not vacuous)',
    (_id, plugin) => {
      const sample = fc.sample(arbKubeflowBuildContext(plugin.id as 'pytorch'), { numRuns: 60, seed: 7 });
      const built = sample.filter((ctx) => E.isRight(plugin.buildResource(ctx))).length;
      expect(built).toBeGreaterThanOrEqual(40);
    },
  );
});
