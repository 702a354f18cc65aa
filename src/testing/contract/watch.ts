// Contract: watch ordering, resume from a resourceVersion, selector transitions, bookmarks and Expired/Timeout.
import { describe, expect, it } from 'vitest';
import { isResourceExpired } from '../../domain/api-error.js';
import type { WatchEvent } from '../../ports/cluster.js';
import {
  CONFIG_MAP,
  configMap,
  freshNamespace,
  nameIn,
  ok,
  refTo,
  rvOf,
  traceOf,
  watchError,
  watchOf,
  type ContractAdapter,
} from './support.js';

const objectRv = (e: WatchEvent): bigint =>
  e.type === 'ADDED' || e.type === 'MODIFIED' || e.type === 'DELETED' ? rvOf(e.object) : 0n;

export const watchContract = (ctx: () => ContractAdapter): void => {
  describe('watch', () => {
    it('delivers ADDED, MODIFIED, DELETED in resourceVersion order from a list version', async () => {
      const a = ctx();
      const ns = await freshNamespace(a.cluster);
      const list = await ok(a.cluster.list(CONFIG_MAP, { namespace: ns }));
      const watch = await watchOf(a, CONFIG_MAP, { namespace: ns, resourceVersion: list.resourceVersion });
      const c = await ok(a.cluster.create(configMap(ns, 'a')));
      const u = await ok(a.cluster.update({ ...c, data: { k: 'x' } }));
      await ok(a.cluster.delete(refTo(CONFIG_MAP, ns, 'a')));
      const events = await watch.until((e) => e.type === 'DELETED');
      watch.stop();
      expect(traceOf(events)).toEqual(['ADDED a', 'MODIFIED a', 'DELETED a']);
      const rvs = events.map(objectRv);
      expect(rvs[0]).toBe(rvOf(c));
      expect(rvs[1]).toBe(rvOf(u));
      expect(rvs[2]).toBeGreaterThan(rvOf(u));
      expect(events[1]?.type === 'MODIFIED' && events[1].object['data']).toEqual({ k: 'x' });
    });

    it('starts with the current objects when no resourceVersion is given', async () => {
      const a = ctx();
      const ns = await freshNamespace(a.cluster);
      await ok(a.cluster.create(configMap(ns, 'one')));
      await ok(a.cluster.create(configMap(ns, 'two')));
      const watch = await watchOf(a, CONFIG_MAP, { namespace: ns });
      const initial = [await watch.next(), await watch.next()];
      expect(initial.map((e) => e.type)).toEqual(['ADDED', 'ADDED']);
      expect(initial.map(nameIn).sort()).toEqual(['one', 'two']);
      await ok(a.cluster.create(configMap(ns, 'three')));
      expect(traceOf([await watch.next()])).toEqual(['ADDED three']);
      watch.stop();
    });

    it('resumes after a resourceVersion without replaying what came before', async () => {
      const a = ctx();
      const ns = await freshNamespace(a.cluster);
      await ok(a.cluster.create(configMap(ns, 'before')));
      const mark = await ok(a.cluster.create(configMap(ns, 'mark')));
      await ok(a.cluster.create(configMap(ns, 'after')));
      await ok(a.cluster.delete(refTo(CONFIG_MAP, ns, 'before')));
      await ok(a.cluster.create(configMap(ns, 'sentinel')));
      const watch = await watchOf(a, CONFIG_MAP, {
        namespace: ns,
        resourceVersion: mark.metadata?.resourceVersion ?? '',
      });
      const events = await watch.until((e) => nameIn(e) === 'sentinel');
      watch.stop();
      expect(traceOf(events)).toEqual(['ADDED after', 'DELETED before', 'ADDED sentinel']);
    });

    it('turns selector transitions into ADDED and DELETED', async () => {
      const a = ctx();
      const ns = await freshNamespace(a.cluster);
      const list = await ok(a.cluster.list(CONFIG_MAP, { namespace: ns }));
      const watch = await watchOf(a, CONFIG_MAP, {
        namespace: ns,
        labelSelector: 'team=a',
        resourceVersion: list.resourceVersion,
      });
      const x = await ok(a.cluster.create(configMap(ns, 'x', {}, { labels: { team: 'b' } })));
      const joined = await ok(a.cluster.update({ ...x, metadata: { ...x.metadata, labels: { team: 'a' } } }));
      const edited = await ok(a.cluster.update({ ...joined, data: { k: 'edited' } }));
      const left = await ok(
        a.cluster.update({ ...edited, metadata: { ...edited.metadata, labels: { team: 'c' } } }),
      );
      await ok(a.cluster.create(configMap(ns, 'sentinel', {}, { labels: { team: 'a' } })));
      const events = await watch.until((e) => nameIn(e) === 'sentinel');
      watch.stop();
      expect(traceOf(events)).toEqual(['ADDED x', 'MODIFIED x', 'DELETED x', 'ADDED sentinel']);
      expect(objectRv(events[2] as WatchEvent)).toBe(rvOf(left));
    });

    it('keeps other namespaces out of a namespaced watch', async () => {
      const a = ctx();
      const ns = await freshNamespace(a.cluster);
      const other = await freshNamespace(a.cluster);
      const list = await ok(a.cluster.list(CONFIG_MAP, { namespace: ns }));
      const watch = await watchOf(a, CONFIG_MAP, { namespace: ns, resourceVersion: list.resourceVersion });
      await ok(a.cluster.create(configMap(other, 'elsewhere')));
      await ok(a.cluster.create(configMap(ns, 'here')));
      expect(traceOf([await watch.next()])).toEqual(['ADDED here']);
      watch.stop();
    });

    it('gives every watcher the same events in the same order', async () => {
      const a = ctx();
      const ns = await freshNamespace(a.cluster);
      const list = await ok(a.cluster.list(CONFIG_MAP, { namespace: ns }));
      const one = await watchOf(a, CONFIG_MAP, { namespace: ns, resourceVersion: list.resourceVersion });
      const two = await watchOf(a, CONFIG_MAP, { namespace: ns, resourceVersion: list.resourceVersion });
      for (const n of ['a', 'b', 'c']) await ok(a.cluster.create(configMap(ns, n)));
      await ok(a.cluster.delete(refTo(CONFIG_MAP, ns, 'b')));
      const done = (e: WatchEvent): boolean => e.type === 'DELETED';
      const first = await one.until(done);
      const second = await two.until(done);
      one.stop();
      two.stop();
      expect(traceOf(first)).toEqual(['ADDED a', 'ADDED b', 'ADDED c', 'DELETED b']);
      expect(first.map(objectRv)).toEqual(second.map(objectRv));
    });

    it('sends initial events then an initial-events-end BOOKMARK when asked', async () => {
      const a = ctx();
      const ns = await freshNamespace(a.cluster);
      await ok(a.cluster.create(configMap(ns, 'old')));
      const watch = await watchOf(a, CONFIG_MAP, {
        namespace: ns,
        sendInitialEvents: true,
        allowBookmarks: true,
      });
      const events = await watch.until((e) => e.type === 'BOOKMARK' && e.initialEventsEnd === true);
      expect(traceOf(events)).toEqual(['ADDED old', 'BOOKMARK']);
      const bookmark = events[1];
      expect(bookmark?.type === 'BOOKMARK' && BigInt(bookmark.resourceVersion)).toBeGreaterThanOrEqual(
        objectRv(events[0] as WatchEvent),
      );
      await ok(a.cluster.create(configMap(ns, 'new')));
      const later = await watch.until((e) => e.type !== 'BOOKMARK');
      expect(traceOf(later.filter((e) => e.type !== 'BOOKMARK'))).toEqual(['ADDED new']);
      watch.stop();
    });

    it('ends cleanly on stop()', async () => {
      const a = ctx();
      const ns = await freshNamespace(a.cluster);
      const stream = await ok(a.cluster.watch(CONFIG_MAP, { namespace: ns }));
      stream.stop();
      const seen: WatchEvent[] = [];
      for await (const e of stream) seen.push(e);
      expect(seen).toEqual([]);
    });

    it('answers a resourceVersion too old to resume from with Expired (410): re-list', async () => {
      const a = ctx();
      const ns = await freshNamespace(a.cluster);
      const e = await watchError(a, CONFIG_MAP, { namespace: ns, resourceVersion: '1' });
      expect(e.code).toBe(410);
      expect(isResourceExpired(e)).toBe(true);
    });

    it('refuses a malformed selector: BadRequest', async () => {
      const a = ctx();
      const ns = await freshNamespace(a.cluster);
      const e = await watchError(a, CONFIG_MAP, { namespace: ns, labelSelector: 'x in (' });
      expect(e.reason).toBe('BadRequest');
    });
  });
};
