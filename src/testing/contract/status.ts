// Contract: the status subresource, and the pod status rules the API server enforces.
import { describe, expect, it } from 'vitest';
import { GADGET, WIDGET } from './kinds.js';
import {
  CONFIG_MAP,
  POD,
  configMap,
  err,
  freshNamespace,
  ok,
  pod,
  refTo,
  widget,
  type ContractAdapter,
} from './support.js';

interface PodStatusShape {
  phase?: string;
  qosClass?: string;
  podIP?: string;
  podIPs?: Array<{ ip: string }>;
  containerStatuses?: unknown[];
}

const statusOf = (o: { readonly [k: string]: unknown }): PodStatusShape => o['status'] ?? {};

export const statusContract = (ctx: () => ContractAdapter): void => {
  describe('status subresource', () => {
    it('pods: the main resource ignores status, the status subresource ignores spec', async () => {
      const { cluster } = ctx();
      const ns = await freshNamespace(cluster);
      const p = await ok(cluster.create(pod(ns, 'p', { labels: { a: '1' } })));
      const viaMain = await ok(cluster.update({ ...p, status: { ...statusOf(p), phase: 'Running' } }));
      expect(statusOf(viaMain).phase).toBe('Pending');
      const spec = p['spec'] as { activeDeadlineSeconds?: number };
      const viaStatus = await ok(
        cluster.updateStatus({
          ...viaMain,
          spec: { ...spec, activeDeadlineSeconds: 5 },
          status: { ...statusOf(viaMain), phase: 'Running' },
        }),
      );
      expect(statusOf(viaStatus).phase).toBe('Running');
      expect((viaStatus['spec'] as { activeDeadlineSeconds?: number }).activeDeadlineSeconds).toBeUndefined();
      expect(viaStatus.metadata?.generation).toBe(1);
    });

    it('custom resources: status writes change only status and never the generation', async () => {
      const { cluster } = ctx();
      const ns = await freshNamespace(cluster);
      const w = await ok(cluster.create(widget(ns, 'w', { size: 1 })));
      const s = await ok(
        cluster.updateStatus({
          ...w,
          metadata: { ...w.metadata, labels: { ignored: 'yes' } },
          spec: { size: 9 },
          status: { ready: true },
        }),
      );
      expect(s['status']).toEqual({ ready: true });
      expect(s['spec']).toEqual({ size: 1 });
      expect(s.metadata?.labels?.['ignored']).toBeUndefined();
      expect(s.metadata?.generation).toBe(1);
      const m = await ok(cluster.update({ ...s, spec: { size: 2 }, status: { ready: false } }));
      expect(m['status']).toEqual({ ready: true });
      expect(m.metadata?.generation).toBe(2);
      const p = await ok(
        cluster.patchStatus(refTo(WIDGET, ns, 'w'), { type: 'merge', body: { status: { phase: 'Done' } } }),
      );
      expect(p['status']).toEqual({ ready: true, phase: 'Done' });
      expect(p.metadata?.generation).toBe(2);
    });

    it('custom resources without the subresource: status is content, and /status is not served', async () => {
      const { cluster } = ctx();
      const ns = await freshNamespace(cluster);
      const g = await ok(
        cluster.create({
          apiVersion: GADGET.apiVersion,
          kind: GADGET.kind,
          metadata: { name: 'g', namespace: ns },
          spec: { a: 1 },
        }),
      );
      const u = await ok(cluster.update({ ...g, status: { ready: true } }));
      expect(u['status']).toEqual({ ready: true });
      expect(u.metadata?.generation).toBe(2);
      const e = await err(cluster.updateStatus({ ...u, status: { ready: false } }));
      expect(e.reason).toBe('NotFound');
      expect(e.code).toBe(404);
    });

    it('kinds without status: /status is not served (NotFound)', async () => {
      const { cluster } = ctx();
      const ns = await freshNamespace(cluster);
      const c = await ok(cluster.create(configMap(ns, 'c')));
      const e = await err(cluster.updateStatus(c));
      expect(e.reason).toBe('NotFound');
      const p = await err(
        cluster.patchStatus(refTo(CONFIG_MAP, ns, 'c'), { type: 'merge', body: { status: {} } }),
      );
      expect(p.reason).toBe('NotFound');
    });

    it('status writes are optimistic too: a stale resourceVersion is a Conflict', async () => {
      const { cluster } = ctx();
      const ns = await freshNamespace(cluster);
      const w = await ok(cluster.create(widget(ns, 'w')));
      await ok(cluster.updateStatus({ ...w, status: { n: 1 } }));
      const e = await err(cluster.updateStatus({ ...w, status: { n: 2 } }));
      expect(e.reason).toBe('Conflict');
    });
  });

  describe('pod status validation', () => {
    it('keeps qosClass immutable', async () => {
      const { cluster } = ctx();
      const ns = await freshNamespace(cluster);
      await ok(cluster.create(pod(ns, 'p')));
      const e = await err(
        cluster.patchStatus(refTo(POD, ns, 'p'), {
          type: 'merge',
          body: { status: { qosClass: 'Guaranteed' } },
        }),
      );
      expect(e.reason).toBe('Invalid');
    });

    it('takes podIP as authoritative: podIPs that disagree are rewritten, not refused', async () => {
      const { cluster } = ctx();
      const ns = await freshNamespace(cluster);
      await ok(cluster.create(pod(ns, 'p')));
      const disagreeing = await ok(
        cluster.patchStatus(refTo(POD, ns, 'p'), {
          type: 'merge',
          body: { status: { podIP: '10.1.0.5', podIPs: [{ ip: '10.1.0.6' }] } },
        }),
      );
      expect(statusOf(disagreeing).podIP).toBe('10.1.0.5');
      expect(statusOf(disagreeing).podIPs).toEqual([{ ip: '10.1.0.5' }]);
      const bad = await err(
        cluster.patchStatus(refTo(POD, ns, 'p'), {
          type: 'merge',
          body: { status: { podIP: 'not-an-ip', podIPs: [{ ip: 'not-an-ip' }] } },
        }),
      );
      expect(bad.reason).toBe('Invalid');
    });

    it('forbids a terminated container to run again under restartPolicy Never, but allows phase regressions', async () => {
      const { cluster } = ctx();
      const ns = await freshNamespace(cluster);
      await ok(cluster.create(pod(ns, 'p', { restartPolicy: 'Never' })));
      const at = '2026-01-01T00:00:00Z';
      const terminated = {
        name: 'main',
        image: 'busybox:1.36',
        imageID: '',
        ready: false,
        restartCount: 0,
        state: { terminated: { exitCode: 1, reason: 'Error', startedAt: at, finishedAt: at } },
      };
      await ok(
        cluster.patchStatus(refTo(POD, ns, 'p'), {
          type: 'merge',
          body: { status: { phase: 'Failed', containerStatuses: [terminated] } },
        }),
      );
      const rerun = await err(
        cluster.patchStatus(refTo(POD, ns, 'p'), {
          type: 'merge',
          body: { status: { containerStatuses: [{ ...terminated, state: { running: { startedAt: at } } }] } },
        }),
      );
      expect(rerun.reason).toBe('Invalid');
      const regressed = await ok(
        cluster.patchStatus(refTo(POD, ns, 'p'), { type: 'merge', body: { status: { phase: 'Running' } } }),
      );
      expect(statusOf(regressed).phase).toBe('Running');
    });
  });
};
