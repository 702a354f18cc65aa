// The state store in the cluster: each task's lifecycle state kept in its TaskExecution's status, beside its phase.
import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import { isPlainObject, renderIssue } from '../domain/codec.js';
import type { KubeObject } from '../domain/kubernetes.js';
import { TaskExecutionC } from '../domain/task.js';
import { statusOfObject, TASK_EXECUTION, taskOfObject } from '../domain/task-execution-resource.js';
import {
  showsLess,
  STATUS_KEYS,
  withoutState,
  type TaskExecutionStatus,
} from '../domain/task-execution-status.js';
import type { ApiError } from '../domain/api-error.js';
import type { ClusterPort, ObjectRef } from '../ports/cluster.js';
import { silentLogger, type Logger } from '../ports/logger.js';
import { noopMetrics, type Metrics } from '../ports/metrics.js';
import type {
  StateStore,
  StateStoreError,
  StoredTask,
  StoredTasks,
  UnreadableRecord,
} from '../ports/state-store.js';

/** The task id of a TaskExecution: `<namespace>/<name>`, unique in the cluster and stable across restarts. */
export const taskIdOfObject = (o: KubeObject): string =>
  `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

const refOfTaskId = (taskId: string): ObjectRef => {
  const i = taskId.indexOf('/');
  return { ...TASK_EXECUTION, namespace: taskId.slice(0, i), name: taskId.slice(i + 1) };
};

/** JSON with object keys sorted, so two encodings of one value compare equal whatever their key order. */
export const canonicalJson = (u: unknown): string =>
  JSON.stringify(u, (_, v: unknown) =>
    isPlainObject(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, v[k]]),
        )
      : v,
  );

/** What the store knows of one TaskExecution. */
interface Tracked {
  resourceVersion: string;
  /** The state the cluster holds, as canonical JSON (undefined: none yet). */
  state: string | undefined;
  /** The status fields the cluster holds (without state), as last written or read. */
  written: TaskExecutionStatus;
  /** The status fields the controller wants shown. */
  desired: TaskExecutionStatus;
  /** Another writer changed the state: this process no longer writes it (see `put`). */
  fenced: boolean;
  /** The object is gone: nothing is kept for it any more. */
  gone: boolean;
  /** A state the manager let the store hold back (`deferrable`): written with the next write. */
  pending: unknown;
  /** The last operation on this task: every operation waits for it, so they take effect in call order. */
  tail: Promise<unknown>;
}

export interface TaskExecutionStoreOptions {
  readonly cluster: ClusterPort;
  /** The TaskExecutions as the controller's informer holds them: `list` reads them, with no LIST of its own. */
  readonly objects: () => ReadonlyArray<KubeObject>;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
  /**
   * Called when a write finds that another writer changed the task's state (its view of the task is stale), with
   * the object as it is now. The caller may take the task up again from that object (`retrack`); without this
   * option the task stays fenced.
   */
  readonly onSuperseded?: (taskId: string, current: KubeObject) => void;
}

/** What made a write: a state stored (write-ahead), a phase shown after the status delay, a task forgotten. */
type WriteOperation = 'put' | 'flush' | 'remove';

/** How many times a write is retried after a Conflict that only metadata caused (a label added, say). */
const CONFLICT_RETRIES = 5;

const storeError = (message: string): StateStoreError => ({ _tag: 'StateStoreError', message });

/**
 * Keeps each task's lifecycle state in `status.state` of its TaskExecution, written with the status fields the
 * controller wants shown in one merge patch on the status subresource. The state is opaque JSON here.
 *
 * Every write carries the resourceVersion this process last saw, so a write based on an old view fails with
 * Conflict. On a Conflict the object is read again: if its state is still the one this process wrote (the
 * conflict came from a metadata change, a label say), the write is retried on the new version; if another writer
 * changed the state, this process's view of the task is stale: the task is fenced, and every later write of it
 * fails without a call, so this process never overwrites the newer state and runs none of the commands planned on
 * the old view (write-ahead). The stale process may be either one of two that overlap while leadership changes
 * hands (the old leader's write can land first), so the fence is not the end: `onSuperseded` hands over the
 * object as it is now, and the controller takes the task up again from it (`retrack`, and the manager's
 * `reload`). Every write being guarded, the states stored form one line whoever writes them.
 *
 * A write that finds nothing to change (the same state and status) makes no call. A TaskExecution removed under
 * the controller (its finalizer forced off) keeps no state: writes for it succeed without a call, so its task can
 * still clean up; the garbage collector removes its objects in any case through their owner references.
 */
export class TaskExecutionStore implements StateStore {
  private readonly tracked = new Map<string, Tracked>();
  private inFlight = 0;
  private readonly logger: Logger;
  private readonly metrics: Metrics;

  constructor(private readonly opts: TaskExecutionStoreOptions) {
    this.logger = opts.logger ?? silentLogger;
    this.metrics = opts.metrics ?? noopMetrics;
  }

  /** Starts tracking a TaskExecution as the informer shows it (no-op when already tracked). */
  track(o: KubeObject): void {
    if (!this.tracked.has(taskIdOfObject(o))) this.retrack(o);
  }

  /**
   * Tracks a TaskExecution afresh from the object given (after `onSuperseded`): what this process knew of it is
   * dropped, and operations called before that have not run yet fail without a call, so nothing based on the old
   * view is written. Later operations run after them, on the object's resourceVersion.
   */
  retrack(o: KubeObject): void {
    const taskId = taskIdOfObject(o);
    const status = statusOfObject(o);
    this.tracked.set(taskId, {
      resourceVersion: o.metadata?.resourceVersion ?? '',
      state: status.state === undefined ? undefined : canonicalJson(status.state),
      written: withoutState(status),
      desired: withoutState(status),
      fenced: false,
      gone: false,
      pending: undefined,
      tail: this.tracked.get(taskId)?.tail ?? Promise.resolve(),
    });
  }

  /** Status writes sent and not answered yet, of every task: how busy the API server keeps the store. */
  get writesInFlight(): number {
    return this.inFlight;
  }

  /** Whether the store tracks the task. */
  has(taskId: string): boolean {
    return this.tracked.has(taskId);
  }

  /** The status fields the controller wants shown (the last `setStatus`), or those the object had. */
  status(taskId: string): TaskExecutionStatus | undefined {
    return this.tracked.get(taskId)?.desired;
  }

  /** Whether no status waits to be written: the one wanted is the one written (or the task is not tracked). */
  isShown(taskId: string): boolean {
    const t = this.tracked.get(taskId);
    return t === undefined || canonicalJson(t.desired) === canonicalJson(t.written);
  }

  /** Whether a newer writer took the task over (this process then writes nothing for it). */
  isFenced(taskId: string): boolean {
    return this.tracked.get(taskId)?.fenced === true;
  }

  /** Sets the status fields to show; they are written with the next `put`, or by `flush`. */
  setStatus(taskId: string, status: TaskExecutionStatus): void {
    const t = this.tracked.get(taskId);
    if (t !== undefined) t.desired = withoutState(status);
  }

  /**
   * Writes the wanted status fields now, if they differ from the written ones (with any held-back state); with
   * nothing new to show it makes no call, even when a state is held back.
   */
  flush(taskId: string): TE.TaskEither<StateStoreError, void> {
    return () => this.enqueue(taskId, (t) => this.write(taskId, t, undefined, 'flush'));
  }

  /**
   * Stores the state. A `deferrable` one (its step changes nothing in the cluster) is held back and written with
   * the task's next write: the state before a create or a delete, or a phase the controller flushes.
   */
  put(record: StoredTask): TE.TaskEither<StateStoreError, void> {
    return () =>
      this.enqueue(record.taskId, (t) => {
        if (record.deferrable === true && !t.fenced && !t.gone) {
          t.pending = record.state;
          return Promise.resolve(E.right(undefined));
        }
        return this.write(record.taskId, t, record.state, 'put');
      });
  }

  /**
   * Forgets the task after writing any status still wanted (with a held-back state, if so; a held-back state alone
   * is dropped, see `flush`). The TaskExecution keeps its status and state: they are the record of what happened,
   * and a task resumed from them ends as it did, redoing only observations.
   */
  remove(taskId: string): TE.TaskEither<StateStoreError, void> {
    return () =>
      this.enqueue(taskId, async (t) => {
        const r = await this.write(taskId, t, undefined, 'remove');
        if (this.tracked.get(taskId) === t) this.tracked.delete(taskId);
        return r;
      });
  }

  /** The TaskExecutions that hold a state, from the informer's cache; a spec that no longer decodes is unreadable. */
  list(): TE.TaskEither<StateStoreError, StoredTasks> {
    return () => {
      const tasks: StoredTask[] = [];
      const unreadable: UnreadableRecord[] = [];
      for (const o of this.opts.objects()) {
        const state = statusOfObject(o).state;
        if (state === undefined) continue;
        const taskId = taskIdOfObject(o);
        const te = taskOfObject(o);
        if (E.isLeft(te)) {
          unreadable.push({
            _tag: 'UnreadableRecord',
            location: `taskexecution ${taskId}`,
            message: te.left.map(renderIssue).join('; '),
          });
          continue;
        }
        this.track(o);
        tasks.push({ taskId, task: TaskExecutionC.encode(te.right), state });
      }
      return Promise.resolve(E.right({ tasks, unreadable }));
    };
  }

  /** Runs `op` after the task's earlier operations, on the record it was called for (never on a newer one). */
  private async enqueue(
    taskId: string,
    op: (t: Tracked) => Promise<E.Either<StateStoreError, void>>,
  ): Promise<E.Either<StateStoreError, void>> {
    const t = this.tracked.get(taskId);
    if (t === undefined) return E.left(storeError(`TaskExecution ${taskId} is not tracked`));
    const guarded = (): Promise<E.Either<StateStoreError, void>> =>
      this.tracked.get(taskId) === t
        ? op(t)
        : Promise.resolve(
            E.left(
              storeError(
                this.tracked.has(taskId)
                  ? `TaskExecution ${taskId}: another writer updated its state`
                  : `TaskExecution ${taskId} is not tracked`,
              ),
            ),
          );
    const run = t.tail.then(guarded, guarded);
    t.tail = run;
    return run;
  }

  /** One guarded write of the wanted status and, when given, a new state. */
  private async write(
    taskId: string,
    t: Tracked,
    given: unknown,
    operation: WriteOperation,
  ): Promise<E.Either<StateStoreError, void>> {
    if (t.gone) return E.right(undefined);
    if (t.fenced) return E.left(storeError(`TaskExecution ${taskId}: another writer updated its state`));
    // A held-back state rides with a status to show or a state that must be stored, never alone: its step changed
    // nothing in the cluster, so losing it (a remove drops it) costs what a crash would, observations redone on
    // resume, while writing it alone would cost every task a write (the last one: its objects seen gone).
    if (given === undefined && canonicalJson(t.desired) === canonicalJson(t.written))
      return E.right(undefined);
    const held = t.pending;
    t.pending = undefined;
    const r = await this.writeNow(taskId, t, given ?? held, operation);
    // A held-back state not written stays held (unless a newer one came meanwhile, or the task is fenced).
    if (E.isLeft(r) && !t.fenced && t.pending === undefined && given === undefined) t.pending = held;
    return r;
  }

  private async writeNow(
    taskId: string,
    t: Tracked,
    state: unknown,
    operation: WriteOperation,
  ): Promise<E.Either<StateStoreError, void>> {
    const stateJson = state === undefined ? t.state : canonicalJson(state);
    const ref = refOfTaskId(taskId);
    for (let tries = 0; ; tries++) {
      // Made afresh on every try: after a Conflict, `written` is what the object holds now.
      const desired = t.desired;
      if (stateJson === t.state && canonicalJson(desired) === canonicalJson(t.written))
        return E.right(undefined);
      const status: Record<string, unknown> = {};
      for (const k of STATUS_KEYS) {
        if (desired[k] !== undefined) status[k] = desired[k];
        else if (t.written[k] !== undefined) status[k] = null;
      }
      if (state !== undefined) status['state'] = state;
      this.inFlight++;
      const r = await this.opts.cluster
        .patchStatus(ref, {
          type: 'merge',
          body: { metadata: { resourceVersion: t.resourceVersion }, status },
        })()
        .finally(() => this.inFlight--);
      if (E.isRight(r)) {
        this.count('success');
        this.metrics.increment('kubetasks_taskexecution_status_writes_by_operation_total', { operation });
        t.resourceVersion = r.right.metadata?.resourceVersion ?? t.resourceVersion;
        t.state = stateJson;
        t.written = desired;
        return E.right(undefined);
      }
      if (r.left.reason === 'NotFound') return this.goneNow(t, taskId);
      if (r.left.reason !== 'Conflict' || tries >= CONFLICT_RETRIES) return this.failed(taskId, r.left);
      this.count('conflict');
      // A GET only here: the informer may not have seen the newer version yet.
      const fresh = await this.opts.cluster.get(ref)();
      if (E.isLeft(fresh)) {
        if (fresh.left.reason === 'NotFound') return this.goneNow(t, taskId);
        return this.failed(taskId, fresh.left);
      }
      const current = statusOfObject(fresh.right);
      const held = current.state === undefined ? undefined : canonicalJson(current.state);
      if (held !== t.state) {
        t.fenced = true;
        this.count('fenced');
        this.logger.error('another writer updated the task state; this process stops writing it', {
          task: taskId,
        });
        this.opts.onSuperseded?.(taskId, fresh.right);
        return E.left(storeError(`TaskExecution ${taskId}: another writer updated its state`));
      }
      t.resourceVersion = fresh.right.metadata?.resourceVersion ?? t.resourceVersion;
      t.written = withoutState(current);
      // A peer at the same state (processes overlap while leadership changes hands) may have shown more: the
      // status never goes back, so its status is adopted and later updates build on it.
      if (showsLess(t.desired, t.written)) t.desired = t.written;
    }
  }

  private goneNow(t: Tracked, taskId: string): E.Either<StateStoreError, void> {
    t.gone = true;
    this.logger.warn('TaskExecution is gone; its task keeps no state', { task: taskId });
    return E.right(undefined);
  }

  private failed(taskId: string, e: ApiError): E.Either<StateStoreError, void> {
    this.count('error');
    return E.left(storeError(`TaskExecution ${taskId}: ${e.reason}: ${e.message}`));
  }

  private count(result: string): void {
    this.metrics.increment('kubetasks_taskexecution_status_writes_total', { result });
  }
}
