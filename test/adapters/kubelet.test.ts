// The simulated kubelet beyond the contract: annotations, timing on a manual clock, restarts, resilience, events.
import * as E from 'fp-ts/lib/Either.js';
import * as O from 'fp-ts/lib/Option.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { makeVirtualClock } from '../../src/adapters/clock/index.js';
import {
  makeClusterEventRecorder,
  normalizeImage,
  parseScenario,
  planOf,
  scenarioTags,
  showScenario,
  startKubelet,
  type Scenario,
} from '../../src/adapters/kubelet/index.js';
import { makeMemoryCluster, withFaults } from '../../src/adapters/memory/index.js';
import type { KubeObject, Pod, PodStatus } from '../../src/domain/kubernetes.js';
import type { ApiError } from '../../src/domain/api-error.js';
import type { EventRecord } from '../../src/ports/events.js';

const POD = { apiVersion: 'v1', kind: 'Pod' } as const;

const ok = async <A>(t: TE.TaskEither<ApiError, A>): Promise<A> => {
  const r = await t();
  if (E.isLeft(r)) throw new Error(`${r.left.reason}: ${r.left.message}`);
  return r.right;
};

const pod = (
  name: string,
  annotations: Record<string, string> = {},
  spec: Record<string, unknown> = {},
): KubeObject => ({
  ...POD,
  metadata: { name, namespace: 'default', annotations },
  spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox:1.36' }], ...spec },
});

const statusOf = async (cluster: ReturnType<typeof makeMemoryCluster>, name: string): Promise<PodStatus> =>
  (await ok(cluster.get({ ...POD, namespace: 'default', name })))['status'] ?? {};

const state = (s: PodStatus): string => {
  const c = s.containerStatuses?.[0]?.state;
  const detail = c?.waiting?.reason ?? c?.terminated?.reason ?? (c?.running === undefined ? '-' : 'running');
  return `${s.phase ?? ''}/${detail}`;
};

describe('scenario annotations', () => {
  it.each([
    ['succeed', O.some({ _tag: 'succeed' })],
    ['exit:0', O.some({ _tag: 'exit', code: 0 })],
    ['exit:255', O.some({ _tag: 'exit', code: 255 })],
    ['exit:256', O.none],
    ['exit:x', O.none],
    ['oom', O.some({ _tag: 'oom' })],
    ['nonsense', O.none],
  ])('%s', (s, expected) => {
    expect(parseScenario(s)).toEqual(expected);
  });

  const scenario: fc.Arbitrary<Scenario> = fc.oneof(
    fc.integer({ min: 0, max: 255 }).map((code): Scenario => ({ _tag: 'exit', code })),
    fc.constantFrom(...scenarioTags.filter((t) => t !== 'exit')).map((t) => ({ _tag: t })),
  );

  test.prop([scenario])('show and parse round-trip', (s) => {
    expect(parseScenario(showScenario(s))).toEqual(O.some(s));
  });

  it('reads durations and the target container, with defaults', () => {
    const p = planOf(
      pod(
        'p',
        {
          'kubetasks.dev/scenario': 'oom',
          'kubetasks.dev/run-duration': '1m30s',
          'kubetasks.dev/scenario-container': 'side',
        },
        {
          containers: [
            { name: 'main', image: 'a' },
            { name: 'side', image: 'b' },
          ],
        },
      ) as Pod,
    );
    expect(p).toMatchObject({ scenario: { _tag: 'oom' }, runMs: 90_000, pendingMs: 1000, container: 'side' });
    const unknown = planOf(pod('p', { 'kubetasks.dev/scenario': 'explode' }) as Pod);
    expect(unknown.scenario).toEqual({ _tag: 'succeed' });
    expect(unknown.unknownScenario).toBe('explode');
  });

  it.each([
    ['busybox', 'docker.io/library/busybox:latest'],
    ['busybox:1.36', 'docker.io/library/busybox:1.36'],
    ['ghcr.io/org/app:v1', 'ghcr.io/org/app:v1'],
    ['org/app', 'docker.io/org/app:latest'],
    ['localhost:5000/app', 'localhost:5000/app:latest'],
    ['repo@sha256:abc', 'docker.io/library/repo@sha256:abc'],
  ])('normalizes image %s to %s', (image, expected) => {
    expect(normalizeImage(image)).toBe(expected);
  });
});

describe('simulated kubelet on a manual clock', () => {
  const start = async (options: { scheduleName?: string } = {}) => {
    const clock = makeVirtualClock();
    const cluster = makeMemoryCluster({ clock });
    const events: EventRecord[] = [];
    const kubelet = startKubelet({
      cluster,
      clock,
      nodeName: 'n1',
      events: { record: (e) => events.push(e) },
      ...(options.scheduleName === undefined ? {} : { schedulerName: options.scheduleName }),
    });
    await clock.advance(0);
    await kubelet.ready();
    return { clock, cluster, kubelet, events };
  };

  it('follows the annotated durations', async () => {
    const { clock, cluster, kubelet } = await start();
    await ok(
      cluster.create(
        pod('p', { 'kubetasks.dev/pending-duration': '5s', 'kubetasks.dev/run-duration': '10s' }),
      ),
    );
    await clock.advance(4_900);
    expect(state(await statusOf(cluster, 'p'))).toBe('Pending/ContainerCreating');
    await clock.advance(200);
    expect(state(await statusOf(cluster, 'p'))).toBe('Running/running');
    await clock.advance(9_800);
    expect(state(await statusOf(cluster, 'p'))).toBe('Running/running');
    await clock.advance(200);
    expect(state(await statusOf(cluster, 'p'))).toBe('Succeeded/Completed');
    await kubelet.stop();
    expect(clock.pendingTimers()).toBe(0);
  });

  it('restarts containers under restartPolicy Always with a growing back-off, staying Running', async () => {
    const { clock, cluster, kubelet } = await start();
    await ok(cluster.create(pod('p', {}, { restartPolicy: 'Always' })));
    await clock.advance(2_100);
    let s = await statusOf(cluster, 'p');
    expect(state(s)).toBe('Running/CrashLoopBackOff');
    expect(s.containerStatuses?.[0]?.restartCount).toBe(1);
    expect(s.containerStatuses?.[0]?.lastState?.terminated?.reason).toBe('Completed');
    await clock.advance(10_000);
    expect(state(await statusOf(cluster, 'p'))).toBe('Running/running');
    await clock.advance(1_000);
    s = await statusOf(cluster, 'p');
    expect(s.containerStatuses?.[0]?.restartCount).toBe(2);
    expect(s.containerStatuses?.[0]?.state?.waiting?.message).toContain('back-off 20s');
    await kubelet.stop();
  });

  it('leaves pods of other nodes and other schedulers alone', async () => {
    const { clock, cluster, kubelet } = await start();
    await ok(cluster.create(pod('elsewhere', {}, { nodeName: 'n2' })));
    await ok(cluster.create(pod('custom', {}, { schedulerName: 'volcano' })));
    await clock.advance(5_000);
    expect(await statusOf(cluster, 'elsewhere')).toEqual({ phase: 'Pending', qosClass: 'BestEffort' });
    const custom = await ok(cluster.get({ ...POD, namespace: 'default', name: 'custom' }));
    expect((custom['spec'] as { nodeName?: string }).nodeName).toBeUndefined();
    expect(kubelet.managed()).toBe(0);
    await kubelet.stop();
  });

  it('records the events a kubelet and scheduler emit', async () => {
    const { clock, cluster, kubelet, events } = await start();
    await ok(cluster.create(pod('p')));
    await clock.advance(3_000);
    expect(events.map((e) => e.reason)).toEqual(['Scheduled', 'Pulling', 'Started']);
    expect(events[0]?.message).toBe('Successfully assigned default/p to n1');
    await kubelet.stop();
  });

  it('gives each pod its own IP and keeps podIPs consistent', async () => {
    const { clock, cluster, kubelet } = await start();
    for (const n of ['a', 'b', 'c']) await ok(cluster.create(pod(n)));
    await clock.advance(1_500);
    const ips = await Promise.all(['a', 'b', 'c'].map(async (n) => (await statusOf(cluster, n)).podIP));
    expect(new Set(ips).size).toBe(3);
    for (const n of ['a', 'b', 'c']) {
      const s = await statusOf(cluster, n);
      expect(s.podIPs).toEqual([{ ip: s.podIP }]);
    }
    await kubelet.stop();
  });
});

// Found by the e2e suite's side-by-side comparison with KWOK and read off pkg/kubelet/status/generate.go.
describe('readiness conditions as the kubelet writes them', () => {
  const readiness = (s: PodStatus): string[] =>
    (s.conditions ?? [])
      .filter((c) => c.type === 'Ready' || c.type === 'ContainersReady')
      .map((c) => `${c.type}=${c.status}${c.reason === undefined ? '' : `(${c.reason})`}`)
      .sort();

  it.each([
    ['succeed', 'PodCompleted'],
    ['exit:1', 'PodFailed'],
    ['oom', 'PodFailed'],
  ])('%s: a terminal pod is not ready, reason %s', async (scenario, reason) => {
    const clock = makeVirtualClock({ auto: true });
    const cluster = makeMemoryCluster({ clock });
    const kubelet = startKubelet({ cluster, clock, nodeName: 'n1' });
    await kubelet.ready();
    await ok(cluster.create(pod('p', { 'kubetasks.dev/scenario': scenario })));
    await clock.sleep(10_000)();
    expect(readiness(await statusOf(cluster, 'p'))).toEqual([
      `ContainersReady=False(${reason})`,
      `Ready=False(${reason})`,
    ]);
    await kubelet.stop();
  });

  it('a condition turned True keeps no reason from when it was False', async () => {
    const clock = makeVirtualClock({ auto: true });
    const cluster = makeMemoryCluster({ clock });
    const kubelet = startKubelet({ cluster, clock, nodeName: 'n1' });
    await kubelet.ready();
    await ok(cluster.create(pod('p', { 'kubetasks.dev/scenario': 'stuck-pending' })));
    await ok(cluster.create(pod('q', { 'kubetasks.dev/run-duration': '1h' })));
    await clock.sleep(10_000)();
    expect(readiness(await statusOf(cluster, 'q'))).toEqual(['ContainersReady=True', 'Ready=True']);
    await kubelet.stop();
  });
});

describe('simulated kubelet resilience', () => {
  it('keeps going when its watch is dropped or expires: it watches again, or lists again', async () => {
    const clock = makeVirtualClock({ auto: true });
    const inner = makeMemoryCluster({ clock });
    const cluster = withFaults(inner, {
      seed: 3,
      clock,
      rules: [
        { verbs: ['watch'], dropWatch: { probability: 0.15, error: 'Expired' } },
        { verbs: ['watch'], dropWatch: { probability: 0.15 } },
      ],
    });
    const kubelet = startKubelet({ cluster, clock, nodeName: 'n1' });
    await kubelet.ready();
    for (let i = 0; i < 6; i++) await ok(inner.create(pod(`p${i}`)));
    await clock.sleep(60_000)();
    for (let i = 0; i < 6; i++) expect((await statusOf(inner, `p${i}`)).phase).toBe('Succeeded');
    const drops = cluster.injected().filter((f) => f.fault === 'watch-drop');
    expect(drops.some((f) => f.reason === 'Expired')).toBe(true);
    expect(drops.some((f) => f.reason === undefined)).toBe(true);
    await kubelet.stop();
    clock.dispose();
  });

  it('registers its node when asked, and writes events to the cluster through the recorder', async () => {
    const clock = makeVirtualClock({ auto: true });
    const cluster = makeMemoryCluster({ clock });
    const recorder = makeClusterEventRecorder({ cluster, clock, component: 'kubelet', host: 'n1' });
    const kubelet = startKubelet({ cluster, clock, nodeName: 'n1', registerNode: true, events: recorder });
    await kubelet.ready();
    const node = await ok(cluster.get({ apiVersion: 'v1', kind: 'Node', namespace: '', name: 'n1' }));
    expect(
      (node['status'] as { conditions: Array<{ type: string; status: string }> }).conditions[0],
    ).toMatchObject({ type: 'Ready', status: 'True' });
    await ok(cluster.create(pod('p')));
    await clock.sleep(5_000)();
    await recorder.flush();
    const events = await ok(
      cluster.list(
        { apiVersion: 'v1', kind: 'Event' },
        { namespace: 'default', fieldSelector: 'involvedObject.name=p' },
      ),
    );
    expect(events.items.map((e) => e['reason'])).toEqual(
      expect.arrayContaining(['Scheduled', 'Pulling', 'Started']),
    );
    await kubelet.stop();
    clock.dispose();
  });
});
