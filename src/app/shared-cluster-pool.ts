// Interpreter of the shared-cluster pool: runs poolStep's commands against the cluster port, clock and task queue.
import * as E from 'fp-ts/lib/Either.js';
import * as O from 'fp-ts/lib/Option.js';
import { gvkKey, type KubeObject } from '../domain/kubernetes.js';
import { MANAGED_LABEL } from '../domain/object-metadata.js';
import type { Observation } from '../domain/lifecycle/protocol.js';
import {
  emptyPool,
  poolStep,
  type Pool,
  type PoolCommand,
  type PoolEvent,
} from '../domain/lifecycle/shared-clusters.js';
import type { ObjectRef } from '../domain/lifecycle/state.js';
import type { PlatformConfig } from '../domain/platform-config.js';
import type { SharedClusterSupport } from '../domain/plugin.js';
import type { CancelTimer, Clock } from '../ports/clock.js';
import type { ApiError } from '../domain/api-error.js';
import type { ClusterPort } from '../ports/cluster.js';
import type { Logger } from '../ports/logger.js';
import type { Metrics } from '../ports/metrics.js';
import type { Informer } from './informer.js';

/** Label on every shared cluster kubetasks creates. */
export const SHARED_CLUSTER_LABEL = 'kubetasks.dev/shared-cluster';

export interface SharedClusterPoolOptions {
  readonly cluster: ClusterPort;
  readonly clock: Clock;
  readonly config: PlatformConfig;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** The manager's shared informer for a kind. */
  readonly informerFor: (kind: SharedClusterSupport['kind']) => Informer;
  /** Hands an observation to a task's queue. */
  readonly tell: (taskId: string, o: Observation) => void;
}

const refOf = (o: KubeObject): ObjectRef => ({
  apiVersion: o.apiVersion,
  kind: o.kind,
  namespace: o.metadata?.namespace ?? '',
  name: o.metadata?.name ?? '',
});

const key = (ref: ObjectRef): string => `${gvkKey(ref)}|${ref.namespace}/${ref.name}`;

const isShared = (o: KubeObject): boolean => o.metadata?.labels?.[SHARED_CLUSTER_LABEL] === 'true';

/** One pool for every shared-cluster plugin; pool state is in memory and rebuilt from tasks and the cache on start. */
export class SharedClusterPool {
  private pool: Pool = emptyPool;
  private readonly supports = new Map<string, SharedClusterSupport>();
  private readonly timers = new Map<string, CancelTimer>();

  constructor(private readonly opts: SharedClusterPoolOptions) {}

  /** Watches the cluster kind of a plugin; clusters already in the cache with no holder start idle. */
  async register(support: SharedClusterSupport): Promise<void> {
    const k = gvkKey(support.kind);
    if (this.supports.has(k)) return;
    this.supports.set(k, support);
    const informer = this.opts.informerFor(support.kind);
    informer.onEvent((e) => {
      if (!isShared(e.object)) return;
      if (e.type === 'delete') this.dispatch({ _tag: 'Gone', ref: refOf(e.object) });
      else this.observed(support, e.object);
    });
    await informer.start();
    for (const o of informer.list()) if (isShared(o)) this.observed(support, o);
  }

  acquire(taskId: string, ref: ObjectRef, manifest: KubeObject): void {
    this.dispatch({ _tag: 'Acquire', taskId, ref, manifest });
  }

  release(taskId: string, ref: ObjectRef): void {
    this.dispatch({ _tag: 'Release', taskId, ref });
  }

  stop(): void {
    for (const c of this.timers.values()) c();
    this.timers.clear();
  }

  /** The pool's view, for tests and diagnostics. */
  get clusters(): Pool {
    return this.pool;
  }

  private observed(support: SharedClusterSupport, o: KubeObject): void {
    let ready = false;
    let failure: string | undefined;
    try {
      ready = support.isReady(o);
      const f = support.failure(o);
      failure = O.isSome(f) ? f.value : undefined;
    } catch (e) {
      this.opts.logger.warn('shared cluster readiness check failed', { error: String(e) });
    }
    this.dispatch({
      _tag: 'Observed',
      ref: refOf(o),
      object: o,
      ready,
      ...(failure === undefined ? {} : { failure }),
    });
  }

  private dispatch(e: PoolEvent): void {
    const support = this.supports.get(gvkKey(e.ref));
    const idleTtl = support === undefined ? 0 : support.idleTtl(this.opts.config);
    const r = poolStep(this.pool, e, { now: this.opts.clock.now(), idleTtl });
    this.pool = r.pool;
    for (const c of r.commands) this.run(c);
  }

  private run(c: PoolCommand): void {
    switch (c._tag) {
      case 'NotifyReady':
        for (const t of c.taskIds) this.opts.tell(t, { _tag: 'SharedClusterReady', ref: c.ref });
        return;
      case 'NotifyFailed':
        for (const t of c.taskIds)
          this.opts.tell(t, { _tag: 'SharedClusterFailed', ref: c.ref, message: c.message });
        return;
      case 'ScheduleIdleTimer': {
        const k = key(c.ref);
        this.timers.get(k)?.();
        this.timers.set(
          k,
          this.opts.clock.setTimer(Math.max(0, c.at - this.opts.clock.now()), () => {
            this.timers.delete(k);
            this.dispatch({ _tag: 'IdleTimerFired', ref: c.ref });
          }),
        );
        return;
      }
      case 'CreateCluster': {
        // Shared: no owner reference and no finalizer, so it outlives every task that uses it.
        const labelled: KubeObject = {
          ...c.manifest,
          metadata: {
            ...c.manifest.metadata,
            namespace: c.ref.namespace,
            name: c.ref.name,
            labels: {
              ...c.manifest.metadata?.labels,
              [MANAGED_LABEL]: 'true',
              [SHARED_CLUSTER_LABEL]: 'true',
            },
          },
        };
        const { ownerReferences: _o, finalizers: _f, ...meta } = labelled.metadata ?? {};
        void this.opts.cluster
          .create({ ...labelled, metadata: meta })()
          .then((r) => {
            this.count('create', r);
            this.dispatch({ _tag: 'CreateAnswered', ref: c.ref, ...(E.isLeft(r) ? { error: r.left } : {}) });
          });
        return;
      }
      case 'DeleteCluster':
        void this.opts.cluster
          .delete(c.ref, {
            propagationPolicy: 'Background',
            ...(c.uid === undefined ? {} : { preconditions: { uid: c.uid } }),
          })()
          .then((r) => {
            this.count('delete', r);
            this.dispatch({ _tag: 'DeleteAnswered', ref: c.ref, ...(E.isLeft(r) ? { error: r.left } : {}) });
          });
        return;
    }
  }

  private count(verb: string, r: E.Either<ApiError, unknown>): void {
    this.opts.metrics.increment('kubetasks_cluster_requests_total', {
      verb,
      code: E.isRight(r) ? '200' : String(r.left.code),
    });
    if (E.isRight(r)) this.opts.metrics.increment('kubetasks_shared_cluster_operations_total', { verb });
  }
}
