// Node affinity AND-ing and the default affinity: no term of a pod escapes a constraint, and applying twice is once.
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import type {
  Affinity,
  NodeSelectorRequirement,
  NodeSelectorTerm,
} from '../../../../src/domain/kubernetes.js';
import { andRequiredNodeTerms, applyDefaultAffinity } from '../../../../src/plugins/pod/build/scheduling.js';
import { arbAffinity, arbNodeSelectorRequirement } from '../../../../src/testing/index.js';
import { build, config, ctxOf, task } from './fixtures.js';

const req = (key: string): NodeSelectorRequirement => ({ key, operator: 'Exists' });
const term = (...keys: string[]): NodeSelectorTerm => ({ matchExpressions: keys.map(req) });
const required = (...terms: NodeSelectorTerm[]): Affinity => ({
  nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } },
});
const termsOf = (a: Affinity | undefined) =>
  a?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;

/** A node (a set of label keys) satisfies a term when it has every key the term requires (all Exists here). */
const satisfies = (node: ReadonlySet<string>, t: NodeSelectorTerm): boolean =>
  (t.matchExpressions ?? []).every((r) => node.has(r.key));
const schedulable = (node: ReadonlySet<string>, a: Affinity | undefined): boolean => {
  const terms = termsOf(a);
  return terms === undefined || terms.length === 0 || terms.some((t) => satisfies(node, t));
};

describe('andRequiredNodeTerms', () => {
  it.each<[string, Affinity | undefined, NodeSelectorTerm[], NodeSelectorTerm[] | undefined]>([
    ['no pod terms: the constraint becomes the terms', undefined, [term('c')], [term('c')]],
    [
      'one constraint term AND-ed into every pod term',
      required(term('a'), term('b')),
      [term('c')],
      [term('a', 'c'), term('b', 'c')],
    ],
    [
      'alternative constraint terms distribute',
      required(term('a')),
      [term('c'), term('d')],
      [term('a', 'c'), term('a', 'd')],
    ],
    [
      'a term that already implies the constraint is kept',
      required(term('a', 'c'), term('b')),
      [term('c'), term('d')],
      [term('a', 'c'), term('b', 'c'), term('b', 'd')],
    ],
    ['no constraint: unchanged', required(term('a')), [], [term('a')]],
  ])('%s', (_name, affinity, constraint, expected) => {
    expect(termsOf(andRequiredNodeTerms(affinity, constraint))).toEqual(expected);
  });

  const keys = fc.constantFrom('a', 'b', 'c', 'd', 'e');
  const arbTerm = fc.uniqueArray(keys, { minLength: 1, maxLength: 3 }).map((ks) => term(...ks));
  const arbTerms = fc.array(arbTerm, { minLength: 0, maxLength: 3 });

  test.prop([
    arbTerms,
    fc.array(arbTerm, { minLength: 1, maxLength: 2 }),
    fc.uniqueArray(keys, { maxLength: 5 }),
  ])(
    'a node can host the result iff it can host the pod and satisfies the constraint',
    (pod, constraint, nodeKeys) => {
      const node = new Set(nodeKeys);
      const before = pod.length === 0 ? undefined : required(...pod);
      const after = andRequiredNodeTerms(before, constraint);
      expect(schedulable(node, after)).toBe(
        schedulable(node, before) && constraint.some((c) => satisfies(node, c)),
      );
    },
  );

  test.prop([
    fc.option(arbAffinity, { nil: undefined }),
    fc.array(arbNodeSelectorRequirement, { minLength: 1, maxLength: 2 }),
  ])('idempotent', (affinity, reqs) => {
    const c = [{ matchExpressions: reqs }];
    const once = andRequiredNodeTerms(affinity, c);
    expect(andRequiredNodeTerms(once, c)).toEqual(once);
  });
});

describe('applyDefaultAffinity', () => {
  const preferred = [{ weight: 10, preference: term('fast') }];
  const podAntiAffinity = {
    preferredDuringSchedulingIgnoredDuringExecution: [
      { weight: 1, podAffinityTerm: { topologyKey: 'zone' } },
    ],
  };
  const defaults: Affinity = { ...required(term('pool')), podAntiAffinity };
  const withPreferred: Affinity = {
    nodeAffinity: { ...defaults.nodeAffinity, preferredDuringSchedulingIgnoredDuringExecution: preferred },
    podAntiAffinity,
  };

  it('required terms are a constraint even when the pod has its own affinity (Flyte drops the default)', () => {
    expect(termsOf(applyDefaultAffinity(required(term('gpu')), defaults))).toEqual([term('gpu', 'pool')]);
  });

  it('preferences and pod (anti-)affinity are defaults for what the pod leaves unset', () => {
    expect(applyDefaultAffinity(undefined, withPreferred)).toEqual(withPreferred);
    const own = {
      preferredDuringSchedulingIgnoredDuringExecution: [
        { weight: 5, podAffinityTerm: { topologyKey: 'host' } },
      ],
    };
    expect(applyDefaultAffinity({ podAntiAffinity: own }, withPreferred)?.podAntiAffinity).toEqual(own);
  });

  it('in a built pod, a template or task affinity cannot escape the interruptible requirement', () => {
    const pod = build(
      ctxOf(
        task(
          {
            type: 'sidecar',
            podTemplate: {
              primaryContainerName: 'main',
              spec: { containers: [{ name: 'main', image: 'x' }], affinity: required(term('a'), term('b')) },
            },
          },
          { interruptible: true },
        ),
        config({
          'interruptible-node-selector-requirement': { key: 'spot', operator: 'In', values: ['true'] },
        }),
      ),
    );
    for (const t of termsOf(pod.spec?.affinity) ?? [])
      expect(t.matchExpressions).toContainEqual({ key: 'spot', operator: 'In', values: ['true'] });
    expect(termsOf(pod.spec?.affinity)).toHaveLength(2);
  });
});
