// Contract: admission on create (ResourceQuota, NamespaceLifecycle, Priority) with the plugins' exact messages.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../domain/kubernetes.js';
import { isQuotaExceeded } from '../../domain/api-error.js';
import { NAMESPACE, configMap, err, freshNamespace, ok, pod, type ContractAdapter } from './support.js';

export const admissionContract = (ctx: () => ContractAdapter): void => {
  describe('admission', () => {
    it('refuses a pod over a ResourceQuota: Forbidden (403) with the exceeded-quota message', async () => {
      const { cluster } = ctx();
      const ns = await freshNamespace(cluster);
      await ok(
        cluster.create({
          apiVersion: 'v1',
          kind: 'ResourceQuota',
          metadata: { name: 'q', namespace: ns },
          spec: { hard: { pods: '1' } },
        }),
      );
      // Without kube-controller-manager nobody fills the quota's status; the admission plugin needs it.
      const q = await ok(cluster.get({ apiVersion: 'v1', kind: 'ResourceQuota', namespace: ns, name: 'q' }));
      await ok(cluster.updateStatus({ ...q, status: { hard: { pods: '1' }, used: { pods: '0' } } }));
      await ok(cluster.create(pod(ns, 'first')));
      const e = await err(cluster.create(pod(ns, 'second')));
      expect(e.reason).toBe('Forbidden');
      expect(e.code).toBe(403);
      expect(e.message).toBe(
        'pods "second" is forbidden: exceeded quota: q, requested: pods=1, used: pods=1, limited: pods=1',
      );
      expect(isQuotaExceeded(e)).toBe(true);
    });

    it('resolves pod priority as the Priority admission does, and validates PriorityClasses', async () => {
      const { cluster } = ctx();
      const ns = await freshNamespace(cluster);
      // PriorityClasses are cluster-scoped: the name comes from the fresh namespace, and the class is removed after.
      const high = `contract-${ns}`;
      const classRef = {
        apiVersion: 'scheduling.k8s.io/v1',
        kind: 'PriorityClass',
        namespace: '',
        name: high,
      };
      const priorityClass = (name: string, value: number): KubeObject => ({
        apiVersion: 'scheduling.k8s.io/v1',
        kind: 'PriorityClass',
        metadata: { name },
        value,
        description: 'kubetasks contract',
      });
      const created = await ok(cluster.create(priorityClass(high, 1000)));
      try {
        expect(created['preemptionPolicy']).toBe('PreemptLowerPriority');
        const withSpec = (name: string, spec: Readonly<Record<string, unknown>>): KubeObject => {
          const p = pod(ns, name);
          return { ...p, spec: { ...(p['spec'] as Record<string, unknown>), ...spec } };
        };
        const plain = await ok(cluster.create(pod(ns, 'plain')));
        expect(plain['spec']).toMatchObject({ priority: 0, preemptionPolicy: 'PreemptLowerPriority' });
        expect(plain['spec']).not.toHaveProperty('priorityClassName');
        const named = await ok(cluster.create(withSpec('named', { priorityClassName: high })));
        expect(named['spec']).toMatchObject({ priorityClassName: high, priority: 1000 });
        const critical = await ok(
          cluster.create(withSpec('critical', { priorityClassName: 'system-node-critical' })),
        );
        expect(critical['spec']).toMatchObject({ priority: 2000001000 });
        const same = await ok(cluster.create(withSpec('same', { priorityClassName: high, priority: 1000 })));
        expect(same['spec']).toMatchObject({ priority: 1000 });

        const unknown = await err(
          cluster.create(withSpec('unknown', { priorityClassName: 'no-such-class' })),
        );
        expect([unknown.code, unknown.reason]).toEqual([403, 'Forbidden']);
        expect(unknown.message).toBe(
          'pods "unknown" is forbidden: no PriorityClass with name no-such-class was found',
        );
        const clash = await err(cluster.create(withSpec('clash', { priorityClassName: high, priority: 5 })));
        expect([clash.code, clash.reason]).toEqual([403, 'Forbidden']);
        expect(clash.message).toContain('the integer value of priority (5) must not be provided in pod spec');

        const reserved = await err(cluster.create(priorityClass('system-contract', 1)));
        expect([reserved.code, reserved.reason]).toEqual([422, 'Invalid']);
        const tooHigh = await err(cluster.create(priorityClass(`${high}-x`, 2_000_000_000)));
        expect([tooHigh.code, tooHigh.reason]).toEqual([422, 'Invalid']);
        expect(tooHigh.message).toContain('maximum allowed value of a user defined priority is 1000000000');
      } finally {
        await ok(cluster.delete(classRef));
      }
    });

    it('refuses new objects in a terminating namespace: Forbidden', async () => {
      const { cluster } = ctx();
      const ns = await freshNamespace(cluster);
      // A finalizer keeps content in the namespace, so it stays Terminating whether or not a namespace controller runs.
      await ok(cluster.create(configMap(ns, 'held', {}, { finalizers: ['kubetasks.dev/hold'] })));
      await ok(cluster.delete({ ...NAMESPACE, namespace: '', name: ns }));
      const terminating = await ok(cluster.get({ ...NAMESPACE, namespace: '', name: ns }));
      expect(terminating.metadata?.deletionTimestamp).toBeDefined();
      expect((terminating['status'] as { phase?: string }).phase).toBe('Terminating');
      const e = await err(cluster.create(configMap(ns, 'late')));
      expect(e.reason).toBe('Forbidden');
      expect(e.message).toContain(
        `unable to create new content in namespace ${ns} because it is being terminated`,
      );
    });
  });
};
