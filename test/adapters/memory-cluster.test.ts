// The in-memory cluster beyond the contract: controllers (GC, namespaces), watch window, bookmarks, options.
import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import { describe, expect, it } from 'vitest';
import { makeVirtualClock } from '../../src/adapters/clock/index.js';
import { makeMemoryCluster, type MemoryClusterOptions } from '../../src/adapters/memory/index.js';
import type { KubeObject } from '../../src/domain/kubernetes.js';
import { formatInstant } from '../../src/domain/time.js';
import type { ApiError } from '../../src/domain/api-error.js';
import type { WatchEvent, WatchStream } from '../../src/ports/cluster.js';
import type { Metrics } from '../../src/ports/metrics.js';

const CM = { apiVersion: 'v1', kind: 'ConfigMap' } as const;
const POD = { apiVersion: 'v1', kind: 'Pod' } as const;
const NS = { apiVersion: 'v1', kind: 'Namespace' } as const;

const ok = async <A>(t: TE.TaskEither<ApiError, A>): Promise<A> => {
  const r = await t();
  if (E.isLeft(r)) throw new Error(`${r.left.reason}: ${r.left.message}`);
  return r.right;
};
const fail = async <A>(t: TE.TaskEither<ApiError, A>): Promise<ApiError> => {
  const r = await t();
  if (E.isRight(r)) throw new Error('expected a failure');
  return r.left;
};

const setup = (options: MemoryClusterOptions = {}) => {
  const clock = makeVirtualClock();
  return { clock, cluster: makeMemoryCluster({ clock, ...options }) };
};

const cm = (name: string, meta: Record<string, unknown> = {}, namespace = 'default'): KubeObject => ({
  ...CM,
  metadata: { name, namespace, ...meta },
  data: {},
});

const pod = (
  name: string,
  meta: Record<string, unknown> = {},
  spec: Record<string, unknown> = {},
): KubeObject => ({
  ...POD,
  metadata: { name, namespace: 'default', ...meta },
  spec: { containers: [{ name: 'main', image: 'busybox:1.36' }], ...spec },
});

const ownedBy = (...owners: KubeObject[]) => ({
  ownerReferences: owners.map((o) => ({
    apiVersion: o.apiVersion,
    kind: o.kind,
    name: o.metadata?.name ?? '',
    uid: o.metadata?.uid ?? '',
  })),
});

const exists = async (
  cluster: ReturnType<typeof setup>['cluster'],
  gvk: typeof CM | typeof POD,
  name: string,
  namespace = 'default',
) => (await cluster.get({ ...gvk, namespace, name })())._tag === 'Right';

// One iterator per stream, and the read that lost the race to "idle" is kept for the next drain.
const readers = new WeakMap<
  WatchStream,
  { it: AsyncIterator<WatchEvent>; pending: Promise<IteratorResult<WatchEvent>> | undefined }
>();

/** Everything a stream has queued (the in-memory cluster delivers synchronously). */
const drain = async (s: WatchStream): Promise<WatchEvent[]> => {
  let r = readers.get(s);
  if (r === undefined) {
    r = { it: s[Symbol.asyncIterator](), pending: undefined };
    readers.set(s, r);
  }
  const out: WatchEvent[] = [];
  for (;;) {
    r.pending ??= r.it.next();
    const next = await Promise.race([
      r.pending,
      new Promise<'idle'>((res) => setImmediate(() => res('idle'))),
    ]);
    if (next === 'idle') return out;
    r.pending = undefined;
    if (next.done === true) return out;
    out.push(next.value);
  }
};

describe('garbage collection', () => {
  it('Background: removing an owner removes its dependents', async () => {
    const { cluster } = setup();
    const owner = await ok(cluster.create(cm('owner')));
    await ok(cluster.create(pod('p1', ownedBy(owner))));
    await ok(cluster.create(cm('c1', ownedBy(owner))));
    await ok(cluster.create(cm('bystander')));
    await ok(cluster.delete({ ...CM, namespace: 'default', name: 'owner' }));
    expect(await exists(cluster, POD, 'p1')).toBe(false);
    expect(await exists(cluster, CM, 'c1')).toBe(false);
    expect(await exists(cluster, CM, 'bystander')).toBe(true);
  });

  it('keeps a dependent that still has a live owner, dropping the dangling reference', async () => {
    const { cluster } = setup();
    const a = await ok(cluster.create(cm('a')));
    const b = await ok(cluster.create(cm('b')));
    await ok(cluster.create(cm('shared', ownedBy(a, b))));
    await ok(cluster.delete({ ...CM, namespace: 'default', name: 'a' }));
    const shared = await ok(cluster.get({ ...CM, namespace: 'default', name: 'shared' }));
    expect(shared.metadata?.ownerReferences?.map((r) => r.name)).toEqual(['b']);
  });

  it('Foreground: the owner waits, marked, until its dependents are gone', async () => {
    const { cluster } = setup();
    const owner = await ok(cluster.create(cm('owner')));
    await ok(cluster.create(cm('held', { ...ownedBy(owner), finalizers: ['kubetasks.dev/hold'] })));
    const out = await ok(
      cluster.delete({ ...CM, namespace: 'default', name: 'owner' }, { propagationPolicy: 'Foreground' }),
    );
    expect(out.removed).toBe(false);
    const waiting = await ok(cluster.get({ ...CM, namespace: 'default', name: 'owner' }));
    expect(waiting.metadata?.finalizers).toEqual(['foregroundDeletion']);
    expect(waiting.metadata?.deletionTimestamp).toBeDefined();
    const held = await ok(cluster.get({ ...CM, namespace: 'default', name: 'held' }));
    expect(held.metadata?.deletionTimestamp).toBeDefined();
    await ok(
      cluster.patch(
        { ...CM, namespace: 'default', name: 'held' },
        { type: 'merge', body: { metadata: { finalizers: null } } },
      ),
    );
    expect(await exists(cluster, CM, 'held')).toBe(false);
    expect(await exists(cluster, CM, 'owner')).toBe(false);
  });

  it('Orphan: dependents stay, without the reference', async () => {
    const { cluster } = setup();
    const owner = await ok(cluster.create(cm('owner')));
    await ok(cluster.create(cm('child', ownedBy(owner))));
    const out = await ok(
      cluster.delete({ ...CM, namespace: 'default', name: 'owner' }, { propagationPolicy: 'Orphan' }),
    );
    expect(out.removed).toBe(true);
    const child = await ok(cluster.get({ ...CM, namespace: 'default', name: 'child' }));
    expect(child.metadata?.ownerReferences).toBeUndefined();
  });

  it('does nothing when the garbage collector is off (as with a bare kube-apiserver)', async () => {
    const { cluster } = setup({ garbageCollector: false });
    const owner = await ok(cluster.create(cm('owner')));
    await ok(cluster.create(cm('child', ownedBy(owner))));
    await ok(cluster.delete({ ...CM, namespace: 'default', name: 'owner' }));
    expect(await exists(cluster, CM, 'child')).toBe(true);
  });
});

describe('namespace lifecycle', () => {
  it('empties a deleted namespace, then removes it', async () => {
    const { cluster } = setup({ namespaces: ['team'] });
    await ok(cluster.create(cm('a', {}, 'team')));
    await ok(cluster.create({ ...pod('p'), metadata: { name: 'p', namespace: 'team' } }));
    await ok(cluster.delete({ ...NS, namespace: '', name: 'team' }));
    expect((await fail(cluster.get({ ...NS, namespace: '', name: 'team' }))).reason).toBe('NotFound');
    expect(cluster.count(CM)).toBe(0);
    expect(cluster.count(POD)).toBe(0);
  });

  it('stays Terminating while content with finalizers remains', async () => {
    const { cluster } = setup({ namespaces: ['team'] });
    await ok(cluster.create(cm('held', { finalizers: ['kubetasks.dev/hold'] }, 'team')));
    await ok(cluster.delete({ ...NS, namespace: '', name: 'team' }));
    const ns = await ok(cluster.get({ ...NS, namespace: '', name: 'team' }));
    expect((ns['status'] as { phase: string }).phase).toBe('Terminating');
    await ok(
      cluster.patch(
        { ...CM, namespace: 'team', name: 'held' },
        { type: 'merge', body: { metadata: { finalizers: null } } },
      ),
    );
    expect((await fail(cluster.get({ ...NS, namespace: '', name: 'team' }))).reason).toBe('NotFound');
  });

  it('leaves content alone without the namespace controller', async () => {
    const { cluster } = setup({ namespaces: ['team'], namespaceController: false });
    await ok(cluster.create(cm('a', {}, 'team')));
    await ok(cluster.delete({ ...NS, namespace: '', name: 'team' }));
    expect(await exists(cluster, CM, 'a', 'team')).toBe(true);
    expect(
      (await ok(cluster.get({ ...NS, namespace: '', name: 'team' }))).metadata?.deletionTimestamp,
    ).toBeDefined();
  });
});

describe('watch window and bookmarks', () => {
  it('resumes inside the retained window and answers Expired before it', async () => {
    const { cluster } = setup({ watchHistory: 3 });
    const rvs: string[] = [];
    for (const n of ['a', 'b', 'c', 'd', 'e'])
      rvs.push((await ok(cluster.create(cm(n)))).metadata?.resourceVersion ?? '');
    // Kept: c, d, e. A watch may start just before the oldest kept event (at b's version).
    const inside = await ok(cluster.watch(CM, { namespace: 'default', resourceVersion: rvs[1] ?? '' }));
    expect((await drain(inside)).map((e) => (e.type === 'ADDED' ? e.object.metadata?.name : e.type))).toEqual(
      ['c', 'd', 'e'],
    );
    const outside = await ok(cluster.watch(CM, { namespace: 'default', resourceVersion: rvs[0] ?? '' }));
    const events = await drain(outside);
    expect(events).toHaveLength(1);
    const e = events[0];
    expect(e?.type === 'ERROR' && e.error.reason).toBe('Expired');
    expect(e?.type === 'ERROR' && e.error.message).toBe(
      `too old resource version: ${rvs[0] ?? ''} (${rvs[1] ?? ''})`,
    );
  });

  it('makes a watch from a version not reached yet wait for it, silently', async () => {
    const { cluster } = setup();
    const future = String(Number(cluster.resourceVersion()) + 2);
    const s = await ok(cluster.watch(CM, { namespace: 'default', resourceVersion: future }));
    await ok(cluster.create(cm('a')));
    await ok(cluster.create(cm('b')));
    expect(await drain(s)).toEqual([]);
    await ok(cluster.create(cm('c')));
    expect((await drain(s)).map((e) => (e.type === 'ADDED' ? e.object.metadata?.name : e.type))).toEqual([
      'c',
    ]);
  });

  it('keeps a window per kind', async () => {
    const { cluster } = setup({ watchHistory: 2 });
    const first = await ok(cluster.create(cm('a')));
    for (const n of ['x', 'y', 'z']) await ok(cluster.create(pod(n)));
    const s = await ok(cluster.watch(CM, { resourceVersion: first.metadata?.resourceVersion ?? '' }));
    expect(await drain(s)).toEqual([]);
  });

  it('sends bookmarks on the clock to watches that ask, with the current version', async () => {
    const { cluster, clock } = setup({ bookmarkIntervalMs: 1000 });
    const asked = await ok(
      cluster.watch(CM, {
        namespace: 'default',
        resourceVersion: cluster.resourceVersion(),
        allowBookmarks: true,
      }),
    );
    const silent = await ok(
      cluster.watch(CM, { namespace: 'default', resourceVersion: cluster.resourceVersion() }),
    );
    await ok(cluster.create(cm('a')));
    await clock.advance(1000);
    const events = await drain(asked);
    expect(events.map((e) => e.type)).toEqual(['ADDED', 'BOOKMARK']);
    expect(events[1]?.type === 'BOOKMARK' && events[1].resourceVersion).toBe(cluster.resourceVersion());
    expect((await drain(silent)).map((e) => e.type)).toEqual(['ADDED']);
    asked.stop();
    silent.stop();
    expect(clock.pendingTimers()).toBe(0);
  });

  it('serves a kind registered later, with a window that starts at registration', async () => {
    const { cluster } = setup();
    const kind = { apiVersion: 'late.kubetasks.dev/v1', kind: 'Late', plural: 'lates' };
    expect(await ok(cluster.serves(kind))).toBe(false);
    const before = cluster.resourceVersion();
    await ok(cluster.create(cm('bump')));
    cluster.registerKind(kind);
    expect(await ok(cluster.serves(kind))).toBe(true);
    const s = await ok(cluster.watch(kind, { resourceVersion: before }));
    const e = (await drain(s))[0];
    expect(e?.type === 'ERROR' && e.error.code).toBe(410);
  });
});

describe('objects and options', () => {
  it('takes timestamps from the clock', async () => {
    const { cluster, clock } = setup();
    await clock.advance(61_000);
    const c = await ok(cluster.create(cm('a')));
    expect(c.metadata?.creationTimestamp).toBe(formatInstant(clock.now()));
    await ok(cluster.create(pod('p', {}, { nodeName: 'n' })));
    await ok(cluster.delete({ ...POD, namespace: 'default', name: 'p' }));
    const marked = await ok(cluster.get({ ...POD, namespace: 'default', name: 'p' }));
    expect(marked.metadata?.deletionTimestamp).toBe(formatInstant(clock.now() + 30_000));
  });

  it('is deterministic for a seed: same uids and generated names', async () => {
    const names = async (seed: number) => {
      const { cluster } = setup({ seed });
      const o = await ok(cluster.create({ ...CM, metadata: { generateName: 'g-', namespace: 'default' } }));
      return [o.metadata?.name, o.metadata?.uid];
    };
    expect(await names(7)).toEqual(await names(7));
    expect(await names(7)).not.toEqual(await names(8));
  });

  it('hands out copies from get and list, and the frozen stored snapshot from writes and watch events', async () => {
    const { cluster } = setup();
    const s = await ok(
      cluster.watch(CM, { namespace: 'default', resourceVersion: cluster.resourceVersion() }),
    );
    const input = cm('a', { labels: { x: '1' } });
    const created = await ok(cluster.create(input));
    // The store keeps its own copy of the request body: changing the caller's object changes nothing stored.
    (input.metadata?.labels as Record<string, string>)['x'] = 'changed by the caller';
    expect(Object.isFrozen(created.metadata?.labels)).toBe(true);
    expect(() => {
      (created.metadata?.labels as Record<string, string>)['x'] = 'mutated';
    }).toThrow(TypeError);
    const got = await ok(cluster.get({ ...CM, namespace: 'default', name: 'a' }));
    expect(got.metadata?.labels).toEqual({ x: '1' });
    (got.metadata?.labels as Record<string, string>)['x'] = 'mine';
    const again = await ok(cluster.get({ ...CM, namespace: 'default', name: 'a' }));
    expect(again.metadata?.labels).toEqual({ x: '1' });
    const [event] = await drain(s);
    expect(event?.type === 'ADDED' && Object.isFrozen(event.object.metadata)).toBe(true);
    expect(event?.type === 'ADDED' && event.object).toBe(created);
  });

  it('starts with seed objects and extra namespaces, before the watch window', async () => {
    const { cluster } = setup({ namespaces: ['team'], objects: [cm('seeded', {}, 'team')] });
    expect(await exists(cluster, CM, 'seeded', 'team')).toBe(true);
    const e = (await drain(await ok(cluster.watch(CM, { resourceVersion: '1' }))))[0];
    expect(e?.type).toBe('ERROR');
  });

  it('refuses calls once closed, and ends open watches', async () => {
    const { cluster } = setup();
    const s = await ok(cluster.watch(CM, { namespace: 'default' }));
    cluster.close();
    expect(await drain(s)).toEqual([]);
    expect((await fail(cluster.get({ ...CM, namespace: 'default', name: 'a' }))).code).toBe(503);
  });

  it('counts requests by verb and code through the metrics port', async () => {
    const counts = new Map<string, number>();
    const metrics: Metrics = {
      increment: (name, labels) => {
        const key = `${name}{${labels?.['verb'] ?? ''},${labels?.['code'] ?? ''}}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      },
      setGauge: () => undefined,
      observe: () => undefined,
    };
    const { cluster } = setup({ metrics });
    await ok(cluster.create(cm('a')));
    await fail(cluster.create(cm('a')));
    expect(counts.get('kubetasks_memory_cluster_requests_total{create,200}')).toBe(1);
    expect(counts.get('kubetasks_memory_cluster_requests_total{create,409}')).toBe(1);
  });

  it('treats a changed uid as a failed precondition on update and as invalid in a patch', async () => {
    const { cluster } = setup();
    const a = await ok(cluster.create(cm('a')));
    const other = '00000000-0000-4000-8000-000000000000';
    expect((await fail(cluster.update({ ...a, metadata: { ...a.metadata, uid: other } }))).reason).toBe(
      'Conflict',
    );
    expect(
      (
        await fail(
          cluster.patch(
            { ...CM, namespace: 'default', name: 'a' },
            { type: 'merge', body: { metadata: { uid: other } } },
          ),
        )
      ).reason,
    ).toBe('Invalid');
  });

  it('refuses patches that rename, and malformed patches', async () => {
    const { cluster } = setup();
    await ok(cluster.create(cm('a')));
    const ref = { ...CM, namespace: 'default', name: 'a' };
    expect(
      (await fail(cluster.patch(ref, { type: 'merge', body: { metadata: { name: 'b' } } }))).reason,
    ).toBe('BadRequest');
    expect((await fail(cluster.patch(ref, { type: 'json', body: { op: 'add' } }))).reason).toBe('BadRequest');
    expect((await fail(cluster.patch(ref, { type: 'merge', body: [1] }))).reason).toBe('BadRequest');
  });

  it('applies pod defaults: pull policy by tag, QoS from requests and limits', async () => {
    const { cluster } = setup();
    const latest = await ok(cluster.create(pod('a', {}, { containers: [{ name: 'm', image: 'busybox' }] })));
    expect(
      (latest['spec'] as { containers: Array<{ imagePullPolicy: string }> }).containers[0]?.imagePullPolicy,
    ).toBe('Always');
    const guaranteed = await ok(
      cluster.create(
        pod(
          'b',
          {},
          { containers: [{ name: 'm', image: 'x:1', resources: { limits: { cpu: '1', memory: '1Gi' } } }] },
        ),
      ),
    );
    expect((guaranteed['status'] as { qosClass: string }).qosClass).toBe('Guaranteed');
    const burstable = await ok(
      cluster.create(
        pod('c', {}, { containers: [{ name: 'm', image: 'x:1', resources: { requests: { cpu: '100m' } } }] }),
      ),
    );
    expect((burstable['status'] as { qosClass: string }).qosClass).toBe('Burstable');
    const over = await fail(
      cluster.create(
        pod(
          'd',
          {},
          {
            containers: [
              { name: 'm', image: 'x:1', resources: { requests: { cpu: '2' }, limits: { cpu: '1' } } },
            ],
          },
        ),
      ),
    );
    expect(over.reason).toBe('Invalid');
    const undecodable = await fail(
      cluster.create(
        pod('e', {}, { containers: [{ name: 'm', image: 'x:1', resources: { requests: { cpu: 'lots' } } }] }),
      ),
    );
    expect(undecodable.reason).toBe('BadRequest');
  });

  it('enforces compute quotas: must specify, and exceeded with amounts', async () => {
    const { cluster } = setup();
    await ok(
      cluster.create({
        apiVersion: 'v1',
        kind: 'ResourceQuota',
        metadata: { name: 'cpu', namespace: 'default' },
        spec: { hard: { 'requests.cpu': '1' } },
      }),
    );
    const unspecified = await fail(cluster.create(pod('a')));
    expect(unspecified.message).toBe('pods "a" is forbidden: failed quota: cpu: must specify requests.cpu');
    const withCpu = (name: string, cpu: string) =>
      pod(name, {}, { containers: [{ name: 'm', image: 'x:1', resources: { requests: { cpu } } }] });
    await ok(cluster.create(withCpu('b', '600m')));
    const over = await fail(cluster.create(withCpu('c', '500m')));
    expect(over.message).toBe(
      'pods "c" is forbidden: exceeded quota: cpu, requested: requests.cpu=500m, used: requests.cpu=600m, limited: requests.cpu=1',
    );
    // Terminal pods no longer count.
    await ok(
      cluster.patchStatus(
        { ...POD, namespace: 'default', name: 'b' },
        { type: 'merge', body: { status: { phase: 'Succeeded' } } },
      ),
    );
    await ok(cluster.create(withCpu('c', '500m')));
  });

  it('holds many objects with writes that do not slow down with the store size', async () => {
    const { cluster } = setup();
    const timeCreates = async (prefix: string, n: number): Promise<number> => {
      const start = performance.now();
      for (let i = 0; i < n; i++) await ok(cluster.create(cm(`${prefix}-${i}`)));
      return performance.now() - start;
    };
    const early = await timeCreates('early', 2000);
    await timeCreates('bulk', 20_000);
    const late = await timeCreates('late', 2000);
    expect(cluster.count(CM)).toBe(24_000);
    // Generous bound: a linear scan per write would make the late batch ~10x slower.
    expect(late).toBeLessThan(early * 4 + 200);
  });
});

describe('Lease (coordination.k8s.io/v1), as leader election uses it', () => {
  const LEASE = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease' } as const;
  it('is served; creates once; updates only at the current resourceVersion; drops unknown top-level fields', async () => {
    const { cluster } = setup();
    expect(await ok(cluster.serves(LEASE))).toBe(true);
    const body = {
      ...LEASE,
      metadata: { name: 'l', namespace: 'default' },
      spec: { holderIdentity: 'a', leaseDurationSeconds: 15, leaseTransitions: 0 },
      extra: 1,
    };
    const created = await ok(cluster.create(body));
    expect(created['extra']).toBeUndefined();
    expect((await fail(cluster.create(body))).reason).toBe('AlreadyExists');
    const rv = created.metadata?.resourceVersion ?? '';
    const renewed = await ok(
      cluster.update({ ...created, spec: { holderIdentity: 'a', leaseTransitions: 0 } }),
    );
    expect(renewed.metadata?.resourceVersion).not.toBe(rv);
    const stale = await fail(
      cluster.update({
        ...created,
        metadata: { ...created.metadata, resourceVersion: rv },
        spec: { holderIdentity: 'b' },
      }),
    );
    expect(stale.reason).toBe('Conflict');
    expect((await ok(cluster.get({ ...LEASE, namespace: 'default', name: 'l' })))['spec']).toEqual({
      holderIdentity: 'a',
      leaseTransitions: 0,
    });
  });
});
