// Contract: list with label and field selectors, namespaces, ordering, and malformed selectors (BadRequest).
import { describe, expect, it } from 'vitest';
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
  type ContractAdapter,
} from './support.js';

export const selectorsContract = (ctx: () => ContractAdapter): void => {
  describe('list and selectors', () => {
    const seed = async (a: ContractAdapter, ns: string): Promise<void> => {
      const labels: Record<string, Record<string, string>> = {
        red: { color: 'red', size: 'small' },
        blue: { color: 'blue', size: 'large' },
        green: { color: 'green' },
        plain: {},
      };
      for (const [name, l] of Object.entries(labels))
        await ok(a.cluster.create(configMap(ns, name, {}, { labels: l })));
    };

    const names = async (
      a: ContractAdapter,
      ns: string,
      labelSelector?: string,
      fieldSelector?: string,
    ): Promise<string[]> => {
      const l = await ok(
        a.cluster.list(CONFIG_MAP, {
          namespace: ns,
          ...(labelSelector === undefined ? {} : { labelSelector }),
          ...(fieldSelector === undefined ? {} : { fieldSelector }),
        }),
      );
      return l.items.map((o) => o.metadata?.name ?? '');
    };

    it('lists a namespace sorted by name, with a resourceVersion to watch from', async () => {
      const a = ctx();
      const ns = await freshNamespace(a.cluster);
      await seed(a, ns);
      const list = await ok(a.cluster.list(CONFIG_MAP, { namespace: ns }));
      expect(list.items.map((o) => o.metadata?.name)).toEqual(['blue', 'green', 'plain', 'red']);
      expect(list.resourceVersion).toMatch(/^\d+$/);
      const newest = list.items.reduce((m, o) => (rvOf(o) > m ? rvOf(o) : m), 0n);
      expect(BigInt(list.resourceVersion)).toBeGreaterThanOrEqual(newest);
      for (const o of list.items) {
        expect(o.apiVersion).toBe('v1');
        expect(o.kind).toBe('ConfigMap');
      }
    });

    it('keeps namespaces apart', async () => {
      const a = ctx();
      const one = await freshNamespace(a.cluster);
      const two = await freshNamespace(a.cluster);
      await ok(a.cluster.create(configMap(one, 'x')));
      await ok(a.cluster.create(configMap(two, 'y')));
      expect(await names(a, one)).toEqual(['x']);
      expect(await names(a, two)).toEqual(['y']);
      const all = await ok(a.cluster.list(CONFIG_MAP));
      const mine = all.items.filter((o) => o.metadata?.namespace === one || o.metadata?.namespace === two);
      expect(mine.map((o) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`).sort()).toEqual(
        [`${one}/x`, `${two}/y`].sort(),
      );
    });

    it('label selectors: =, ==, !=, in, notin, exists, !exists, and conjunctions', async () => {
      const a = ctx();
      const ns = await freshNamespace(a.cluster);
      await seed(a, ns);
      expect(await names(a, ns, 'color=red')).toEqual(['red']);
      expect(await names(a, ns, 'color==blue')).toEqual(['blue']);
      expect(await names(a, ns, 'color!=red')).toEqual(['blue', 'green', 'plain']);
      expect(await names(a, ns, 'color in (red,green)')).toEqual(['green', 'red']);
      expect(await names(a, ns, 'color notin (red,green)')).toEqual(['blue', 'plain']);
      expect(await names(a, ns, 'size')).toEqual(['blue', 'red']);
      expect(await names(a, ns, '!size')).toEqual(['green', 'plain']);
      expect(await names(a, ns, 'color,size=large')).toEqual(['blue']);
      expect(await names(a, ns, '')).toEqual(['blue', 'green', 'plain', 'red']);
    });

    it('field selectors: metadata.name and pod fields, with = and !=', async () => {
      const a = ctx();
      const ns = await freshNamespace(a.cluster);
      await seed(a, ns);
      expect(await names(a, ns, undefined, 'metadata.name=green')).toEqual(['green']);
      expect(await names(a, ns, undefined, 'metadata.name!=green')).toEqual(['blue', 'plain', 'red']);
      expect(await names(a, ns, undefined, `metadata.namespace=${ns},metadata.name=red`)).toEqual(['red']);
      await ok(a.cluster.create(pod(ns, 'bound', { nodeName: 'kt-node-x' })));
      await ok(a.cluster.create(pod(ns, 'loose')));
      await ok(
        a.cluster.patchStatus(refTo(POD, ns, 'loose'), {
          type: 'merge',
          body: { status: { phase: 'Failed' } },
        }),
      );
      const pods = async (fieldSelector: string): Promise<string[]> =>
        (await ok(a.cluster.list(POD, { namespace: ns, fieldSelector }))).items.map(
          (o) => o.metadata?.name ?? '',
        );
      expect(await pods('spec.nodeName=kt-node-x')).toEqual(['bound']);
      expect(await pods('spec.nodeName=')).toEqual(['loose']);
      expect(await pods('status.phase=Failed')).toEqual(['loose']);
      expect(await pods('status.phase!=Failed')).toEqual(['bound']);
    });

    it('refuses malformed selectors and unsupported fields: BadRequest (400)', async () => {
      const a = ctx();
      const ns = await freshNamespace(a.cluster);
      const malformed = await err(
        a.cluster.list(CONFIG_MAP, { namespace: ns, labelSelector: 'color in (red' }),
      );
      expect(malformed.reason).toBe('BadRequest');
      expect(malformed.code).toBe(400);
      const badKey = await err(a.cluster.list(CONFIG_MAP, { namespace: ns, labelSelector: 'bad key=x' }));
      expect(badKey.reason).toBe('BadRequest');
      const field = await err(
        a.cluster.list(CONFIG_MAP, { namespace: ns, fieldSelector: 'spec.nodeName=x' }),
      );
      expect(field.reason).toBe('BadRequest');
      expect(field.message).toBe(
        '"spec.nodeName" is not a known field selector: only "metadata.name", "metadata.namespace"',
      );
      const custom = await err(a.cluster.list(WIDGET, { namespace: ns, fieldSelector: 'spec.size=1' }));
      expect(custom.reason).toBe('BadRequest');
      // Kinds with field-label conversions of their own word it differently.
      const pods = await err(a.cluster.list(POD, { namespace: ns, fieldSelector: 'spec.image=x' }));
      expect(pods.reason).toBe('BadRequest');
      expect(pods.message).toContain('field label not supported: spec.image');
    });
  });
};
