// Explain's pure core: each plugin's reasoning gives its getTaskPhase answer; the input's job, related pods and events.
import { fc, test } from '@fast-check/vitest';
import * as E from 'fp-ts/lib/Either.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import { explainResources } from '../../src/app/explain.js';
import { matchesQuery } from '../../src/app/related-resources.js';
import type { KubeObject } from '../../src/domain/kubernetes.js';
import { defaultPlatformConfig } from '../../src/domain/platform-config.js';
import type { Plugin } from '../../src/domain/plugin.js';
import type { Registry } from '../../src/domain/registry.js';
import { builtInPlugins, builtInRegistry } from '../../src/plugins/index.js';
import { jobPlugin } from '../../src/plugins/job/plugin.js';
import {
  arbBatchJob,
  arbBatchJobPods,
  arbDaskJob,
  arbJson,
  arbKubeflowJob,
  arbPod,
  arbRayJob,
  arbSparkJob,
} from '../../src/testing/index.js';

const registry = (): Registry => {
  const r = builtInRegistry();
  if (E.isLeft(r)) throw new Error('the built-in registry is invalid');
  return r.right;
};

const NOW = Date.parse('2026-03-02T10:10:00Z');
const ctx = { now: NOW, config: defaultPlatformConfig };
const managed = (p: Pod): KubeObject =>
  ({
    ...p,
    metadata: { ...p.metadata, labels: { ...p.metadata?.labels, 'kubetasks.dev/managed': 'true' } },
  }) as KubeObject;

const arbResource: fc.Arbitrary<unknown> = fc.oneof(
  arbJson(),
  arbPod,
  arbBatchJob,
  arbSparkJob,
  arbKubeflowJob,
  arbRayJob,
  arbDaskJob,
);

describe('explainTaskPhase of every shipped plugin', () => {
  it('every shipped plugin explains itself', () => {
    expect(builtInPlugins.filter((p: Plugin) => p.explainTaskPhase === undefined).map((p) => p.id)).toEqual(
      [],
    );
  });

  test.prop([fc.constantFrom(...builtInPlugins), arbResource, fc.array(arbPod, { maxLength: 3 })])(
    'gives the same PhaseInfo as getTaskPhase, with a reason to show',
    (plugin: Plugin, resource, related) => {
      const c = { ...ctx, related: related as unknown as ReadonlyArray<KubeObject> };
      const explained = plugin.explainTaskPhase?.(c, resource);
      expect(explained?.phaseInfo).toEqual(plugin.getTaskPhase(c, resource));
      expect(explained?.trace.length).toBeGreaterThan(0);
    },
  );
});

describe('explainResources', () => {
  test.prop([
    arbBatchJob.chain((job) => fc.tuple(fc.constant(job), arbBatchJobPods(job))),
    fc.array(arbPod, { maxLength: 2 }),
    fc.nat(),
  ])(
    "a Job among its pods and unrelated pods, in any order: the Job's plugin, given the pods its query selects",
    ([job, pods], strangers, seed) => {
      const ownPods = pods.map(managed);
      // Strangers from another namespace: no query of the Job's selects them.
      const others = strangers.map((p) =>
        managed({ ...p, metadata: { ...p.metadata, namespace: 'elsewhere' } }),
      );
      const items: unknown[] = [job, ...ownPods, ...others];
      const shuffled = items
        .map((x, i) => [((seed + 1) * (i + 7)) % 11, x] as const)
        .sort((a, b) => a[0] - b[0]);
      const r = explainResources(registry(), ctx, [
        { apiVersion: 'v1', kind: 'List', items: shuffled.map(([, x]) => x) },
      ]);
      const queries = jobPlugin.relatedResources?.(job as KubeObject) ?? [];
      const expected = ownPods.filter((p) => queries.some((q) => matchesQuery(q, p)));
      expect(E.isRight(r) ? r.right.plugin.id : r.left).toBe('batch-job');
      if (E.isRight(r)) {
        // In input order, as a cache lists them in its own: the set is what the query decides.
        expect(r.right.related).toHaveLength(expected.length);
        expect(r.right.related).toEqual(expect.arrayContaining(expected));
        expect(r.right.phaseInfo).toEqual(jobPlugin.getTaskPhase({ ...ctx, related: r.right.related }, job));
      }
    },
  );

  it('leaves out related pods without the managed label, and says so', () => {
    const job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'j', namespace: 'ns', uid: 'u1' },
      status: { active: 1 },
    };
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'j-abc',
        namespace: 'ns',
        labels: { 'batch.kubernetes.io/job-name': 'j' },
        ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'j', uid: 'u1' }],
      },
      status: { phase: 'Running' },
    };
    const r = explainResources(registry(), ctx, [job, pod]);
    expect(E.isRight(r) && r.right.related).toEqual([]);
    expect(E.isRight(r) && r.right.trace).toContain(
      "left out, not labelled kubetasks.dev/managed=true (the manager's cache would not hold them): v1/Pod j-abc",
    );
  });

  it.each([
    [[{ apiVersion: 'v1', kind: 'List', items: [{ kind: 'Pod' }, 7] }], { document: 0, path: ['items', 1] }],
    [[{ apiVersion: 'v1', kind: 'Pod' }, 'text'], { document: 1, path: [] }],
  ])('points at the malformed object %j', (docs, at) => {
    const r = explainResources(registry(), ctx, docs);
    expect(E.isLeft(r) && r.left.at).toEqual(at);
  });
});
