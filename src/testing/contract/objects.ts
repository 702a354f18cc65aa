// Contract: create, get and update semantics, optimistic concurrency, validation, discovery and the error reasons.
import { describe, expect, it } from 'vitest';
import { isDns1123Subdomain } from '../../domain/names.js';
import { GADGET, WIDGET } from './kinds.js';
import {
  CONFIG_MAP,
  NAMESPACE,
  POD,
  configMap,
  err,
  freshNamespace,
  ok,
  pod,
  refTo,
  rvOf,
  widget,
  type ContractAdapter,
} from './support.js';

export const objectsContract = (ctx: () => ContractAdapter): void => {
  describe('create and get', () => {
    it('fills uid, creationTimestamp and resourceVersion, and get returns the stored object', async () => {
      const { cluster } = ctx();
      const ns = await freshNamespace(cluster);
      const created = await ok(cluster.create(configMap(ns, 'a', { x: '1' })));
      expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
      expect(created.metadata?.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(created.metadata?.resourceVersion).toMatch(/^\d+$/);
      expect(created.metadata?.namespace).toBe(ns);
      const got = await ok(cluster.get(refTo(CONFIG_MAP, ns, 'a')));
      expect(got.metadata?.uid).toBe(created.metadata?.uid);
      expect(got.metadata?.resourceVersion).toBe(created.metadata?.resourceVersion);
      expect(got['data']).toEqual({ x: '1' });
      expect(got.apiVersion).toBe('v1');
      expect(got.kind).toBe('ConfigMap');
    });

    it('sets generation 1 on custom resources and pods, and defaults a pod to Pending with a QoS class', async () => {
      const { cluster } = ctx();
      const ns = await freshNamespace(cluster);
      const w = await ok(cluster.create(widget(ns, 'w')));
      expect(w.metadata?.generation).toBe(1);
      const p = await ok(cluster.create(pod(ns, 'p')));
      expect(p.metadata?.generation).toBe(1);
      const status = p['status'] as { phase?: string; qosClass?: string };
      expect(status.phase).toBe('Pending');
      expect(status.qosClass).toBe('BestEffort');
      const spec = p['spec'] as { terminationGracePeriodSeconds?: number; schedulerName?: string };
      expect(spec.terminationGracePeriodSeconds).toBe(30);
      expect(spec.schedulerName).toBe('default-scheduler');
    });

    it('drops status on create for kinds with a status subresource', async () => {
      const { cluster } = ctx();
      const ns = await freshNamespace(cluster);
      const w = await ok(cluster.create({ ...widget(ns, 'w'), status: { ready: true } }));
      expect(w['status']).toBeUndefined();
      const g = await ok(
        cluster.create({
          apiVersion: GADGET.apiVersion,
          kind: GADGET.kind,
          metadata: { name: 'g', namespace: ns },
          status: { ready: true },
        }),
      );
      expect(g['status']).toEqual({ ready: true });
    });

    it('refuses a second object with the same name: AlreadyExists (409)', async () => {
      const { cluster } = ctx();
      const ns = await freshNamespace(cluster);
      await ok(cluster.create(configMap(ns, 'dup')));
      const e = await err(cluster.create(configMap(ns, 'dup')));
      expect(e.reason).toBe('AlreadyExists');
      expect(e.code).toBe(409);
      expect(e.message).toBe('configmaps "dup" already exists');
    });

    it('reports a missing object as NotFound (404)', async () => {
      const { cluster } = ctx();
      const ns = await freshNamespace(cluster);
      const e = await err(cluster.get(refTo(CONFIG_MAP, ns, 'nope')));
      expect(e.reason).toBe('NotFound');
      expect(e.code).toBe(404);
      expect(e.message).toBe('configmaps "nope" not found');
      const w = await err(cluster.get(refTo(WIDGET, ns, 'nope')));
      expect(w.message).toBe('widgets.contract.kubetasks.dev "nope" not found');
    });

    it('refuses objects in a namespace that does not exist: NotFound for the namespace', async () => {
      const { cluster } = ctx();
      const e = await err(cluster.create(configMap('kt-contract-no-such-namespace', 'a')));
      expect(e.reason).toBe('NotFound');
      expect(e.message).toBe('namespaces "kt-contract-no-such-namespace" not found');
    });

    it('generates names from generateName', async () => {
      const { cluster } = ctx();
      const ns = await freshNamespace(cluster);
      const a = await ok(
        cluster.create({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { generateName: 'gen-', namespace: ns },
        }),
      );
      const b = await ok(
        cluster.create({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { generateName: 'gen-', namespace: ns },
        }),
      );
      const nameA = a.metadata?.name ?? '';
      expect(nameA).toMatch(/^gen-[a-z0-9]{5}$/);
      expect(isDns1123Subdomain(nameA)).toBe(true);
      expect(b.metadata?.name).not.toBe(nameA);
    });

    it('serves cluster-scoped objects without a namespace', async () => {
      const { cluster } = ctx();
      const ns = await freshNamespace(cluster);
      const got = await ok(cluster.get({ ...NAMESPACE, namespace: '', name: ns }));
      expect(got.metadata?.namespace).toBeUndefined();
      expect((got['status'] as { phase?: string }).phase).toBe('Active');
      expect(got.metadata?.labels?.['kubernetes.io/metadata.name']).toBe(ns);
    });
  });

  describe('validation', () => {
    it('refuses a name that is not a DNS-1123 subdomain: Invalid (422) at metadata.name', async () => {
      const { cluster } = ctx();
      const ns = await freshNamespace(cluster);
      const e = await err(cluster.create(configMap(ns, 'Not_Valid')));
      expect(e.reason).toBe('Invalid');
      expect(e.code).toBe(422);
      expect(e.message).toContain('ConfigMap "Not_Valid" is invalid');
      expect(e.details?.causes?.map((c) => c.field)).toContain('metadata.name');
    });

    it('refuses bad label values and undomained finalizers on built-in kinds', async () => {
      const { cluster } = ctx();
      const ns = await freshNamespace(cluster);
      const label = await err(cluster.create(configMap(ns, 'a', {}, { labels: { ok: 'not a value!' } })));
      expect(label.reason).toBe('Invalid');
      const fin = await err(cluster.create(configMap(ns, 'b', {}, { finalizers: ['nodomain'] })));
      expect(fin.reason).toBe('Invalid');
      expect(fin.details?.causes?.map((c) => c.field)).toContain('metadata.finalizers[0]');
    });

    it('refuses a pod without containers or with a duplicate container name', async () => {
      const { cluster } = ctx();
      const ns = await freshNamespace(cluster);
      const none = await err(
        cluster.create({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'p', namespace: ns },
          spec: { containers: [] },
        }),
      );
      expect(none.reason).toBe('Invalid');
      expect(none.details?.causes?.map((c) => c.field)).toContain('spec.containers');
      const dup = await err(
        cluster.create({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'q', namespace: ns },
          spec: {
            containers: [
              { name: 'a', image: 'x:1' },
              { name: 'a', image: 'x:1' },
            ],
          },
        }),
      );
      expect(dup.reason).toBe('Invalid');
      expect(dup.details?.causes?.map((c) => c.field)).toContain('spec.containers[1].name');
    });

    it('refuses a request body over the size limit: RequestEntityTooLarge (413)', async () => {
      const { cluster } = ctx();
      const ns = await freshNamespace(cluster);
      const e = await err(cluster.create(configMap(ns, 'huge', { blob: 'x'.repeat(3_200_000) })));
      expect(e.reason).toBe('RequestEntityTooLarge');
      expect(e.code).toBe(413);
    });
  });

  describe('update and optimistic concurrency', () => {
    it('accepts an update at the current resourceVersion and moves it forward', async () => {
      const { cluster } = ctx();
      const ns = await freshNamespace(cluster);
      const a = await ok(cluster.create(configMap(ns, 'a')));
      const b = await ok(cluster.update({ ...a, data: { k: 'changed' } }));
      expect(b['data']).toEqual({ k: 'changed' });
      expect(rvOf(b)).toBeGreaterThan(rvOf(a));
      expect(b.metadata?.uid).toBe(a.metadata?.uid);
      expect(b.metadata?.creationTimestamp).toBe(a.metadata?.creationTimestamp);
    });

    it('refuses an update at a stale resourceVersion: Conflict (409), and the object keeps the winner', async () => {
      const { cluster } = ctx();
      const ns = await freshNamespace(cluster);
      const a = await ok(cluster.create(configMap(ns, 'a')));
      await ok(cluster.update({ ...a, data: { k: 'first' } }));
      const e = await err(cluster.update({ ...a, data: { k: 'second' } }));
      expect(e.reason).toBe('Conflict');
      expect(e.code).toBe(409);
      expect(e.message).toBe(
        'Operation cannot be fulfilled on configmaps "a": the object has been modified; please apply your changes to the latest version and try again',
      );
      const now = await ok(cluster.get(refTo(CONFIG_MAP, ns, 'a')));
      expect(now['data']).toEqual({ k: 'first' });
    });

    it('applies an update without resourceVersion unconditionally', async () => {
      const { cluster } = ctx();
      const ns = await freshNamespace(cluster);
      const a = await ok(cluster.create(configMap(ns, 'a')));
      await ok(cluster.update({ ...a, data: { k: 'first' } }));
      const { resourceVersion: _rv, ...meta } = a.metadata ?? {};
      const b = await ok(cluster.update({ ...a, metadata: meta, data: { k: 'blind' } }));
      expect(b['data']).toEqual({ k: 'blind' });
    });

    it('refuses an update of a custom resource without resourceVersion: Invalid', async () => {
      const { cluster } = ctx();
      const ns = await freshNamespace(cluster);
      const w = await ok(cluster.create(widget(ns, 'w')));
      const { resourceVersion: _rv, ...meta } = w.metadata ?? {};
      const e = await err(cluster.update({ ...w, metadata: meta, spec: { size: 2 } }));
      expect(e.reason).toBe('Invalid');
      expect(e.details?.causes?.map((c) => c.field)).toEqual(['metadata.resourceVersion']);
    });

    it('reports an update of a missing object as NotFound', async () => {
      const { cluster } = ctx();
      const ns = await freshNamespace(cluster);
      const e = await err(cluster.update(configMap(ns, 'ghost')));
      expect(e.reason).toBe('NotFound');
    });

    it('does not write an update that changes nothing (same resourceVersion)', async () => {
      const { cluster } = ctx();
      const ns = await freshNamespace(cluster);
      const a = await ok(cluster.create(configMap(ns, 'a')));
      const b = await ok(cluster.update(a));
      expect(b.metadata?.resourceVersion).toBe(a.metadata?.resourceVersion);
    });

    it('increases resourceVersion with every write, across objects', async () => {
      const { cluster } = ctx();
      const ns = await freshNamespace(cluster);
      const versions: bigint[] = [];
      for (const name of ['a', 'b', 'c']) versions.push(rvOf(await ok(cluster.create(configMap(ns, name)))));
      const a = await ok(cluster.get(refTo(CONFIG_MAP, ns, 'a')));
      versions.push(rvOf(await ok(cluster.update({ ...a, data: { k: 'x' } }))));
      expect([...versions].sort((x, y) => (x < y ? -1 : 1))).toEqual(versions);
      expect(new Set(versions).size).toBe(versions.length);
    });

    it('bumps generation on spec changes only', async () => {
      const { cluster } = ctx();
      const ns = await freshNamespace(cluster);
      const w = await ok(cluster.create(widget(ns, 'w')));
      const labelled = await ok(cluster.update({ ...w, metadata: { ...w.metadata, labels: { a: 'b' } } }));
      expect(labelled.metadata?.generation).toBe(1);
      const resized = await ok(cluster.update({ ...labelled, spec: { size: 2 } }));
      expect(resized.metadata?.generation).toBe(2);
    });
  });

  describe('discovery and binding', () => {
    it('says which kinds are served', async () => {
      const { cluster } = ctx();
      expect(await ok(cluster.serves(POD))).toBe(true);
      expect(await ok(cluster.serves(WIDGET))).toBe(true);
      expect(await ok(cluster.serves({ apiVersion: 'nothing.kubetasks.dev/v1', kind: 'Nothing' }))).toBe(
        false,
      );
      const info = await ok(cluster.discover(WIDGET));
      expect(info).toEqual({ _tag: 'Some', value: { ...WIDGET } });
      const pods = await ok(cluster.discover(POD));
      expect(pods._tag === 'Some' && pods.value.plural).toBe('pods');
    });

    it('answers NotFound for a kind that is not served', async () => {
      const { cluster } = ctx();
      const ns = await freshNamespace(cluster);
      const e = await err(
        cluster.get({ apiVersion: 'nothing.kubetasks.dev/v1', kind: 'Nothing', namespace: ns, name: 'x' }),
      );
      expect(e.reason).toBe('NotFound');
      expect(e.code).toBe(404);
    });

    it('binds a pod to a node once: PodScheduled, then Conflict', async () => {
      const { cluster } = ctx();
      const ns = await freshNamespace(cluster);
      await ok(cluster.create(pod(ns, 'p')));
      await ok(cluster.bind(refTo(POD, ns, 'p'), 'node-a'));
      const bound = await ok(cluster.get(refTo(POD, ns, 'p')));
      expect((bound['spec'] as { nodeName?: string }).nodeName).toBe('node-a');
      const conditions =
        (
          bound['status'] as {
            conditions?: Array<{ type: string; status: string; lastTransitionTime?: string }>;
          }
        ).conditions ?? [];
      const scheduled = conditions.find((c) => c.type === 'PodScheduled');
      expect(scheduled?.status).toBe('True');
      expect(scheduled?.lastTransitionTime).toBeDefined();
      const again = await err(cluster.bind(refTo(POD, ns, 'p'), 'node-b'));
      expect(again.reason).toBe('Conflict');
      const missing = await err(cluster.bind(refTo(POD, ns, 'ghost'), 'node-a'));
      expect(missing.reason).toBe('NotFound');
    });
  });
};
