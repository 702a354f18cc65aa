// The watched objects of the manager's tasks: which task owns which object, and what a task observes of a change.
import type { KubeObject } from '../domain/kubernetes.js';
import type { Observation } from '../domain/lifecycle/protocol.js';
import { currentOwned } from '../domain/lifecycle/state.js';
import { refOf } from '../domain/object-ref.js';
import type { RelatedResourceQuery } from '../domain/plugin.js';
import type { Logger } from '../ports/logger.js';
import { keyOf, type InformerEvent } from './informer.js';
import type { KindInformers } from './kind-informers.js';
import { RelatedResources } from './related-resources.js';
import { objectIndexKey, type Runtime } from './task-runtime.js';

/** What `TaskObjects` needs of the manager. */
export interface TaskObjectsOptions {
  readonly informers: KindInformers;
  readonly logger: Logger;
  /** The live task with this id, if the manager holds it. */
  readonly task: (taskId: string) => Runtime | undefined;
  /** Queues an observation for a task. */
  readonly enqueue: (rt: Runtime, o: Observation) => void;
}

/**
 * Routes informer events to the tasks they concern: a task's own objects by an index of what it owns, and the
 * objects its plugin asked to see beside them (related resources, answered from the same informers, never by a
 * GET). Observations of a task's object carry the related objects its plugin asks for.
 */
export class TaskObjects {
  private readonly owners = new Map<string, string>();
  private readonly related: RelatedResources<Runtime>;

  constructor(private readonly opts: TaskObjectsOptions) {
    this.related = new RelatedResources<Runtime>((kind) => opts.informers.existing(kind));
  }

  /** Indexes every object the task owns, so the informers' events about them reach it. */
  index(rt: Runtime): void {
    for (const o of rt.state.owned) this.owners.set(objectIndexKey(o.ref), rt.taskId);
  }

  /** Whether a task this manager holds owns the object (`key` is its kind's informer key). */
  owns(key: string, o: KubeObject): boolean {
    const meta = o.metadata;
    return this.owners.has(`${key}|${keyOf(meta?.namespace ?? '', meta?.name ?? '')}`);
  }

  /** Drops the task's objects from the index (the task is forgotten). */
  unindex(rt: Runtime): void {
    for (const o of rt.state.owned) this.owners.delete(objectIndexKey(o.ref));
  }

  /** Stops telling the task about related objects (it has settled). */
  forgetRelated(rt: Runtime): void {
    this.related.forget(rt);
  }

  /** The task's current object as the watch cache holds it (the state's own notion of "current"). */
  currentObject(rt: Runtime): KubeObject | undefined {
    const current = currentOwned(rt.state);
    return current === undefined ? undefined : this.opts.informers.cached(current.ref);
  }

  /** One informer event: the task that owns the object observes it, and tasks related to it look again. */
  onInformerEvent(key: string, e: InformerEvent): void {
    for (const owner of this.related.ownersOf(key, e.object)) {
      // A related object changed: the task looks at its own object again, with fresh related objects.
      const own = this.currentObject(owner);
      if (own !== undefined) this.opts.enqueue(owner, this.observed(owner, own));
    }
    const meta = e.object.metadata;
    const taskId = this.owners.get(`${key}|${keyOf(meta?.namespace ?? '', meta?.name ?? '')}`);
    const rt = taskId === undefined ? undefined : this.opts.task(taskId);
    if (rt === undefined) return;
    this.opts.enqueue(
      rt,
      e.type === 'upsert' ? this.observed(rt, e.object) : { _tag: 'ObjectGone', ref: refOf(e.object) },
    );
  }

  /** The observation of the task's object, with the related objects its plugin asks for. */
  observed(rt: Runtime, object: KubeObject): Observation {
    const ask = rt.plugin.relatedResources;
    if (ask === undefined) return { _tag: 'ObjectObserved', object };
    let queries: ReadonlyArray<RelatedResourceQuery>;
    try {
      queries = ask(object);
    } catch (e) {
      // A throwing plugin hook must not stop the task; the phase is then computed without related objects.
      this.opts.logger.warn('relatedResources failed', {
        task: rt.taskId,
        plugin: rt.plugin.id,
        error: String(e),
      });
      queries = [];
    }
    return { _tag: 'ObjectObserved', object, related: this.related.answer(rt, queries) };
  }
}
