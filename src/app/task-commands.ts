// The interpreter of a step's commands: cluster writes answered as observations, timers, gates, clusters, updates.
import * as E from 'fp-ts/lib/Either.js';
import type { KubeObject } from '../domain/kubernetes.js';
import type { Command, Emission, Observation } from '../domain/lifecycle/protocol.js';
import type { ObjectRef } from '../domain/lifecycle/state.js';
import { isConflict, isNotFound, type ApiError } from '../domain/api-error.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { Metrics } from '../ports/metrics.js';
import * as Commands from './cluster-commands.js';
import type { KindInformers } from './kind-informers.js';
import type { TaskUpdate } from './manager-api.js';
import type { QuotaGates } from './quota-gates.js';
import type { SharedClusterPool } from './shared-cluster-pool.js';
import type { Runtime } from './task-runtime.js';

/** What the commands act on, and how their answers get back to the task. */
export interface TaskCommandsOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly ports: Omit<Commands.CommandPorts, 'cached' | 'count'>;
  readonly informers: KindInformers;
  readonly quotaGates: QuotaGates;
  readonly sharedClusters: SharedClusterPool;
  readonly listeners: ReadonlySet<(u: TaskUpdate) => void>;
  /** Queues an observation for the task. */
  readonly enqueue: (rt: Runtime, o: Observation) => void;
  /** The observation of the task's object, with the related objects its plugin asks for. */
  readonly observed: (rt: Runtime, object: KubeObject) => Observation;
  /** Called when a command's answer has been queued (the manager may be idle then). */
  readonly onAnswered: () => void;
}

/**
 * Runs commands. A cluster write runs in the background and its answer comes back as an observation of the task;
 * everything else is done at once.
 */
export class TaskCommands {
  private inflightCount = 0;
  private readonly ports: Commands.CommandPorts;
  /**
   * Creates sent (or held at a quota gate) and not yet answered, by object. The server orders nothing between
   * requests on different connections, so a finalizer removal or delete sent while a create of the same name is
   * out could free the name before the create lands, and the create would then make a second object (a crash
   * recovery re-sends the create of an object the watch already shows being deleted). Writes to that object wait
   * for the create's answer instead.
   */
  private readonly creating = new Map<string, Promise<unknown>>();

  constructor(private readonly opts: TaskCommandsOptions) {
    this.ports = {
      ...opts.ports,
      cached: (ref) => opts.informers.cached(ref),
      count: (verb, r) => {
        this.count(verb, r);
      },
    };
  }

  /** Cluster writes sent and not yet answered. */
  get inflight(): number {
    return this.inflightCount;
  }

  execute(rt: Runtime, c: Command): void {
    switch (c._tag) {
      case 'Emit':
        this.notify(rt, c.emission);
        return;
      case 'ScheduleTimer':
        rt.timers.schedule(c.timer, c.at);
        return;
      case 'Observe': {
        const obj = this.opts.informers.cached(c.ref);
        if (obj !== undefined) this.opts.enqueue(rt, this.opts.observed(rt, obj));
        else if (
          this.opts.informers.hasSeen(c.ref) ||
          // Absent from a cache that holds a full list: gone, when the machine says absence means that.
          (c.absentIsGone === true && this.opts.informers.existing(c.ref)?.isSynced === true)
        )
          this.opts.enqueue(rt, { _tag: 'ObjectGone', ref: c.ref });
        return;
      }
      case 'QuotaRejected':
        this.opts.quotaGates.reject(c.namespace);
        return;
      case 'QuotaAccepted':
        this.opts.quotaGates.accept(c.namespace);
        return;
      case 'AcquireCluster':
        this.opts.sharedClusters.acquire(rt.taskId, c.ref, c.manifest);
        return;
      case 'ReleaseCluster':
        this.opts.sharedClusters.release(rt.taskId, c.ref);
        return;
      case 'Create': {
        const key = refKey(c.ref);
        const sent = this.afterCreate(c.ref, () => this.create(rt, c.ref, c.manifest));
        this.creating.set(key, sent);
        const clear = (): void => {
          if (this.creating.get(key) === sent) this.creating.delete(key);
        };
        sent.then(clear, clear);
        this.answer(rt, sent);
        return;
      }
      case 'Delete':
        this.answer(
          rt,
          this.afterCreate(c.ref, () => Commands.deleteObject(this.ports, c.ref, c.uid)),
        );
        return;
      case 'RemoveFinalizer':
        this.answer(
          rt,
          this.afterCreate(c.ref, () => Commands.removeFinalizer(this.ports, c.ref, c.finalizer)),
        );
        return;
      case 'ApplyAbort':
        this.answer(
          rt,
          this.afterCreate(c.ref, () => Commands.applyAbort(this.ports, c.ref, c.behavior, c.uid)),
        );
        return;
    }
  }

  /**
   * Takes our finalizer off an object no task holds and deletes it (only that object: its uid is the precondition).
   * Resolves with the first error that was not "already gone".
   */
  async release(ref: ObjectRef, finalizer: string, uid: string | undefined): Promise<ApiError | undefined> {
    const removed = await Commands.removeFinalizer(this.ports, ref, finalizer);
    const deleted = await Commands.deleteObject(this.ports, ref, uid);
    return [removed, deleted]
      .map((o) => ('error' in o ? o.error : undefined))
      .find((e) => e !== undefined && !isNotFound(e) && !isConflict(e));
  }

  /** Tells subscribers (and, for a final one, whoever awaits the task) about a PhaseInfo; logs and counts it. */
  notify(rt: Runtime, emission: Emission): void {
    const update: TaskUpdate = {
      phaseInfo: emission.phaseInfo,
      attempt: emission.attempt,
      final: emission.final,
      taskId: rt.taskId,
      pluginId: rt.plugin.id,
      at: this.opts.clock.now(),
    };
    const pi = emission.phaseInfo;
    this.opts.logger.info('task phase', {
      task: rt.taskId,
      attempt: emission.attempt,
      plugin: rt.plugin.id,
      phase: pi.phase,
      version: pi.version,
      reason: pi.reason,
      ...(pi.error === undefined ? {} : { code: pi.error.code, kind: pi.error.kind }),
      final: emission.final,
    });
    this.opts.metrics.increment('kubetasks_task_phase_transitions_total', {
      plugin: rt.plugin.id,
      phase: pi.phase,
    });
    for (const l of this.opts.listeners) l(update);
    if (emission.final) for (const w of rt.waiters.splice(0)) w(pi);
  }

  private answer(rt: Runtime, work: Promise<Observation | undefined>): void {
    this.inflightCount++;
    void work
      .then((o) => {
        if (o !== undefined) this.opts.enqueue(rt, o);
      })
      .catch((e: unknown) => {
        this.opts.logger.error('command failed unexpectedly', { task: rt.taskId, error: String(e) });
      })
      .finally(() => {
        this.inflightCount--;
        this.opts.onAnswered();
      });
  }

  private count(verb: string, r: E.Either<ApiError, unknown>): void {
    this.opts.metrics.increment('kubetasks_cluster_requests_total', {
      verb,
      code: E.isRight(r) ? '200' : String(r.left.code),
    });
  }

  /** Sends a write now, or once the create of the same object that is out has been answered (either way). */
  private afterCreate<A>(ref: ObjectRef, send: () => Promise<A>): Promise<A> {
    const out = this.creating.get(refKey(ref));
    return out === undefined ? send() : out.then(send, send);
  }

  /** Creates, held while the namespace's quota gate is closed (like v1's back-off controller). */
  private create(rt: Runtime, ref: ObjectRef, manifest: KubeObject): Promise<Observation> {
    return this.opts.quotaGates.admit(ref.namespace, () =>
      Commands.createObject(this.ports, rt.taskId, ref, manifest),
    );
  }
}

/** One object's key among the creates that are out. */
const refKey = (ref: ObjectRef): string => `${ref.apiVersion}|${ref.kind}|${ref.namespace}|${ref.name}`;
