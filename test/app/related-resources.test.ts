// Related resources: the manager answers a plugin's queries from its shared informers and re-runs getTaskPhase when they change.
import * as E from 'fp-ts/lib/Either.js';
import * as O from 'fp-ts/lib/Option.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Manager } from '../../src/app/manager.js';
import { matchesQuery } from '../../src/app/related-resources.js';
import { makeVirtualClock, type VirtualClock } from '../../src/adapters/clock/index.js';
import { startKubelet, type Kubelet } from '../../src/adapters/kubelet/index.js';
import { makeMemoryCluster, type MemoryCluster } from '../../src/adapters/memory/index.js';
import {
  scenarioAnnotations,
  startOperators,
  type Operators,
  type SimulatedOperator,
} from '../../src/adapters/operators/index.js';
import type { KubeObject, Pod } from '../../src/domain/kubernetes.js';
import { taskPodMetadata } from '../../src/domain/object-metadata.js';
import * as PI from '../../src/domain/phase-info.js';
import { defaultPluginProperties, type Plugin } from '../../src/domain/plugin.js';
import { fromPlugins } from '../../src/domain/registry.js';
import type { TaskExecution } from '../../src/domain/task.js';
import { configWith, counting, NAMESPACE, type Counting } from './harness.js';

const WIDGET_JOB = { apiVersion: 'test.kubetasks.dev/v1', kind: 'WidgetJob' } as const;
const POD = { apiVersion: 'v1', kind: 'Pod' } as const;

/** What getTaskPhase was handed, round by round. */
const seen: Array<{ readonly state: string; readonly related: ReadonlyArray<string> }> = [];

const stateOf = (r: unknown): string => (r as { status?: { state?: string } }).status?.state ?? '';

/** A toy CRD plugin whose phase depends on its pod: the pod's failure fails the task before the CR says so. */
const widgetPlugin: Plugin = {
  id: 'widget',
  taskTypes: ['widget'],
  watches: WIDGET_JOB,
  properties: defaultPluginProperties,
  customResource: { plural: 'widgetjobs', statusSubresource: true },
  relatedKinds: [POD],
  buildIdentityResource: () => E.right({ ...WIDGET_JOB, metadata: {} }),
  buildResource: (ctx) =>
    E.right({
      ...WIDGET_JOB,
      metadata: {},
      spec: { template: { metadata: taskPodMetadata(ctx) } },
    }),
  relatedResources: (r) => [
    {
      kind: POD,
      namespace: r.metadata?.namespace ?? '',
      labelSelector: { 'widget-job': r.metadata?.name ?? '' },
      ...(r.metadata?.uid === undefined ? {} : { ownerUid: r.metadata.uid }),
    },
  ],
  getTaskPhase: (ctx, r) => {
    const related = ctx.related ?? [];
    seen.push({ state: stateOf(r), related: related.map((o) => o.metadata?.name ?? '') });
    const failed = related.find((p) => (p as Pod).status?.phase === 'Failed');
    if (failed !== undefined) return PI.failure('PodFailed', `pod ${failed.metadata?.name ?? ''} failed`);
    if (stateOf(r) === 'Done') return PI.success();
    return PI.running(0, undefined, `${related.length} pod(s)`);
  },
  isTerminal: (r) => stateOf(r) === 'Done',
  completionTime: () => O.none,
};

/** The toy operator: one pod per WidgetJob; it writes Done only when the pod succeeds, never Failed. */
const widgetOperator: SimulatedOperator = {
  kind: WIDGET_JOB,
  desiredPods: (r) => {
    const name = r.metadata?.name ?? '';
    const template = (r as { spec?: { template?: { metadata?: { labels?: Record<string, string> } } } }).spec
      ?.template;
    return [
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: `${name}-worker-0`,
          labels: { ...template?.metadata?.labels, 'widget-job': name },
          annotations: scenarioAnnotations(r, 'worker', 'worker'),
        },
        spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox' }] },
      },
    ];
  },
  status: (_r, pods) =>
    pods.some((p) => p.status?.phase === 'Succeeded') ? { state: 'Done' } : { state: 'Running' },
};

const task = (action: string, scenario: string): TaskExecution => ({
  task: { id: { name: action }, type: 'widget', metadata: {} },
  execution: {
    id: { run: 'r1', action },
    namespace: NAMESPACE,
    annotations: { 'kubetasks.dev/scenario': scenario },
  },
});

let clock: VirtualClock;
let memory: MemoryCluster;
let cluster: Counting;
let kubelet: Kubelet;
let operators: Operators;
let manager: Manager;

beforeEach(async () => {
  seen.length = 0;
  clock = makeVirtualClock({ auto: true });
  memory = makeMemoryCluster({
    clock,
    namespaces: [NAMESPACE],
    kinds: [{ ...WIDGET_JOB, plural: 'widgetjobs', statusSubresource: true }],
  });
  cluster = counting(memory);
  kubelet = startKubelet({ cluster: memory, clock });
  operators = startOperators({ cluster: memory, clock, operators: [widgetOperator] });
  await Promise.all([kubelet.ready(), operators.ready()]);
  const registry = fromPlugins([widgetPlugin]);
  if (E.isLeft(registry)) throw new Error('registry');
  manager = new Manager({ cluster, clock, registry: registry.right, config: configWith(true) });
  await manager.start();
});

afterEach(async () => {
  await manager.stop();
  await operators.stop();
  await kubelet.stop();
  memory.close();
  clock.dispose();
});

describe('related resources', () => {
  it('hands the pods the plugin asks for to getTaskPhase, from the watch cache', async () => {
    expect(E.isRight(manager.submit('t1', task('a', 'succeed')))).toBe(true);
    const final = await manager.awaitFinal('t1');
    expect(final.phase).toBe('Success');
    const withPod = seen.filter((s) => s.related.includes('r1-a-0-worker-0'));
    expect(withPod.length).toBeGreaterThan(0);
    // Only the task's own pod: the query's selector and owner scope it.
    expect(seen.every((s) => s.related.every((n) => n === 'r1-a-0-worker-0'))).toBe(true);
  });

  it('re-runs getTaskPhase when only a related object changes (the CR never says Failed)', async () => {
    expect(E.isRight(manager.submit('t2', task('b', 'exit:3')))).toBe(true);
    const final = await manager.awaitFinal('t2');
    expect(final.phase).toBe('PermanentFailure');
    expect(final.error?.code).toBe('PodFailed');
  });

  it('keeps related pods of other tasks apart', async () => {
    manager.submit('t3', task('c', 'succeed'));
    manager.submit('t4', task('d', 'exit:1'));
    const [c, d] = await Promise.all([manager.awaitFinal('t3'), manager.awaitFinal('t4')]);
    expect(c.phase).toBe('Success');
    expect(d.phase).toBe('PermanentFailure');
  });

  it('reads without a GET per task and lists and watches each kind once', async () => {
    manager.submit('t5', task('e', 'succeed'));
    manager.submit('t6', task('f', 'succeed'));
    await Promise.all([manager.awaitFinal('t5'), manager.awaitFinal('t6')]);
    expect(cluster.calls.get('get') ?? 0).toBe(0);
    // One informer for WidgetJob, one for Pod.
    expect(cluster.calls.get('list')).toBe(2);
    expect(cluster.calls.get('watch')).toBe(2);
  });
});

describe('matchesQuery', () => {
  const pod = (labels: Record<string, string>, owner?: string, namespace = 'ns'): KubeObject => ({
    ...POD,
    metadata: {
      name: 'p',
      namespace,
      labels,
      ...(owner === undefined
        ? {}
        : { ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'x', uid: owner }] }),
    },
  });
  const cases: ReadonlyArray<readonly [string, Parameters<typeof matchesQuery>[0], KubeObject, boolean]> = [
    ['namespace only', { kind: POD, namespace: 'ns' }, pod({}), true],
    ['other namespace', { kind: POD, namespace: 'ns' }, pod({}, undefined, 'other'), false],
    ['exact name', { kind: POD, namespace: 'ns', name: 'p' }, pod({}), true],
    ['other name', { kind: POD, namespace: 'ns', name: 'q' }, pod({}), false],
    [
      'labels all present',
      { kind: POD, namespace: 'ns', labelSelector: { a: '1' } },
      pod({ a: '1', b: '2' }),
      true,
    ],
    [
      'label value differs',
      { kind: POD, namespace: 'ns', labelSelector: { a: '1' } },
      pod({ a: '2' }),
      false,
    ],
    ['label missing', { kind: POD, namespace: 'ns', labelSelector: { a: '1' } }, pod({}), false],
    ['owner matches', { kind: POD, namespace: 'ns', ownerUid: 'u1' }, pod({}, 'u1'), true],
    ['owner differs', { kind: POD, namespace: 'ns', ownerUid: 'u1' }, pod({}, 'u2'), false],
    ['no owner', { kind: POD, namespace: 'ns', ownerUid: 'u1' }, pod({}), false],
  ];
  it.each(cases)('%s', (_name, q, o, expected) => {
    expect(matchesQuery(q, o)).toBe(expected);
  });
});

describe('a plugin whose kind the cluster does not serve', () => {
  it('does not keep the manager from starting, and its tasks are refused with a clear error', async () => {
    const c = makeVirtualClock({ auto: true });
    const bare = makeMemoryCluster({ clock: c, namespaces: [NAMESPACE] });
    const registry = fromPlugins([widgetPlugin]);
    if (E.isLeft(registry)) throw new Error('registry');
    const m = new Manager({ cluster: bare, clock: c, registry: registry.right, config: configWith(true) });
    await m.start();
    expect(m.submit('x', task('x', 'succeed'))).toEqual(
      E.left({ _tag: 'KindNotServed', pluginId: 'widget', kind: 'WidgetJob.test.kubetasks.dev/v1' }),
    );
    await m.stop();
    bare.close();
    c.dispose();
  });
});
