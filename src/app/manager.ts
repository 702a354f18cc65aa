// The plugin manager: runs the pure lifecycle machine for many tasks over the ports (cluster, clock, store).
import * as E from 'fp-ts/lib/Either.js';
import * as O from 'fp-ts/lib/Option.js';
import type { Command, Observation } from '../domain/lifecycle/protocol.js';
import { initial, writeState, type TaskState } from '../domain/lifecycle/state.js';
import { finalPhase, isSettled, step, type StepContext } from '../domain/lifecycle/step.js';
import type { PhaseInfo } from '../domain/phase-info.js';
import type { Plugin } from '../domain/plugin.js';
import * as R from '../domain/registry.js';
import { TaskExecutionC, type TaskExecution } from '../domain/task.js';
import { silentLogger, type Logger } from '../ports/logger.js';
import { noopMetrics, type Metrics } from '../ports/metrics.js';
import { KindInformers } from './kind-informers.js';
import { QuotaGates } from './quota-gates.js';
import { SharedClusterPool } from './shared-cluster-pool.js';
import { TaskCommands } from './task-commands.js';
import { readStoredTask, type Runtime } from './task-runtime.js';
import { TaskObjects } from './task-objects.js';
import { TaskTimers } from './task-timers.js';
import { WorkQueue } from './work-queue.js';
import type { ManagerOptions, SubmitError, TaskUpdate } from './manager-api.js';
import { ReconcileMetrics } from './reconcile-metrics.js';
import { TASK_ANNOTATION } from './cluster-commands.js';
import { MANAGED_LABEL } from '../domain/object-metadata.js';
import type { KubeObject } from '../domain/kubernetes.js';
import { releaseStrays, type StrayRelease } from './strays.js';

export { MANAGED_LABEL, TASK_ANNOTATION };
export type { ManagerOptions, SubmitError, TaskUpdate } from './manager-api.js';
export type { ReconcileResult } from './reconcile-metrics.js';

/**
 * Whether a command changes the cluster (or asks for a shared cluster that will): the state must be durable before
 * it runs. The others (emit, timers, observe from the cache, the quota gate) only change this process.
 */
const changesCluster = (c: Command): boolean => {
  // Exhaustive: a new kind of command does not compile until it is classified here.
  switch (c._tag) {
    case 'Create':
    case 'Delete':
    case 'RemoveFinalizer':
    case 'ApplyAbort':
    case 'AcquireCluster':
    case 'ReleaseCluster':
      return true;
    case 'ScheduleTimer':
    case 'Observe':
    case 'Emit':
    case 'QuotaRejected':
    case 'QuotaAccepted':
      return false;
  }
};

/**
 * Runs tasks. Each task's observations are processed one at a time (per-task serialisation) by a bounded pool;
 * the state is stored before the commands of a step run, so a crash at any point is resumed by `start()`.
 * Objects are read only from one shared informer per watched kind: there is no GET per task.
 */
export class Manager {
  private readonly tasks = new Map<string, Runtime>();
  private readonly informers: KindInformers;
  /** Which task owns which object, and what a task observes of a change (related resources included). */
  private readonly objects: TaskObjects;
  private readonly queue: WorkQueue<Runtime>;
  private readonly listeners = new Set<(u: TaskUpdate) => void>();
  private readonly reconciles: ReconcileMetrics;
  private readonly quotaGates: QuotaGates;
  private stopped = false;
  private readonly idleWaiters: Array<() => void> = [];
  private readonly logger: Logger;
  private readonly metrics: Metrics;
  private readonly random: () => number;
  private readonly sharedClusters: SharedClusterPool;
  /** The registry restricted to `tasks.task-plugins.enabled` (every plugin when that list is empty). */
  private readonly registry: R.Registry;
  private readonly commands: TaskCommands;

  constructor(private readonly opts: ManagerOptions) {
    // TypeScript rejects a wrong registry; a JavaScript caller gets this instead of a TypeError deep in start().
    if (!R.isRegistry(opts.registry))
      throw new TypeError(`ManagerOptions.registry: ${R.describeNotARegistry(opts.registry)}`);
    this.logger = opts.logger ?? silentLogger;
    this.metrics = opts.metrics ?? noopMetrics;
    this.random = opts.random ?? Math.random;
    this.reconciles = new ReconcileMetrics(this.metrics);
    this.queue = new WorkQueue<Runtime>({
      clock: opts.clock,
      metrics: this.metrics,
      random: () => this.random(),
      maxConcurrency: Math.max(1, opts.config.executor['max-concurrent-reconciles']),
      backoff: opts.config.executor['system-failure-backoff'],
      process: (rt) => this.process(rt),
      onSettled: () => {
        this.checkIdle();
      },
    });
    const enabled = opts.config.tasks['task-plugins'].enabled;
    // A subset of a valid registry cannot conflict; should it ever, the whole registry is kept.
    const restricted =
      enabled.length === 0
        ? E.right(opts.registry)
        : R.fromPlugins(opts.registry.plugins.filter((p) => enabled.includes(p.id)));
    this.registry = E.isRight(restricted) ? restricted.right : opts.registry;
    this.informers = new KindInformers({
      cluster: opts.cluster,
      clock: opts.clock,
      logger: this.logger,
      metrics: this.metrics,
      random: this.random,
      ...(opts.namespace === undefined ? {} : { namespace: opts.namespace }),
      onEvent: (key, e) => {
        this.objects.onInformerEvent(key, e);
      },
    });
    this.objects = new TaskObjects({
      informers: this.informers,
      logger: this.logger,
      task: (taskId) => this.tasks.get(taskId),
      enqueue: (rt, o) => {
        this.enqueue(rt, o);
      },
    });
    this.quotaGates = new QuotaGates({
      clock: opts.clock,
      backoff: opts.config.executor['quota-backoff'],
      random: () => this.random(),
      onReopen: (namespace) => {
        for (const rt of this.tasks.values()) {
          if (rt.state.stage._tag === 'WaitingForQuota' && rt.task.execution.namespace === namespace) {
            this.enqueue(rt, { _tag: 'QuotaGateOpened' });
          }
        }
      },
    });
    this.sharedClusters = new SharedClusterPool({
      cluster: opts.cluster,
      clock: opts.clock,
      config: opts.config,
      logger: this.logger,
      metrics: this.metrics,
      informerFor: (kind) => this.informers.informerFor(kind),
      tell: (taskId, o) => {
        const rt = this.tasks.get(taskId);
        if (rt !== undefined) this.enqueue(rt, o);
      },
    });
    this.commands = new TaskCommands({
      clock: opts.clock,
      logger: this.logger,
      metrics: this.metrics,
      ports: { cluster: opts.cluster, clock: opts.clock, config: opts.config },
      informers: this.informers,
      quotaGates: this.quotaGates,
      sharedClusters: this.sharedClusters,
      listeners: this.listeners,
      enqueue: (rt, o) => {
        this.enqueue(rt, o);
      },
      observed: (rt, object) => this.objects.observed(rt, object),
      onAnswered: () => {
        this.checkIdle();
      },
    });
  }

  // -----------------------------------------------------------------------------------
  // public API
  // -----------------------------------------------------------------------------------

  /** Starts one informer per watched kind and resumes every stored task. */
  async start(): Promise<void> {
    const kinds = [...R.watchedKinds(this.registry), ...R.relatedKinds(this.registry)];
    // A kind the cluster does not serve (a CRD plugin whose CRD is not installed) would keep its informer from
    // ever syncing: skip it, and refuse that plugin's tasks at submit with a clear error.
    const missing = await this.informers.start(kinds);
    for (const k of missing) {
      this.logger.warn('kind not served by the cluster; its plugins cannot run tasks', {
        kind: `${k.kind}.${k.apiVersion}`,
      });
    }
    await Promise.all(
      this.registry.plugins.flatMap((p) =>
        p.sharedCluster === undefined || this.informers.isUnserved(p.sharedCluster.kind)
          ? []
          : [this.sharedClusters.register(p.sharedCluster)],
      ),
    );
    if (this.opts.store === undefined) return;
    const stored = await this.opts.store.list()();
    if (E.isLeft(stored)) throw new Error(stored.left.message);
    for (const bad of stored.right.unreadable) {
      this.metrics.increment('kubetasks_state_store_errors_total', { operation: 'read' });
      this.logger.error('stored task record is unreadable; left in place, not resumed', {
        location: bad.location,
        message: bad.message,
      });
    }
    for (const rec of stored.right.tasks) this.resume(rec.taskId, rec.task, rec.state);
  }

  /** Submits a task under a caller-chosen id (unique among live tasks). */
  submit(taskId: string, task: TaskExecution): E.Either<SubmitError, void> {
    if (this.stopped) return E.left({ _tag: 'Stopped' });
    if (this.tasks.has(taskId)) return E.left({ _tag: 'DuplicateTask', taskId });
    // Under `unknown-task-types: reject` a type no plugin registers is refused rather than run by the default plugin.
    const route = R.routeTaskType(
      task.task.type,
      this.opts.config.tasks['task-plugins']['unknown-task-types'],
    )(this.registry);
    const plugin = route._tag === 'Unserved' ? O.none : O.some(route.plugin);
    if (O.isNone(plugin)) return E.left({ _tag: 'NoPlugin', taskType: task.task.type });
    const needs = [
      plugin.value.watches,
      ...(plugin.value.sharedCluster === undefined ? [] : [plugin.value.sharedCluster.kind]),
    ];
    const notServed = needs.find((k) => this.informers.isUnserved(k));
    if (notServed !== undefined) {
      return E.left({
        _tag: 'KindNotServed',
        pluginId: plugin.value.id,
        kind: `${notServed.kind}.${notServed.apiVersion}`,
      });
    }
    const rt = this.track(
      taskId,
      task,
      plugin.value,
      initial(taskId, plugin.value.id, task.execution.attempt ?? 0),
    );
    this.metrics.increment('kubetasks_tasks_submitted_total', { plugin: plugin.value.id });
    this.enqueue(rt, { _tag: 'Submitted' });
    return E.right(undefined);
  }

  /** Asks a task to stop; its final PhaseInfo will be Aborted unless it already ended. */
  abort(taskId: string, reason = 'aborted by request'): boolean {
    const rt = this.tasks.get(taskId);
    if (rt === undefined) return false;
    const object = this.objects.currentObject(rt);
    this.enqueue(rt, { _tag: 'AbortRequested', reason, ...(object === undefined ? {} : { object }) });
    return true;
  }

  /** Every PhaseInfo of every task, as it is emitted. */
  subscribe(listener: (u: TaskUpdate) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The task's final PhaseInfo, when it has one. */
  awaitFinal(taskId: string): Promise<PhaseInfo> {
    const rt = this.tasks.get(taskId);
    if (rt === undefined) return Promise.reject(new Error(`unknown task ${taskId}`));
    const done = finalPhase(rt.state);
    if (done !== undefined) return Promise.resolve(done);
    return new Promise((resolve) => rt.waiters.push(resolve));
  }

  /**
   * Releases the cached objects with our finalizer that no task holds and that `isStray` judges abandoned (their
   * owner is gone): our finalizer off, then deleted. The caller decides, as only it knows what owns the tasks.
   */
  releaseStrays(isStray: (o: KubeObject) => boolean): Promise<ReadonlyArray<StrayRelease>> {
    return releaseStrays(this.informers, this.objects, this.commands, isStray);
  }

  /**
   * Drops a settled task (final PhaseInfo reported, every object cleaned up: an object it deleted seen gone) from
   * memory and from the store, so a long-running manager does not grow. Returns false, and keeps the task, while
   * it is not settled.
   */
  async forget(taskId: string): Promise<boolean> {
    const rt = this.tasks.get(taskId);
    if (rt === undefined || !isSettled(rt.state)) return false;
    this.tasks.delete(taskId);
    // An answer still in flight (a DELETE answered after its object was seen gone) must reconcile nothing: it would
    // store the state again, for a task the store has dropped (the controller's store no longer tracks it).
    this.queue.remove(rt);
    this.objects.unindex(rt);
    if (this.opts.store !== undefined) {
      const r = await this.opts.store.remove(taskId)();
      if (E.isLeft(r)) {
        this.metrics.increment('kubetasks_state_store_errors_total', { operation: 'remove' });
        this.logger.error('cannot remove stored task', { task: taskId, message: r.left.message });
      }
    }
    return true;
  }

  /**
   * Takes a task up again from a stored record, as after a restart, dropping what this process held of it (state,
   * queued observations, timers): for a store that found another writer had moved the task on.
   */
  reload(taskId: string, taskDoc: unknown, stateDoc: unknown): void {
    const old = this.tasks.get(taskId);
    if (old !== undefined) {
      this.queue.remove(old);
      old.timers.cancelAll();
      this.objects.unindex(old);
      this.objects.forgetRelated(old);
      this.tasks.delete(taskId);
    }
    this.resume(taskId, taskDoc, stateDoc);
    if (old !== undefined) this.tasks.get(taskId)?.waiters.push(...old.waiters);
  }

  /** The last PhaseInfo emitted for a task. */
  current(taskId: string): PhaseInfo | undefined {
    return this.tasks.get(taskId)?.state.last;
  }

  /**
   * The task's whole lifecycle state (stage, owned objects, attempts), for diagnostics and tests; `undefined`
   * for a task this manager does not hold. Callers that only need the phase use `current`.
   */
  state(taskId: string): TaskState | undefined {
    return this.tasks.get(taskId)?.state;
  }

  /** Resolves when no observation is queued and no command is in flight. */
  idle(): Promise<void> {
    return this.isIdle() ? Promise.resolve() : new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops informers and timers; tasks stay stored and resume on the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const rt of this.tasks.values()) rt.timers.cancelAll();
    this.queue.stop();
    this.quotaGates.stop();
    this.sharedClusters.stop();
    await this.informers.stop();
  }

  /**
   * Tasks held, finished ones included until `forget` drops them: what a long-running caller watches to see
   * that it forgets.
   */
  get taskCount(): number {
    return this.tasks.size;
  }

  // -----------------------------------------------------------------------------------
  // tracking
  // -----------------------------------------------------------------------------------

  private track(taskId: string, task: TaskExecution, plugin: Plugin, state: TaskState): Runtime {
    const timers = new TaskTimers(this.opts.clock, (kind) => {
      this.enqueue(rt, { _tag: 'TimerFired', timer: kind });
    });
    const rt: Runtime = {
      taskId,
      task,
      encodedTask: TaskExecutionC.encode(task),
      plugin,
      state,
      mailbox: [],
      queued: false,
      timers,
      waiters: [],
      failures: 0,
      parked: undefined,
    };
    this.tasks.set(taskId, rt);
    this.objects.index(rt);
    return rt;
  }

  private resume(taskId: string, taskDoc: unknown, stateDoc: unknown): void {
    const stored = readStoredTask(this.registry, taskId, taskDoc, stateDoc);
    switch (stored._tag) {
      case 'Skipped':
        this.logger.error(stored.message, stored.fields);
        return;
      case 'Failed': {
        const rt = this.track(taskId, stored.task, stored.plugin, initial(taskId, stored.plugin.id));
        const pi = stored.phaseInfo;
        rt.state = { ...rt.state, stage: { _tag: 'Done', final: pi }, last: pi };
        this.commands.notify(rt, { phaseInfo: pi, attempt: 0, final: true });
        void this.persist(rt, rt.state);
        return;
      }
      case 'Resumable':
        this.enqueue(this.track(taskId, stored.task, stored.plugin, stored.state), { _tag: 'Resumed' });
        return;
    }
  }

  // -----------------------------------------------------------------------------------
  // the work queue: per-task serialisation, bounded concurrency
  // -----------------------------------------------------------------------------------

  private enqueue(rt: Runtime, o: Observation): void {
    if (!this.stopped) this.queue.enqueue(rt, o);
  }

  /**
   * One reconcile: every queued observation through the machine, the resulting state stored, then its commands
   * run. Write-ahead is the rule: a state the store refused runs no command (a crash would lose what they did);
   * the observations wait, in order, for a retry after a back-off. Never rejects: a throw is logged, counted and
   * retried the same way, and every other task keeps running.
   */
  private async process(rt: Runtime): Promise<void> {
    const started = performance.now();
    const batch = rt.mailbox.splice(0);
    let stored = false;
    try {
      let state = rt.state;
      const commands: Command[] = [];
      for (const o of batch) {
        const r = step(state, o, this.contextFor(rt));
        state = r.state;
        commands.push(...r.commands);
      }
      if (!(await this.persist(rt, state, !commands.some(changesCluster)))) {
        rt.mailbox.unshift(...batch);
        this.queue.park(rt);
        this.reconciles.record(rt.plugin.id, started, 'store_failed');
        return;
      }
      stored = true;
      rt.state = state;
      rt.failures = 0;
      this.objects.index(rt);
      for (const c of commands) this.commands.execute(rt, c);
      this.reconciles.record(rt.plugin.id, started, 'success');
      if (isSettled(rt.state)) this.settle(rt);
    } catch (e) {
      this.logger.error('reconcile failed', { task: rt.taskId, plugin: rt.plugin.id, error: String(e) });
      // Before the state was stored nothing happened: the observations wait again. After, some commands may not
      // have run: Resumed re-issues whatever is still due (every command is idempotent).
      if (stored) rt.mailbox.unshift({ _tag: 'Resumed' });
      else rt.mailbox.unshift(...batch);
      this.queue.park(rt);
      this.reconciles.record(rt.plugin.id, started, 'error');
    }
  }

  private contextFor(rt: Runtime): StepContext {
    return {
      now: this.opts.clock.now(),
      entropy: this.random(),
      config: this.opts.config,
      plugin: rt.plugin,
      task: rt.task,
      ...(this.opts.buildContext === undefined ? {} : { buildContext: this.opts.buildContext }),
    };
  }

  /**
   * Stores the task's state; false when the store refused it (counted and logged). `deferrable` when no command of
   * the step changes the cluster (a store may then hold the write back to coalesce it with the next one).
   */
  private async persist(rt: Runtime, state: TaskState, deferrable = false): Promise<boolean> {
    if (this.opts.store === undefined) return true;
    const r = await this.opts.store.put({
      taskId: rt.taskId,
      task: rt.encodedTask,
      state: writeState(state),
      ...(deferrable ? { deferrable } : {}),
    })();
    if (E.isRight(r)) return true;
    this.metrics.increment('kubetasks_state_store_errors_total', { operation: 'put' });
    this.logger.error('cannot store task state', { task: rt.taskId, message: r.left.message });
    return false;
  }

  private settle(rt: Runtime): void {
    this.objects.forgetRelated(rt);
    rt.timers.cancelAll();
    // The task's objects stay indexed until it is forgotten: a create of the dead process that lands late brings
    // one of them back, and its events must reach the task so it cleans it up again.
  }

  private isIdle(): boolean {
    return this.queue.isIdle && this.commands.inflight === 0;
  }

  private checkIdle(): void {
    if (this.isIdle()) for (const w of this.idleWaiters.splice(0)) w();
  }
}
