// Pod priority in the in-memory cluster: the Priority admission's decisions, and a global default class.
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { makeMemoryCluster } from '../../src/adapters/memory/index.js';
import { admitPodPriority, admitPriorityClass } from '../../src/adapters/memory/priority.js';
import type { KubeObject, Pod } from '../../src/domain/kubernetes.js';

const pc = (name: string, value: number, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'scheduling.k8s.io/v1',
  kind: 'PriorityClass',
  metadata: { name },
  value,
  ...extra,
});
const podWith = (spec: Record<string, unknown>): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'default' },
  spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec },
});
const classes = [pc('low', 10, { globalDefault: true }), pc('high', 100, { preemptionPolicy: 'Never' })];

describe('admitPodPriority (decision table)', () => {
  it.each<
    [string, Record<string, unknown>, ReadonlyArray<KubeObject>, E.Either<string, Record<string, unknown>>]
  >([
    ['no class, no default: 0', {}, [], E.right({ priority: 0, preemptionPolicy: 'PreemptLowerPriority' })],
    [
      'no class: the global default, named in the spec',
      {},
      classes,
      E.right({ priorityClassName: 'low', priority: 10, preemptionPolicy: 'PreemptLowerPriority' }),
    ],
    [
      'a named class: its value and its preemption policy',
      { priorityClassName: 'high' },
      classes,
      E.right({ priorityClassName: 'high', priority: 100, preemptionPolicy: 'Never' }),
    ],
    [
      'an unknown class',
      { priorityClassName: 'x' },
      classes,
      E.left('no PriorityClass with name x was found'),
    ],
    [
      'a priority that disagrees',
      { priorityClassName: 'high', priority: 1 },
      classes,
      E.left(
        'the integer value of priority (1) must not be provided in pod spec; priority admission controller computed 100 from the given PriorityClass name',
      ),
    ],
    [
      'a preemption policy that disagrees',
      { priorityClassName: 'high', preemptionPolicy: 'PreemptLowerPriority' },
      classes,
      E.left(
        'the string value of PreemptionPolicy (PreemptLowerPriority) must not be provided in pod spec; priority admission controller computed Never from the given PriorityClass name',
      ),
    ],
  ])('%s', (_name, spec, known, expected) => {
    const r = admitPodPriority(podWith(spec), known);
    expect(E.map((p: Pod) => ({ ...p.spec, containers: undefined }))(r)).toEqual(
      E.map((s: Record<string, unknown>) => ({ containers: undefined, ...s }))(expected),
    );
  });

  it('of several global defaults takes the lowest value', () => {
    const r = admitPodPriority(podWith({}), [
      pc('b', 7, { globalDefault: true }),
      pc('a', 3, { globalDefault: true }),
    ]);
    expect(E.isRight(r) && r.right.spec?.priority).toBe(3);
  });

  it('allows one global default class only', () => {
    expect(admitPriorityClass(pc('d', 1, { globalDefault: true }), classes)).toBe(
      'PriorityClass low is already marked as default. Only one default can exist',
    );
    expect(admitPriorityClass(pc('d', 1), classes)).toBeUndefined();
  });
});

describe('the in-memory cluster', () => {
  it('serves the bootstrap classes and applies a global default class to new pods', async () => {
    const cluster = makeMemoryCluster();
    try {
      const boot = await cluster.list({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass' })();
      expect(E.isRight(boot) && boot.right.items.map((o) => o.metadata?.name)).toEqual([
        'system-cluster-critical',
        'system-node-critical',
      ]);
      expect(E.isRight(await cluster.create(pc('batch', 50, { globalDefault: true }))())).toBe(true);
      const second = await cluster.create(pc('other', 60, { globalDefault: true }))();
      expect(E.isLeft(second) && second.left.reason).toBe('Forbidden');
      const created = await cluster.create(podWith({}) as KubeObject)();
      expect(E.isRight(created) && created.right['spec']).toMatchObject({
        priorityClassName: 'batch',
        priority: 50,
      });
    } finally {
      cluster.close();
    }
  });
});
