// The manager's shared informers: one per watched kind, the kinds the cluster does not serve, and cache reads.
import * as E from 'fp-ts/lib/Either.js';
import { gvkKey, type GroupVersionKind, type KubeObject } from '../domain/kubernetes.js';
import type { ObjectRef } from '../domain/lifecycle/state.js';
import { MANAGED_LABEL } from '../domain/object-metadata.js';
import type { Clock } from '../ports/clock.js';
import type { ClusterPort } from '../ports/cluster.js';
import type { Logger } from '../ports/logger.js';
import type { Metrics } from '../ports/metrics.js';
import { Informer, type InformerEvent } from './informer.js';

/** What the informers run on, and who hears their events. */
export interface KindInformersOptions {
  readonly cluster: ClusterPort;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly random: () => number;
  /** Watch only this namespace; all namespaces when absent. */
  readonly namespace?: string;
  /** Every event of every informer, with its kind's key. */
  readonly onEvent: (kindKey: string, e: InformerEvent) => void;
}

/**
 * Objects are read only from these caches, one informer per kind shared by every task: there is no GET per task.
 * They watch only objects with the managed label.
 */
export class KindInformers {
  private readonly informers = new Map<string, Informer>();
  /** Kinds the cluster did not serve at start. */
  private readonly unserved = new Set<string>();

  constructor(private readonly opts: KindInformersOptions) {}

  /** The informer of a kind, made (not started) on first use. */
  informerFor(kind: GroupVersionKind): Informer {
    const key = gvkKey(kind);
    const existing = this.informers.get(key);
    if (existing !== undefined) return existing;
    const informer = new Informer({
      cluster: this.opts.cluster,
      clock: this.opts.clock,
      kind,
      selection: {
        labelSelector: `${MANAGED_LABEL}=true`,
        ...(this.opts.namespace === undefined ? {} : { namespace: this.opts.namespace }),
      },
      logger: this.opts.logger,
      metrics: this.opts.metrics,
      random: this.opts.random,
    });
    informer.onEvent((e) => {
      this.opts.onEvent(key, e);
    });
    this.informers.set(key, informer);
    return informer;
  }

  /** The informer of a kind, if one was made. */
  existing(kind: GroupVersionKind): Informer | undefined {
    return this.informers.get(gvkKey(kind));
  }

  /**
   * Starts an informer for every kind the cluster serves and records the others (a CRD plugin whose CRD is not
   * installed would keep its informer from ever syncing). Resolves with the kinds not served.
   */
  async start(kinds: ReadonlyArray<GroupVersionKind>): Promise<ReadonlyArray<GroupVersionKind>> {
    const served = await Promise.all(kinds.map((k) => this.isServed(k)));
    const missing = kinds.filter((_, i) => served[i] === false);
    for (const k of missing) this.unserved.add(gvkKey(k));
    await Promise.all(kinds.filter((_, i) => served[i] !== false).map((k) => this.informerFor(k).start()));
    return missing;
  }

  /** Whether the cluster did not serve the kind at start. */
  isUnserved(kind: GroupVersionKind): boolean {
    return this.unserved.has(gvkKey(kind));
  }

  /** The object as the watch cache holds it. */
  cached(ref: ObjectRef): KubeObject | undefined {
    return this.informers.get(gvkKey(ref))?.get(ref.namespace, ref.name);
  }

  /** Every informer made so far, with its kind's key (the key `onEvent` names). */
  entries(): ReadonlyArray<readonly [string, Informer]> {
    return [...this.informers.entries()];
  }

  /** Whether the watch cache has held the object at some point (so its absence now means it is gone). */
  hasSeen(ref: ObjectRef): boolean {
    return this.informers.get(gvkKey(ref))?.hasSeen(ref.namespace, ref.name) === true;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
  }

  /** Whether the cluster serves a kind; an error asking (no discovery access) counts as served. */
  private async isServed(kind: GroupVersionKind): Promise<boolean> {
    const r = await this.opts.cluster.serves(kind)();
    return E.isLeft(r) || r.right;
  }
}
