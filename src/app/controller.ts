// The kubetasks controller: runs the tasks of TaskExecution objects while it leads, with their state in the cluster.
import * as E from 'fp-ts/lib/Either.js';
import { isPlainObject, renderIssue } from '../domain/codec.js';
import type { KubeObject } from '../domain/kubernetes.js';
import {
  TASK_EXECUTION,
  TASK_EXECUTION_FINALIZER,
  statusOfObject,
  taskOfObject,
} from '../domain/task-execution-resource.js';
import { rejectedStatus, type StatusObject } from '../domain/task-execution-status.js';
import type { CancelTimer } from '../ports/clock.js';
import { silentLogger, type Logger } from '../ports/logger.js';
import { noopMetrics, type Metrics } from '../ports/metrics.js';
import { Informer } from './informer.js';
import { KeyedTimers } from './keyed-timers.js';
import { alwaysLeader, type Leadership, type LeadershipEnd } from './leadership.js';
import { Manager, type ManagerOptions, type SubmitError, type TaskUpdate } from './manager.js';
import { StatusCoalescer } from './status-coalescer.js';
import { TaskExecutionStore, taskIdOfObject } from './task-execution-store.js';
import { TaskExecutionC } from '../domain/task.js';

/** What the controller runs on: the manager's options (it supplies the store itself) and its leadership. */
export interface ControllerOptions extends Omit<ManagerOptions, 'store'> {
  /** Who may do the work; `alwaysLeader()` (one replica) when absent. Leader election plugs in here. */
  readonly leadership?: Leadership;
  /**
   * How long a new phase waits to be written with the task's next state write before it is written alone
   * (milliseconds; default 1000). Longer coalesces more status writes; shorter shows phases sooner.
   */
  readonly statusDelay?: number;
  /**
   * The longest a new phase waits while status writes are in flight (milliseconds; default 30000): under a burst
   * the wait doubles from `statusDelay` up to this, so phases ride with the state writes.
   */
  readonly statusDelayMax?: number;
  /** How often settled tasks are dropped from memory (milliseconds; default 10 s). */
  readonly sweepPeriod?: number;
}

/** Why the controller refused a TaskExecution, as the error code its status shows. */
const rejectionCode = (e: SubmitError): string | undefined =>
  e._tag === 'NoPlugin' ? 'NoPlugin' : e._tag === 'KindNotServed' ? 'KindNotServed' : undefined;

const rejectionMessage = (e: SubmitError): string => {
  switch (e._tag) {
    case 'NoPlugin':
      return `no plugin serves task type "${e.taskType}"`;
    case 'KindNotServed':
      return `the cluster does not serve ${e.kind}, which the ${e.pluginId} plugin creates`;
    case 'DuplicateTask':
      return `a task with id ${e.taskId} is already running`;
    case 'Stopped':
      return 'the controller is stopping';
  }
};

/** What exists only while this process leads. */
interface Leading {
  readonly manager: Manager;
  readonly store: TaskExecutionStore;
  /** Tasks being admitted (finalizer patch or status write in flight). */
  readonly admitting: Set<string>;
  /** Tasks whose TaskExecution is being deleted and that were asked to abort. */
  readonly aborting: Set<string>;
  /** Tasks with a final update, to drop from memory once settled. */
  readonly finished: Set<string>;
  /** The phases waiting to be written with the tasks' next state writes. */
  readonly statuses: StatusCoalescer;
  /** Deletions waiting for their task to settle: looked at again shortly. */
  readonly deletions: KeyedTimers;
  /** Objects (by uid) whose owning TaskExecution was missing at the last sweep: released if it still is. */
  strays: ReadonlySet<string>;
}

/**
 * Watches TaskExecutions (every replica, so a standby is ready to take over with a synced cache) and, while this
 * process leads, runs their tasks with a Manager whose state store is the TaskExecutions' status. A new
 * TaskExecution is decoded (a spec that does not decode gets a permanent USER failure status naming the path),
 * given the controller's finalizer if it lacks it, and submitted; the status follows the task's updates (at most
 * one write per phase change a user sees, coalesced with the state writes when they come close together). A
 * deleted TaskExecution aborts its task; the finalizer is removed once the task has cleaned up.
 */
export class Controller {
  private readonly informer: Informer;
  private readonly leadership: Leadership;
  private readonly logger: Logger;
  private readonly metrics: Metrics;
  private leading: Leading | undefined;
  private running = false;
  /** The signal `run` was given: aborted when this process is asked to stop (rather than losing its leadership). */
  private stopping: AbortSignal | undefined;

  constructor(private readonly opts: ControllerOptions) {
    this.logger = opts.logger ?? silentLogger;
    this.metrics = opts.metrics ?? noopMetrics;
    this.leadership = opts.leadership ?? alwaysLeader();
    this.informer = new Informer({
      cluster: opts.cluster,
      clock: opts.clock,
      kind: TASK_EXECUTION,
      ...(opts.namespace === undefined ? {} : { selection: { namespace: opts.namespace } }),
      logger: this.logger,
      metrics: this.metrics,
      ...(opts.random === undefined ? {} : { random: opts.random }),
    });
  }

  /** Live: the controller's loop runs. */
  isHealthy(): boolean {
    return this.running;
  }

  /** Ready: the TaskExecution cache has synced (a standby waiting to lead is ready). */
  isReady(): boolean {
    return this.running && this.informer.isSynced;
  }

  isLeader(): boolean {
    return this.leadership.isLeader();
  }

  /** The manager while this process leads (for tests and the CLI's metrics). */
  get manager(): Manager | undefined {
    return this.leading?.manager;
  }

  /**
   * Runs until `stop` aborts (SIGTERM) or leadership is lost; resolves with how leading ended. Tasks stay in the
   * cluster either way: whoever leads next resumes them from their TaskExecutions.
   */
  async run(stop: AbortSignal): Promise<LeadershipEnd> {
    this.running = true;
    this.stopping = stop;
    try {
      await this.informer.start();
      await this.informer.synced();
      return await this.leadership.run((ending) => this.lead(ending), stop);
    } finally {
      this.running = false;
      await this.informer.stop();
    }
  }

  /** Resolves when the leading manager has nothing queued or in flight. */
  async idle(): Promise<void> {
    await this.leading?.manager.idle();
  }

  // -----------------------------------------------------------------------------------
  // leading
  // -----------------------------------------------------------------------------------

  private async lead(ending: AbortSignal): Promise<void> {
    let self: Leading | undefined;
    const store = new TaskExecutionStore({
      cluster: this.opts.cluster,
      objects: () => this.informer.list(),
      logger: this.logger,
      metrics: this.metrics,
      onSuperseded: (id, o) => {
        if (self !== undefined) this.onSuperseded(self, id, o);
      },
    });
    const manager = new Manager({ ...this.opts, store });
    const l: Leading = (self = {
      manager,
      store,
      admitting: new Set(),
      aborting: new Set(),
      finished: new Set(),
      statuses: new StatusCoalescer({
        store,
        clock: this.opts.clock,
        logger: this.logger,
        delay: this.opts.statusDelay ?? 1000,
        maxDelay: this.opts.statusDelayMax ?? 30_000,
      }),
      deletions: new KeyedTimers(this.opts.clock),
      strays: new Set(),
    });
    const unsubscribe = manager.subscribe((u) => {
      this.onUpdate(l, u);
    });
    try {
      await manager.start();
      this.leading = l;
      // Tasks resumed already finished emit nothing more: dropped from memory by the sweeper once settled.
      for (const o of this.informer.list()) this.resumedFinished(l, taskIdOfObject(o));
      for (const o of this.informer.list()) this.reconcile(l, o);
      const off = this.informer.onEvent((e) => {
        if (e.type === 'upsert') this.reconcile(l, e.object);
        else this.onGone(l, e.object);
      });
      const sweep = this.sweeper(l);
      if (!ending.aborted)
        await new Promise<void>((resolve) => {
          ending.addEventListener('abort', () => {
            resolve();
          });
        });
      off();
      sweep();
    } finally {
      this.leading = undefined;
      // No status write starts after this: a reconcile still in flight may emit, but its timer would outlive the lease.
      unsubscribe();
      const pending = l.statuses.stop();
      l.deletions.cancelAll();
      await manager.stop();
      // Asked to stop, this process still holds the lease until it returns: the phases waiting out the status delay
      // are written now, since the next leader resumes from the state and would not show them. After a lost
      // leadership another process may lead already: its status is left alone.
      if (this.stopping?.aborted === true) await l.statuses.flushNow(pending);
    }
  }

  /** Drops settled tasks from memory now and then (their TaskExecutions keep status and state). */
  private sweeper(l: Leading): () => void {
    let cancel: CancelTimer = () => undefined;
    let stopped = false;
    const tick = (): void => {
      void Promise.all([
        ...[...l.finished].map(async (id) => {
          if (await this.forget(l, id)) l.finished.delete(id);
        }),
        this.releaseStrays(l),
      ]).finally(() => {
        if (!stopped) cancel = this.opts.clock.setTimer(this.opts.sweepPeriod ?? 10_000, tick);
      });
    };
    cancel = this.opts.clock.setTimer(this.opts.sweepPeriod ?? 10_000, tick);
    return () => {
      stopped = true;
      cancel();
    };
  }

  /**
   * Releases the objects of TaskExecutions that are gone. A create sent by a process that no longer leads can land
   * after the task moved on (a retried attempt's pod, or any pod of a deleted TaskExecution): no task holds it, and
   * our finalizer would keep it for ever. An object counts as abandoned only when its owner is missing from the
   * synced cache at two sweeps in a row, so a TaskExecution the cache has not shown yet is never taken for gone.
   */
  private async releaseStrays(l: Leading): Promise<void> {
    const owners = new Set(this.informer.list().map((o) => o.metadata?.uid));
    const missing = new Set<string>();
    const released = await l.manager.releaseStrays((o) => {
      const owner = (o.metadata?.ownerReferences ?? []).find(
        (r) => r.kind === TASK_EXECUTION.kind && r.apiVersion === TASK_EXECUTION.apiVersion,
      );
      const uid = o.metadata?.uid;
      if (owner === undefined || uid === undefined || owners.has(owner.uid)) return false;
      missing.add(uid);
      return l.strays.has(uid);
    });
    l.strays = missing;
    for (const r of released) {
      const object = `${r.ref.kind} ${r.ref.namespace}/${r.ref.name}`;
      if (r._tag === 'Released')
        this.logger.info('released an object whose TaskExecution is gone', { object });
      else
        this.logger.error('cannot release an object whose TaskExecution is gone', {
          object,
          message: r.error.message,
        });
    }
  }

  /** One TaskExecution as the cache shows it now. */
  private reconcile(l: Leading, o: KubeObject): void {
    const id = taskIdOfObject(o);
    if (o.metadata?.deletionTimestamp !== undefined) {
      void this.onDeleting(l, id);
      return;
    }
    if (l.admitting.has(id) || l.manager.state(id) !== undefined) return;
    // A status with a phase or a state was written before: the task was resumed at start, or it is done. A state
    // stored by another process that still believed it led, after this one started leading, was never resumed
    // here: it is taken up as a superseded write is (found by the overlap property: the task was lost).
    const status = o['status'];
    if (isPlainObject(status) && (status['phase'] !== undefined || status['state'] !== undefined)) {
      if (status['state'] !== undefined && status['completionTime'] === undefined)
        this.onSuperseded(l, id, o);
      return;
    }
    l.admitting.add(id);
    void this.admit(l, id, o).finally(() => l.admitting.delete(id));
  }

  private async admit(l: Leading, id: string, o: KubeObject): Promise<void> {
    const generation = o.metadata?.generation;
    const te = taskOfObject(o);
    if (E.isLeft(te)) {
      this.logger.warn('TaskExecution does not decode; failed as a USER error', { task: id });
      await this.reject(l, o, 'BadTaskExecution', te.left.map(renderIssue).join('; '), generation);
      return;
    }
    let current = o;
    const finalizers = o.metadata?.finalizers ?? [];
    if (!finalizers.includes(TASK_EXECUTION_FINALIZER)) {
      // Created without it (kubectl apply): added once, guarded, so a deletion cannot slip past the task.
      const r = await this.opts.cluster.patch(
        { ...TASK_EXECUTION, namespace: o.metadata?.namespace ?? '', name: o.metadata?.name ?? '' },
        {
          type: 'merge',
          body: {
            metadata: {
              resourceVersion: o.metadata?.resourceVersion,
              finalizers: [...finalizers, TASK_EXECUTION_FINALIZER],
            },
          },
        },
      )();
      // A Conflict or NotFound: a newer event of the object comes, and is reconciled then.
      if (E.isLeft(r)) return;
      current = r.right;
    }
    l.store.track(current);
    const submitted = l.manager.submit(id, te.right);
    if (E.isLeft(submitted)) {
      const code = rejectionCode(submitted.left);
      if (code !== undefined)
        await this.reject(l, current, code, rejectionMessage(submitted.left), generation);
    }
  }

  /** Writes a permanent USER failure status for a TaskExecution that cannot run. */
  private async reject(
    l: Leading,
    o: KubeObject,
    code: string,
    message: string,
    generation: number | undefined,
  ): Promise<void> {
    const id = taskIdOfObject(o);
    l.store.track(o);
    l.store.setStatus(id, rejectedStatus(code, message, this.opts.clock.now(), generation));
    const r = await l.store.remove(id)();
    if (E.isLeft(r)) this.logger.error('cannot write the status', { task: id, message: r.left.message });
  }

  /**
   * Drops a settled task from memory (false while it is not settled). Its last status goes with the store's
   * `remove`, so a phase still waiting for its timer is not written again (and the timer would find it untracked).
   */
  private async forget(l: Leading, id: string): Promise<boolean> {
    if (!(await l.manager.forget(id))) return false;
    l.statuses.forget(id);
    return true;
  }

  /** The TaskExecution is being deleted: abort its task, and remove the finalizer once the task is settled. */
  private async onDeleting(l: Leading, id: string): Promise<void> {
    l.deletions.cancel(id);
    const known = l.manager.state(id) !== undefined;
    if (known && !(await this.forget(l, id))) {
      if (!l.aborting.has(id)) {
        l.aborting.add(id);
        l.manager.abort(id, 'TaskExecution deleted');
      }
      // The manager has no "settled" event: look again shortly.
      l.deletions.setOnce(id, 500, () => void this.onDeleting(l, id));
      return;
    }
    l.aborting.delete(id);
    l.finished.delete(id);
    const namespace = id.slice(0, id.indexOf('/'));
    const name = id.slice(id.indexOf('/') + 1);
    const o = this.informer.get(namespace, name);
    const finalizers = o?.metadata?.finalizers ?? [];
    if (o === undefined || !finalizers.includes(TASK_EXECUTION_FINALIZER)) return;
    const r = await this.opts.cluster.patch(
      { ...TASK_EXECUTION, namespace, name },
      {
        type: 'merge',
        body: {
          metadata: {
            resourceVersion: o.metadata?.resourceVersion,
            finalizers: finalizers.filter((f) => f !== TASK_EXECUTION_FINALIZER),
          },
        },
      },
    )();
    // A Conflict: the newer version's event comes and is reconciled then.
    if (E.isLeft(r) && r.left.reason !== 'Conflict' && r.left.reason !== 'NotFound')
      this.logger.error('cannot remove the TaskExecution finalizer', { task: id, message: r.left.message });
  }

  /**
   * Another writer moved the task on: while leadership changes hands, two processes may both believe they lead, and
   * either one's write may land first. This process's view of the task is stale, so it takes the task up again
   * from the object as it is now, as a restart would. Whichever of the two is stale, every write is guarded by the
   * resourceVersion, so the states stored form one line; creates of deterministic names and deletes with uid
   * preconditions make the commands either sends harmless.
   */
  private onSuperseded(l: Leading, id: string, o: KubeObject): void {
    const status = statusOfObject(o);
    const te = taskOfObject(o);
    if (status.state === undefined || E.isLeft(te)) return;
    l.statuses.forget(id);
    l.store.retrack(o);
    l.manager.reload(id, TaskExecutionC.encode(te.right), status.state);
    this.resumedFinished(l, id);
    // A deletion's abort went to the task as it was: the next look at the deletion asks the reloaded one again.
    l.aborting.delete(id);
  }

  /**
   * A task resumed with its outcome in its state: dropped from memory once settled. Its status shows the outcome
   * unless the process that stored it stopped before writing the status: then it is written now, from the state.
   */
  private resumedFinished(l: Leading, id: string): void {
    const st = l.manager.state(id);
    if (st?.stage._tag !== 'Done') return;
    l.finished.add(id);
    if (l.store.status(id)?.completionTime !== undefined) return;
    this.onUpdate(l, {
      taskId: id,
      pluginId: st.pluginId,
      phaseInfo: st.stage.final,
      attempt: st.attempt,
      final: true,
      at: this.opts.clock.now(),
    });
  }

  /** The TaskExecution is gone (its finalizer forced off): abort what still runs; nothing keeps its state. */
  private onGone(l: Leading, o: KubeObject): void {
    const id = taskIdOfObject(o);
    if (l.manager.state(id) === undefined) return;
    l.manager.abort(id, 'TaskExecution deleted');
    l.finished.add(id);
  }

  // -----------------------------------------------------------------------------------
  // status
  // -----------------------------------------------------------------------------------

  private onUpdate(l: Leading, u: TaskUpdate): void {
    if (!l.store.has(u.taskId)) return;
    if (u.final) l.finished.add(u.taskId);
    const i = u.taskId.indexOf('/');
    const generation = this.informer.get(u.taskId.slice(0, i), u.taskId.slice(i + 1))?.metadata?.generation;
    l.statuses.update(u.taskId, {
      phaseInfo: u.phaseInfo,
      attempt: u.attempt,
      final: u.final,
      at: u.at,
      ...(generation === undefined ? {} : { generation }),
      objects: this.objectsOf(l, u.taskId),
    });
  }

  /** The objects the task created, from its state. */
  private objectsOf(l: Leading, taskId: string): ReadonlyArray<StatusObject> {
    const owned = l.manager.state(taskId)?.owned ?? [];
    const seen = new Set<string>();
    const out: StatusObject[] = [];
    for (const { ref } of owned) {
      const key = `${ref.apiVersion}/${ref.kind}/${ref.namespace}/${ref.name}`;
      if (seen.has(key) || ref.name === '') continue;
      seen.add(key);
      out.push({ apiVersion: ref.apiVersion, kind: ref.kind, namespace: ref.namespace, name: ref.name });
    }
    return out;
  }
}

/** The status a TaskExecution object shows (for clients such as `kubetasks submit --watch`). */
export { statusOfObject };
