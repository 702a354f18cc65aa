// The simulated kubelet's runtime: its pod workers, their timers, one ordered write queue, events and status writes.
import * as E from 'fp-ts/lib/Either.js';
import type { Pod } from '../../domain/kubernetes.js';
import { formatInstant, type Duration } from '../../domain/time.js';
import { isNotFound, isRetryable, showApiError } from '../../domain/api-error.js';
import type { CancelTimer, Clock } from '../../ports/clock.js';
import type { ClusterPort, ObjectRef } from '../../ports/cluster.js';
import type { EventRecorder, EventType } from '../../ports/events.js';
import type { Logger } from '../../ports/logger.js';
import type { Metrics } from '../../ports/metrics.js';
import type { PodPlan } from './scenarios.js';
import { deriveConditions, toStatusPatch, type PodSim } from './status.js';

/** How long before a write refused by a transient error (API server down, overloaded) is tried again. */
export const WRITE_RETRY_MS = 1000;

/** One pod the kubelet runs: its plan, its simulated state and its pending timers. */
export interface Worker {
  readonly uid: string;
  readonly ref: ObjectRef;
  readonly plan: PodPlan;
  readonly sim: PodSim;
  pod: Pod;
  readonly timers: Set<CancelTimer>;
  stage: 'active' | 'terminating' | 'idle' | 'confirmed';
  backoff: Duration;
}

/** What the runtime is built from. */
export interface RuntimeOptions {
  readonly cluster: ClusterPort;
  readonly clock: Clock;
  readonly events: EventRecorder;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/**
 * The kubelet's I/O, shared by its stages and its scheduler: timers that die with their worker (or with the
 * kubelet), writes that reach the cluster in the order they were made, and the status writer that retries.
 */
export interface KubeletRuntime extends RuntimeOptions {
  /** The pods being run, by uid. */
  readonly workers: Map<string, Worker>;
  readonly stopped: () => boolean;
  /** Stops everything: queued writes are skipped, timers no longer fire. */
  readonly stop: () => void;
  /** Resolves when every queued write is done. */
  readonly drained: () => Promise<void>;
  /** Queues a write; writes run one at a time, in order, and not at all once stopped. */
  readonly enqueue: (f: () => Promise<void>) => void;
  /** Records an event about a pod. */
  readonly emit: (pod: Pod, type: EventType, reason: string, message: string) => void;
  /** The clock's time, formatted for a status. */
  readonly now: () => string;
  /** Runs `f` after `ms` unless the worker was forgotten (or replaced) or the kubelet stopped. */
  readonly after: (w: Worker, ms: Duration, f: () => void) => void;
  readonly cancelTimers: (w: Worker) => void;
  /** Stops running a pod: cancels its timers and forgets it (and that it was scheduled). */
  readonly forget: (uid: string) => void;
  /** Called by `forget` besides dropping the worker (the scheduler forgets the pod too). */
  readonly onForget: (listener: (uid: string) => void) => void;
  /** Writes the worker's status (derived conditions included), retrying after transient errors. */
  readonly writeStatus: (w: Worker) => void;
}

/** A runtime with no workers and an empty write queue. */
export const makeRuntime = (options: RuntimeOptions): KubeletRuntime => {
  const { cluster, clock, events, logger, metrics } = options;
  let stopped = false;
  let chain: Promise<void> = Promise.resolve();
  const workers = new Map<string, Worker>();
  const forgetListeners: Array<(uid: string) => void> = [];

  // Every write goes through one queue, so a pod's statuses reach the cluster in the order they were made.
  const enqueue = (f: () => Promise<void>): void => {
    chain = chain.then(async () => {
      if (!stopped) await f();
    });
  };

  const after = (w: Worker, ms: Duration, f: () => void): void => {
    let cancel: CancelTimer = () => undefined;
    cancel = clock.setTimer(ms, () => {
      w.timers.delete(cancel);
      if (!stopped && workers.get(w.uid) === w) f();
    });
    w.timers.add(cancel);
  };

  const cancelTimers = (w: Worker): void => {
    for (const c of w.timers) c();
    w.timers.clear();
  };

  const forget = (uid: string): void => {
    const w = workers.get(uid);
    if (w !== undefined) cancelTimers(w);
    workers.delete(uid);
    for (const l of forgetListeners) l(uid);
  };

  const writeStatus = (w: Worker): void => {
    deriveConditions(w.sim, clock.now());
    const status = toStatusPatch(w.sim);
    enqueue(async () => {
      if (workers.get(w.uid) !== w) return;
      const r = await cluster.patchStatus(w.ref, {
        type: 'strategic',
        body: { metadata: { uid: w.uid }, status },
      })();
      metrics.increment('kubetasks_kubelet_status_writes_total', {
        result: E.isRight(r) ? 'ok' : r.left.reason,
      });
      if (E.isLeft(r)) {
        if (isNotFound(r.left)) forget(w.uid);
        else logger.warn('status write failed', { pod: w.ref.name, error: showApiError(r.left) });
        // A real kubelet's status manager syncs again; without this a write lost to an API server outage
        // leaves the pod's status behind for good (nothing else changes the pod to trigger another write).
        if (isRetryable(r.left))
          after(w, WRITE_RETRY_MS, () => {
            writeStatus(w);
          });
      }
    });
  };

  return {
    ...options,
    workers,
    stopped: () => stopped,
    stop: () => {
      stopped = true;
    },
    drained: () => chain,
    enqueue,
    emit: (pod, type, reason, message) => {
      events.record({
        subject: {
          apiVersion: 'v1',
          kind: 'Pod',
          ...(pod.metadata?.namespace === undefined ? {} : { namespace: pod.metadata.namespace }),
          name: pod.metadata?.name ?? '',
          ...(pod.metadata?.uid === undefined ? {} : { uid: pod.metadata.uid }),
        },
        type,
        reason,
        message,
      });
    },
    now: () => formatInstant(clock.now()),
    after,
    cancelTimers,
    forget,
    onForget: (listener) => {
      forgetListeners.push(listener);
    },
    writeStatus,
  };
};
