// Contract: merge, strategic merge and JSON patches, their preconditions and the pod spec's immutability.
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
  widget,
  type ContractAdapter,
} from './support.js';

/** The patch suite of the cluster contract: what each patch type does, and what it refuses. */
export const patchContract = (ctx: () => ContractAdapter): void => {
  describe('patch', () => {
    it('merge patch: maps merge, lists are replaced, null deletes', async () => {
      const { cluster } = ctx();
      const ns = await freshNamespace(cluster);
      await ok(
        cluster.create(
          widget(ns, 'w', { size: 1, tags: ['a', 'b'], keep: true }, { labels: { one: '1', two: '2' } }),
        ),
      );
      const p = await ok(
        cluster.patch(refTo(WIDGET, ns, 'w'), {
          type: 'merge',
          body: { metadata: { labels: { two: null, three: '3' } }, spec: { tags: ['c'], size: 5 } },
        }),
      );
      expect(p.metadata?.labels).toEqual({ one: '1', three: '3' });
      expect(p['spec']).toEqual({ size: 5, tags: ['c'], keep: true });
      expect(p.metadata?.generation).toBe(2);
    });

    it('strategic merge patch on a pod: containers and env merge by name, $patch delete removes', async () => {
      const { cluster } = ctx();
      const ns = await freshNamespace(cluster);
      await ok(cluster.create(pod(ns, 'p')));
      const p = await ok(
        cluster.patch(refTo(POD, ns, 'p'), {
          type: 'strategic',
          body: { spec: { containers: [{ name: 'main', image: 'busybox:1.37' }] } },
        }),
      );
      const spec = p['spec'] as {
        containers: Array<{ name: string; image: string; env?: Array<{ name: string }> }>;
      };
      expect(spec.containers).toHaveLength(1);
      expect(spec.containers[0]?.image).toBe('busybox:1.37');
      expect(spec.containers[0]?.env?.map((e) => e.name)).toEqual(['A']);
      expect(p.metadata?.generation).toBe(2);
      const q = await ok(
        cluster.patch(refTo(POD, ns, 'p'), {
          type: 'strategic',
          body: { metadata: { labels: { x: 'y' }, finalizers: ['kubetasks.dev/a'] } },
        }),
      );
      expect(q.metadata?.finalizers).toEqual(['kubetasks.dev/a']);
      const r = await ok(
        cluster.patch(refTo(POD, ns, 'p'), {
          type: 'strategic',
          body: { metadata: { finalizers: ['kubetasks.dev/b'] } },
        }),
      );
      // finalizers is a set under strategic merge: the patch adds to it, its own items first (apimachinery's order).
      expect(r.metadata?.finalizers).toEqual(['kubetasks.dev/b', 'kubetasks.dev/a']);
      const s = await ok(
        cluster.patch(refTo(POD, ns, 'p'), {
          type: 'strategic',
          body: {
            metadata: { '$deleteFromPrimitiveList/finalizers': ['kubetasks.dev/a', 'kubetasks.dev/b'] },
          },
        }),
      );
      expect(s.metadata?.finalizers ?? []).toEqual([]);
    });

    it('strategic merge patch status: conditions merge by type', async () => {
      const { cluster } = ctx();
      const ns = await freshNamespace(cluster);
      await ok(cluster.create(pod(ns, 'p')));
      const at = '2026-01-01T00:00:00Z';
      await ok(
        cluster.patchStatus(refTo(POD, ns, 'p'), {
          type: 'strategic',
          body: { status: { conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: at }] } },
        }),
      );
      const p = await ok(
        cluster.patchStatus(refTo(POD, ns, 'p'), {
          type: 'strategic',
          body: { status: { conditions: [{ type: 'Initialized', status: 'True', lastTransitionTime: at }] } },
        }),
      );
      const types = ((p['status'] as { conditions?: Array<{ type: string }> }).conditions ?? []).map(
        (c) => c.type,
      );
      expect([...types].sort()).toEqual(['Initialized', 'Ready']);
    });

    it('refuses strategic merge patch on a custom resource: UnsupportedMediaType (415)', async () => {
      const { cluster } = ctx();
      const ns = await freshNamespace(cluster);
      await ok(cluster.create(widget(ns, 'w')));
      const e = await err(
        cluster.patch(refTo(WIDGET, ns, 'w'), { type: 'strategic', body: { spec: { size: 2 } } }),
      );
      expect(e.code).toBe(415);
      expect(e.reason).toBe('UnsupportedMediaType');
    });

    it('JSON patch applies operations, and a failed test operation changes nothing: Invalid (422)', async () => {
      const { cluster } = ctx();
      const ns = await freshNamespace(cluster);
      await ok(cluster.create(configMap(ns, 'a', { k: 'v' })));
      const p = await ok(
        cluster.patch(refTo(CONFIG_MAP, ns, 'a'), {
          type: 'json',
          body: [
            { op: 'test', path: '/data/k', value: 'v' },
            { op: 'add', path: '/data/n', value: '2' },
          ],
        }),
      );
      expect(p['data']).toEqual({ k: 'v', n: '2' });
      const e = await err(
        cluster.patch(refTo(CONFIG_MAP, ns, 'a'), {
          type: 'json',
          body: [
            { op: 'test', path: '/data/k', value: 'other' },
            { op: 'remove', path: '/data/k' },
          ],
        }),
      );
      expect(e.code).toBe(422);
      const after = await ok(cluster.get(refTo(CONFIG_MAP, ns, 'a')));
      expect(after['data']).toEqual({ k: 'v', n: '2' });
    });

    it('keys named like Object.prototype members are ordinary fields: create, merge patch, JSON patch', async () => {
      const { cluster } = ctx();
      const ns = await freshNamespace(cluster);
      // Parsed, as a task file or a response body would be: `__proto__` is then an own key, not the prototype.
      const spec = JSON.parse('{"__proto__":{"a":1},"constructor":"c","toString":[1]}') as Record<
        string,
        unknown
      >;
      const created = await ok(cluster.create(widget(ns, 'w', spec)));
      expect(created['spec']).toEqual(spec);
      const merged = await ok(
        cluster.patch(refTo(WIDGET, ns, 'w'), {
          type: 'merge',
          body: JSON.parse('{"spec":{"__proto__":{"b":2},"constructor":null,"valueOf":{}}}') as unknown,
        }),
      );
      expect(merged['spec']).toEqual(JSON.parse('{"__proto__":{"a":1,"b":2},"toString":[1],"valueOf":{}}'));
      const patched = await ok(
        cluster.patch(refTo(WIDGET, ns, 'w'), {
          type: 'json',
          body: [
            { op: 'add', path: '/spec/__proto__/c', value: 3 },
            { op: 'remove', path: '/spec/toString' },
          ],
        }),
      );
      expect(patched['spec']).toEqual(JSON.parse('{"__proto__":{"a":1,"b":2,"c":3},"valueOf":{}}'));
      const missing = await err(
        cluster.patch(refTo(WIDGET, ns, 'w'), {
          type: 'json',
          body: [{ op: 'remove', path: '/spec/hasOwnProperty' }],
        }),
      );
      expect(missing.code).toBe(422);
      const after = await ok(cluster.get(refTo(WIDGET, ns, 'w')));
      expect(JSON.stringify(after['spec'])).toContain('"__proto__":{');
      expect(after['spec']).toEqual(patched['spec']);
    });

    it('a patch carrying a stale resourceVersion is refused: Conflict', async () => {
      const { cluster } = ctx();
      const ns = await freshNamespace(cluster);
      const a = await ok(cluster.create(configMap(ns, 'a')));
      await ok(cluster.update({ ...a, data: { k: 'moved' } }));
      const e = await err(
        cluster.patch(refTo(CONFIG_MAP, ns, 'a'), {
          type: 'merge',
          body: { metadata: { resourceVersion: a.metadata?.resourceVersion }, data: { k: 'stale' } },
        }),
      );
      expect(e.reason).toBe('Conflict');
    });

    it('reports a patch of a missing object as NotFound', async () => {
      const { cluster } = ctx();
      const ns = await freshNamespace(cluster);
      const e = await err(
        cluster.patch(refTo(CONFIG_MAP, ns, 'ghost'), { type: 'merge', body: { data: {} } }),
      );
      expect(e.reason).toBe('NotFound');
    });

    it('keeps a pod spec immutable except images: Invalid for other changes', async () => {
      const { cluster } = ctx();
      const ns = await freshNamespace(cluster);
      await ok(cluster.create(pod(ns, 'p')));
      const e = await err(
        cluster.patch(refTo(POD, ns, 'p'), { type: 'merge', body: { spec: { restartPolicy: 'Always' } } }),
      );
      expect(e.reason).toBe('Invalid');
      const node = await err(
        cluster.patch(refTo(POD, ns, 'p'), { type: 'merge', body: { spec: { nodeName: 'somewhere' } } }),
      );
      expect(node.reason).toBe('Invalid');
    });
  });
};
