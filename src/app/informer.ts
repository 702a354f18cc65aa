// A shared informer: one list+watch per kind, a local cache, and change notifications; it survives watch failures.
import * as E from 'fp-ts/lib/Either.js';
import { isResourceExpired } from '../domain/api-error.js';
import type { GroupVersionKind, KubeObject } from '../domain/kubernetes.js';
import { delay } from '../domain/lifecycle/backoff.js';
import type { Clock } from '../ports/clock.js';
import type { ClusterPort, Selection, WatchStream } from '../ports/cluster.js';
import { silentLogger, type Logger } from '../ports/logger.js';
import { noopMetrics, type Metrics } from '../ports/metrics.js';

export type InformerEvent =
  | { readonly type: 'upsert'; readonly object: KubeObject }
  | { readonly type: 'delete'; readonly object: KubeObject };

export interface InformerOptions {
  readonly cluster: ClusterPort;
  readonly clock: Clock;
  readonly kind: GroupVersionKind;
  readonly selection?: Selection;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
  readonly random?: () => number;
}

export const keyOf = (namespace: string | undefined, name: string): string => `${namespace ?? ''}/${name}`;

export const objectKey = (o: KubeObject): string => keyOf(o.metadata?.namespace, o.metadata?.name ?? '');

/**
 * The back-off between tries to list or watch again. Capped at 5 s, not client-go's 30 s: through an API server
 * restart the tries grow to the cap, and the next one after the server's return is when the controller sees its
 * objects again, so the cap is how long it may go on not seeing them (test/cluster/controller-restart.test.ts: the
 * controller's first status write came 6 s after a 17.6 s restart ended with a 30 s cap, 0.3 s after a 20.6 s one with
 * 5 s). A try every 5 s from each of a process's few informers is no load.
 */
const RECONNECT = { 'base-duration': 200, 'max-duration': 5_000, jitter: 0.5 };

/**
 * Lists once, then watches from the list's resourceVersion. A watch that ends is resumed from the last version
 * seen (so no event is lost); a 410 Gone re-lists and reconciles the cache (deletes for objects that vanished
 * meanwhile); errors back off with jitter. The cache is the only read path of the plugin manager: it never GETs
 * an object per task.
 */
export class Informer {
  private readonly cache = new Map<string, KubeObject>();
  /** Keys of the cached objects by namespace, for related-resource queries. */
  private readonly namespaces = new Map<string, Set<string>>();
  private readonly everSeen = new Set<string>();
  private readonly handlers = new Set<(e: InformerEvent) => void>();
  private stream: WatchStream | undefined;
  private stopped = false;
  private resourceVersion = '';
  private failures = 0;
  private syncedFlag = false;
  private readonly syncWaiters: Array<() => void> = [];
  private loop: Promise<void> | undefined;
  private readonly logger: Logger;
  private readonly metrics: Metrics;

  constructor(private readonly opts: InformerOptions) {
    this.logger = (opts.logger ?? silentLogger).child({
      informer: `${opts.kind.apiVersion}/${opts.kind.kind}`,
    });
    this.metrics = opts.metrics ?? noopMetrics;
  }

  /** Starts listing and watching; resolves once the first list is in the cache. */
  start(): Promise<void> {
    this.loop ??= this.run();
    return this.synced();
  }

  /** Resolves when the cache holds a full list. */
  synced(): Promise<void> {
    return this.syncedFlag ? Promise.resolve() : new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  /**
   * Whether the first list has reached the cache: until then a missing object may simply not have been listed
   * yet, so a caller must not take absence for deletion.
   */
  get isSynced(): boolean {
    return this.syncedFlag;
  }

  /**
   * Ends the watch and the reconnect loop; resolves once the loop has exited, so no handler runs after it.
   * The cache keeps its last contents.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stream?.stop();
    await this.loop;
  }

  /**
   * Subscribes to changes of the cache, called synchronously after each change is applied (so `get` inside a
   * handler already sees it). A re-list after a lost watch reports the deletes it missed. Returns the
   * function that unsubscribes.
   */
  onEvent(handler: (e: InformerEvent) => void): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  /**
   * The cached object, as of the last event seen; `undefined` when it is not (or not yet) in the cache. No
   * request is sent.
   */
  get(namespace: string | undefined, name: string): KubeObject | undefined {
    return this.cache.get(keyOf(namespace, name));
  }

  /** Whether the cache ever held the object: only then does its absence mean it is gone. */
  hasSeen(namespace: string | undefined, name: string): boolean {
    return this.everSeen.has(keyOf(namespace, name));
  }

  /** Every cached object, a snapshot copy in no particular order. */
  list(): ReadonlyArray<KubeObject> {
    return [...this.cache.values()];
  }

  /** The cached objects of one namespace. */
  inNamespace(namespace: string): ReadonlyArray<KubeObject> {
    const keys = this.namespaces.get(namespace);
    if (keys === undefined) return [];
    const out: KubeObject[] = [];
    for (const k of keys) {
      const o = this.cache.get(k);
      if (o !== undefined) out.push(o);
    }
    return out;
  }

  /** Objects in the cache, for metrics and tests. */
  get size(): number {
    return this.cache.size;
  }

  private emit(e: InformerEvent): void {
    for (const h of this.handlers) h(e);
  }

  private upsert(o: KubeObject): void {
    const key = objectKey(o);
    if (!this.cache.has(key)) {
      const ns = o.metadata?.namespace ?? '';
      const keys = this.namespaces.get(ns) ?? new Set<string>();
      keys.add(key);
      this.namespaces.set(ns, keys);
    }
    this.cache.set(key, o);
    this.everSeen.add(key);
    this.emit({ type: 'upsert', object: o });
  }

  private remove(o: KubeObject): void {
    const key = objectKey(o);
    const last = this.cache.get(key) ?? o;
    this.cache.delete(key);
    const ns = last.metadata?.namespace ?? '';
    const keys = this.namespaces.get(ns);
    keys?.delete(key);
    if (keys?.size === 0) this.namespaces.delete(ns);
    this.everSeen.add(key);
    this.emit({ type: 'delete', object: last });
  }

  private async backoff(): Promise<void> {
    this.failures++;
    const ms = delay(RECONNECT, this.failures, (this.opts.random ?? (() => 0.5))());
    await this.opts.clock.sleep(ms)();
  }

  private async relist(): Promise<boolean> {
    this.metrics.increment('kubetasks_informer_lists_total', { kind: this.opts.kind.kind });
    const r = await this.opts.cluster.list(this.opts.kind, this.opts.selection)();
    if (E.isLeft(r)) {
      this.logger.warn('list failed', { reason: r.left.reason, message: r.left.message });
      return false;
    }
    const fresh = new Set<string>();
    for (const o of r.right.items) {
      fresh.add(objectKey(o));
      const old = this.cache.get(objectKey(o));
      if (old?.metadata?.resourceVersion !== o.metadata?.resourceVersion) this.upsert(o);
    }
    for (const [key, o] of [...this.cache]) if (!fresh.has(key)) this.remove(o);
    this.resourceVersion = r.right.resourceVersion;
    if (!this.syncedFlag) {
      this.syncedFlag = true;
      for (const w of this.syncWaiters.splice(0)) w();
    }
    return true;
  }

  private async run(): Promise<void> {
    let needList = true;
    while (!this.stopped) {
      if (needList) {
        if (!(await this.relist())) {
          await this.backoff();
          continue;
        }
        needList = false;
      }
      this.metrics.increment('kubetasks_informer_watches_total', { kind: this.opts.kind.kind });
      const w = await this.opts.cluster.watch(this.opts.kind, {
        ...this.opts.selection,
        resourceVersion: this.resourceVersion,
        allowBookmarks: true,
      })();
      if (E.isLeft(w)) {
        needList = isResourceExpired(w.left);
        if (!needList) await this.backoff();
        continue;
      }
      this.stream = w.right;
      if (this.stopped) w.right.stop();
      try {
        for await (const ev of w.right) {
          this.failures = 0;
          if (ev.type === 'ERROR') {
            needList = isResourceExpired(ev.error);
            if (!needList) this.logger.warn('watch error', { reason: ev.error.reason });
            break;
          }
          if (ev.type === 'BOOKMARK') {
            this.resourceVersion = ev.resourceVersion;
            continue;
          }
          this.resourceVersion = ev.object.metadata?.resourceVersion ?? this.resourceVersion;
          if (ev.type === 'DELETED') this.remove(ev.object);
          else this.upsert(ev.object);
        }
      } catch (e) {
        this.logger.warn('watch stream failed', { error: String(e) });
        await this.backoff();
      } finally {
        this.stream = undefined;
      }
    }
  }
}
