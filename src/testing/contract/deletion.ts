// Contract: deletion, finalizers, preconditions and the graceful deletion of pods bound to a node.
import { describe, expect, it } from 'vitest';
import { parseInstant } from '../../domain/time.js';
import { WIDGET } from './kinds.js';
import {
  CONFIG_MAP,
  POD,
  configMap,
  err,
  freshNamespace,
  ok,
  pod,
  refTo,
  rvOf,
  watchOf,
  widget,
  type ContractAdapter,
} from './support.js';

const FINALIZER = 'kubetasks.dev/contract';

const seconds = (a: string | undefined, b: string | undefined): number => {
  const x = parseInstant(a);
  const y = parseInstant(b);
  return x._tag === 'Some' && y._tag === 'Some' ? (x.value - y.value) / 1000 : NaN;
};

export const deletionContract = (ctx: () => ContractAdapter): void => {
  describe('deletion and finalizers', () => {
    it('removes an object without finalizers at once', async () => {
      const { cluster } = ctx();
      const ns = await freshNamespace(cluster);
      await ok(cluster.create(configMap(ns, 'a')));
      const out = await ok(cluster.delete(refTo(CONFIG_MAP, ns, 'a')));
      expect(out.removed).toBe(true);
      expect((await err(cluster.get(refTo(CONFIG_MAP, ns, 'a')))).reason).toBe('NotFound');
      expect((await err(cluster.delete(refTo(CONFIG_MAP, ns, 'a')))).reason).toBe('NotFound');
    });

    it('only marks an object with finalizers; removing the last finalizer removes it', async () => {
      const a = ctx();
      const { cluster } = a;
      const ns = await freshNamespace(cluster);
      const created = await ok(cluster.create(widget(ns, 'w', { size: 1 }, { finalizers: [FINALIZER] })));
      const watch = await watchOf(a, WIDGET, {
        namespace: ns,
        resourceVersion: created.metadata?.resourceVersion ?? '',
      });
      const out = await ok(cluster.delete(refTo(WIDGET, ns, 'w')));
      expect(out.removed).toBe(false);
      const marked = await ok(cluster.get(refTo(WIDGET, ns, 'w')));
      expect(marked.metadata?.deletionTimestamp).toBeDefined();
      expect(marked.metadata?.deletionGracePeriodSeconds).toBe(0);
      expect(marked.metadata?.generation).toBe(2);
      expect(marked.metadata?.finalizers).toEqual([FINALIZER]);

      // A repeated delete changes nothing.
      await ok(cluster.delete(refTo(WIDGET, ns, 'w')));
      const again = await ok(cluster.get(refTo(WIDGET, ns, 'w')));
      expect(again.metadata?.resourceVersion).toBe(marked.metadata?.resourceVersion);
      expect(again.metadata?.deletionTimestamp).toBe(marked.metadata?.deletionTimestamp);

      // No new finalizers once deletion started.
      const added = await err(
        cluster.update({
          ...again,
          metadata: { ...again.metadata, finalizers: [FINALIZER, 'kubetasks.dev/other'] },
        }),
      );
      expect(added.reason).toBe('Invalid');

      // Spec changes are still accepted while finalizers hold the object.
      const changed = await ok(cluster.update({ ...again, spec: { size: 3 } }));
      expect(changed['spec']).toEqual({ size: 3 });

      const { finalizers: _f, ...meta } = changed.metadata ?? {};
      await ok(cluster.update({ ...changed, metadata: meta }));
      expect((await err(cluster.get(refTo(WIDGET, ns, 'w')))).reason).toBe('NotFound');
      const events = await watch.until((e) => e.type === 'DELETED');
      expect(events.map((e) => e.type)).toEqual(['MODIFIED', 'MODIFIED', 'DELETED']);
      watch.stop();
    });

    it('removes a finalized object through a patch of its finalizers too', async () => {
      const { cluster } = ctx();
      const ns = await freshNamespace(cluster);
      await ok(cluster.create(configMap(ns, 'c', {}, { finalizers: [FINALIZER] })));
      await ok(cluster.delete(refTo(CONFIG_MAP, ns, 'c')));
      await ok(
        cluster.patch(refTo(CONFIG_MAP, ns, 'c'), {
          type: 'json',
          body: [{ op: 'remove', path: '/metadata/finalizers' }],
        }),
      );
      expect((await err(cluster.get(refTo(CONFIG_MAP, ns, 'c')))).reason).toBe('NotFound');
    });

    it('checks uid and resourceVersion preconditions: Conflict when they do not match', async () => {
      const { cluster } = ctx();
      const ns = await freshNamespace(cluster);
      const c = await ok(cluster.create(configMap(ns, 'c')));
      const wrongUid = await err(
        cluster.delete(refTo(CONFIG_MAP, ns, 'c'), {
          preconditions: { uid: '00000000-0000-4000-8000-000000000000' },
        }),
      );
      expect(wrongUid.reason).toBe('Conflict');
      const updated = await ok(cluster.update({ ...c, data: { k: 'x' } }));
      const staleRv = await err(
        cluster.delete(refTo(CONFIG_MAP, ns, 'c'), {
          preconditions: { resourceVersion: c.metadata?.resourceVersion ?? '' },
        }),
      );
      expect(staleRv.reason).toBe('Conflict');
      const done = await ok(
        cluster.delete(refTo(CONFIG_MAP, ns, 'c'), {
          preconditions: {
            uid: updated.metadata?.uid ?? '',
            resourceVersion: updated.metadata?.resourceVersion ?? '',
          },
        }),
      );
      expect(done.removed).toBe(true);
    });
    it('a uid precondition never hits a newer object of the same name', async () => {
      const { cluster } = ctx();
      const ns = await freshNamespace(cluster);
      const first = await ok(cluster.create(configMap(ns, 'c')));
      await ok(cluster.delete(refTo(CONFIG_MAP, ns, 'c')));
      const second = await ok(cluster.create(configMap(ns, 'c')));
      expect(second.metadata?.uid).not.toBe(first.metadata?.uid);
      const stale = await err(
        cluster.delete(refTo(CONFIG_MAP, ns, 'c'), { preconditions: { uid: first.metadata?.uid ?? '' } }),
      );
      expect(stale.reason).toBe('Conflict');
      expect(stale.code).toBe(409);
      expect((await ok(cluster.get(refTo(CONFIG_MAP, ns, 'c')))).metadata?.uid).toBe(second.metadata?.uid);
      const done = await ok(
        cluster.delete(refTo(CONFIG_MAP, ns, 'c'), { preconditions: { uid: second.metadata?.uid ?? '' } }),
      );
      expect(done.removed).toBe(true);
      // Gone: the precondition is not checked against nothing, the answer is NotFound.
      const absent = await err(
        cluster.delete(refTo(CONFIG_MAP, ns, 'c'), { preconditions: { uid: second.metadata?.uid ?? '' } }),
      );
      expect(absent.reason).toBe('NotFound');
    });
  });

  describe('graceful deletion of pods', () => {
    it('removes an unscheduled pod at once', async () => {
      const { cluster } = ctx();
      const ns = await freshNamespace(cluster);
      await ok(cluster.create(pod(ns, 'p')));
      const out = await ok(cluster.delete(refTo(POD, ns, 'p')));
      expect(out.removed).toBe(true);
      expect((await err(cluster.get(refTo(POD, ns, 'p')))).reason).toBe('NotFound');
    });

    it('only marks a pod bound to a node; the kubelet confirms with grace 0', async () => {
      const a = ctx();
      const { cluster } = a;
      const ns = await freshNamespace(cluster);
      const created = await ok(cluster.create(pod(ns, 'p', { nodeName: 'kt-absent-node' })));
      const watch = await watchOf(a, POD, {
        namespace: ns,
        resourceVersion: created.metadata?.resourceVersion ?? '',
      });
      const out = await ok(cluster.delete(refTo(POD, ns, 'p')));
      expect(out.removed).toBe(false);
      const marked = await ok(cluster.get(refTo(POD, ns, 'p')));
      expect(marked.metadata?.deletionGracePeriodSeconds).toBe(30);
      expect(
        seconds(marked.metadata?.deletionTimestamp, marked.metadata?.creationTimestamp),
      ).toBeGreaterThanOrEqual(29);
      expect(marked.metadata?.generation).toBe(2);

      // A longer or equal grace period changes nothing; a shorter one moves the deadline earlier.
      await ok(cluster.delete(refTo(POD, ns, 'p'), { gracePeriodSeconds: 60 }));
      expect((await ok(cluster.get(refTo(POD, ns, 'p')))).metadata?.resourceVersion).toBe(
        marked.metadata?.resourceVersion,
      );
      await ok(cluster.delete(refTo(POD, ns, 'p'), { gracePeriodSeconds: 10 }));
      const shorter = await ok(cluster.get(refTo(POD, ns, 'p')));
      expect(shorter.metadata?.deletionGracePeriodSeconds).toBe(10);
      expect(seconds(marked.metadata?.deletionTimestamp, shorter.metadata?.deletionTimestamp)).toBe(20);

      const confirmed = await ok(
        cluster.delete(refTo(POD, ns, 'p'), {
          gracePeriodSeconds: 0,
          preconditions: { uid: created.metadata?.uid ?? '' },
        }),
      );
      expect(confirmed.removed).toBe(true);
      expect((await err(cluster.get(refTo(POD, ns, 'p')))).reason).toBe('NotFound');
      const events = await watch.until((e) => e.type === 'DELETED');
      expect(events[events.length - 1]?.type).toBe('DELETED');
      watch.stop();
    });

    it('removes a terminal pod at once even when bound', async () => {
      const { cluster } = ctx();
      const ns = await freshNamespace(cluster);
      await ok(cluster.create(pod(ns, 'p', { nodeName: 'kt-absent-node' })));
      await ok(
        cluster.patchStatus(refTo(POD, ns, 'p'), { type: 'merge', body: { status: { phase: 'Succeeded' } } }),
      );
      const out = await ok(cluster.delete(refTo(POD, ns, 'p')));
      expect(out.removed).toBe(true);
    });

    it('keeps a bound pod whose finalizer goes while its grace period runs, until a grace-0 delete', async () => {
      const { cluster } = ctx();
      const ns = await freshNamespace(cluster);
      await ok(cluster.create(pod(ns, 'p', { nodeName: 'kt-absent-node', finalizers: [FINALIZER] })));
      await ok(cluster.delete(refTo(POD, ns, 'p')));
      await ok(
        cluster.patch(refTo(POD, ns, 'p'), {
          type: 'json',
          body: [{ op: 'remove', path: '/metadata/finalizers' }],
        }),
      );
      const lingering = await ok(cluster.get(refTo(POD, ns, 'p')));
      expect(lingering.metadata?.deletionGracePeriodSeconds).toBe(30);
      expect(lingering.metadata?.finalizers ?? []).toEqual([]);
      const out = await ok(cluster.delete(refTo(POD, ns, 'p'), { gracePeriodSeconds: 0 }));
      expect(out.removed).toBe(true);
    });

    it('holds a pod deleted with grace 0 while a finalizer remains', async () => {
      const { cluster } = ctx();
      const ns = await freshNamespace(cluster);
      const p = await ok(
        cluster.create(pod(ns, 'p', { nodeName: 'kt-absent-node', finalizers: [FINALIZER] })),
      );
      const out = await ok(cluster.delete(refTo(POD, ns, 'p'), { gracePeriodSeconds: 0 }));
      expect(out.removed).toBe(false);
      const held = await ok(cluster.get(refTo(POD, ns, 'p')));
      expect(held.metadata?.deletionGracePeriodSeconds).toBe(0);
      expect(rvOf(held)).toBeGreaterThan(rvOf(p));
      await ok(
        cluster.patch(refTo(POD, ns, 'p'), { type: 'merge', body: { metadata: { finalizers: null } } }),
      );
      expect((await err(cluster.get(refTo(POD, ns, 'p')))).reason).toBe('NotFound');
    });
  });
};
