// Watch plumbing for the in-memory cluster: event streams, per-kind event history, and selector-aware fan-out.
import type { KubeObject } from '../../domain/kubernetes.js';
import type { WatchEvent, WatchStream } from '../../ports/cluster.js';
import { matchesFields, matchesLabels, type FieldSelector, type LabelSelector } from './selectors.js';

// -------------------------------------------------------------------------------------
// streams
// -------------------------------------------------------------------------------------

/** The producing side of a stream. */
export interface WatchSink {
  readonly push: (event: WatchEvent) => void;
  /** Ends the stream after the events already pushed. */
  readonly end: () => void;
  readonly ended: () => boolean;
}

/**
 * A single-consumer async stream. Events queue without bound until read (the API server would instead close a
 * watcher that falls too far behind; see docs/cluster-port.md). `onStop` runs once, when the consumer stops or
 * the producer ends the stream.
 */
export const makeWatchStream = (
  onStop: () => void,
): { readonly stream: WatchStream; readonly sink: WatchSink } => {
  let queue: WatchEvent[] = [];
  let head = 0;
  let ended = false;
  let waiting: ((r: IteratorResult<WatchEvent>) => void) | undefined;

  const finish = (): void => {
    if (ended) return;
    ended = true;
    onStop();
    if (waiting !== undefined && head >= queue.length) {
      const w = waiting;
      waiting = undefined;
      w({ done: true, value: undefined });
    }
  };

  const sink: WatchSink = {
    push: (event) => {
      if (ended) return;
      if (waiting !== undefined) {
        const w = waiting;
        waiting = undefined;
        w({ done: false, value: event });
        return;
      }
      queue.push(event);
    },
    end: finish,
    ended: () => ended,
  };

  const next = (): Promise<IteratorResult<WatchEvent>> => {
    if (head < queue.length) {
      const value = queue[head] as WatchEvent;
      head++;
      if (head > 1024 && head * 2 > queue.length) {
        queue = queue.slice(head);
        head = 0;
      }
      return Promise.resolve({ done: false, value });
    }
    if (ended) return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve) => {
      waiting = resolve;
    });
  };

  const stream: WatchStream = {
    stop: () => {
      queue = [];
      head = 0;
      finish();
    },
    [Symbol.asyncIterator]: () => ({
      next,
      return: () => {
        stream.stop();
        return Promise.resolve({ done: true, value: undefined });
      },
    }),
  };
  return { stream, sink };
};

// -------------------------------------------------------------------------------------
// history
// -------------------------------------------------------------------------------------

/** One committed change: the object after it (for DELETED: the last state at the deletion's version). */
export interface ChangeEvent {
  readonly rv: number;
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly object: KubeObject;
  /** The object before the change (MODIFIED, DELETED); decides selector transitions. */
  readonly prev: KubeObject | undefined;
  readonly namespace: string;
}

/**
 * The recent changes of one kind, for watches that resume from a resourceVersion. Like the API server's watch
 * cache it holds a bounded window; a watch from before the window gets Expired.
 */
export interface EventLog {
  readonly append: (e: ChangeEvent) => void;
  /** The oldest version a watch may start from. */
  readonly floor: () => number;
  /** Changes after `rv`, oldest first. */
  readonly since: (rv: number) => ReadonlyArray<ChangeEvent>;
}

export const makeEventLog = (capacity: number, startRv: number): EventLog => {
  const cap = Math.max(1, capacity);
  const ring: Array<ChangeEvent | undefined> = new Array<ChangeEvent | undefined>(cap);
  let start = 0;
  let size = 0;
  let floor = startRv;
  const at = (i: number): ChangeEvent => ring[(start + i) % cap] as ChangeEvent;
  return {
    append: (e) => {
      const full = size === cap;
      if (full) {
        start = (start + 1) % cap;
        size--;
      }
      ring[(start + size) % cap] = e;
      size++;
      // As in the watch cache: once something fell out, a watch may start just before the oldest event kept.
      if (full) floor = at(0).rv - 1;
    },
    floor: () => floor,
    since: (rv) => {
      // Binary search for the first event after rv.
      let lo = 0;
      let hi = size;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (at(mid).rv <= rv) lo = mid + 1;
        else hi = mid;
      }
      const out: ChangeEvent[] = [];
      for (let i = lo; i < size; i++) out.push(at(i));
      return out;
    },
  };
};

// -------------------------------------------------------------------------------------
// watchers
// -------------------------------------------------------------------------------------

/** A registered watch: what it selects and where its events go. */
export interface Watcher {
  readonly namespace: string | undefined;
  readonly labels: LabelSelector;
  readonly fields: FieldSelector;
  readonly fieldValue: (o: KubeObject, field: string) => string;
  readonly bookmarks: boolean;
  /** Only changes after this version (a watch from a version the cluster has not reached yet waits for it). */
  readonly after: number;
  readonly sink: WatchSink;
}

const selects = (w: Watcher, o: KubeObject): boolean =>
  matchesLabels(w.labels, o.metadata?.labels) && matchesFields(w.fields, (f) => w.fieldValue(o, f));

/** The object of a DELETED event: the previous content at the event's resourceVersion. */
const asOf = (o: KubeObject, rv: number): KubeObject =>
  Object.freeze({ ...o, metadata: Object.freeze({ ...o.metadata, resourceVersion: String(rv) }) });

/**
 * What a watcher sees of a change, as the API server's cacheWatcher decides it: an object that starts matching
 * is ADDED, one that stops matching is DELETED (with its previous content), a deletion is seen only by watchers
 * the object matched before.
 */
export const viewOf = (w: Watcher, e: ChangeEvent): WatchEvent | undefined => {
  if (e.rv <= w.after) return undefined;
  if (w.namespace !== undefined && w.namespace !== e.namespace) return undefined;
  const now = e.type !== 'DELETED' && selects(w, e.object);
  const before = e.prev !== undefined && selects(w, e.prev);
  if (now && !before) return { type: 'ADDED', object: e.object };
  if (now && before) return { type: 'MODIFIED', object: e.object };
  if (!now && before && e.prev !== undefined) {
    return { type: 'DELETED', object: e.type === 'DELETED' ? e.object : asOf(e.prev, e.rv) };
  }
  return undefined;
};

/** Whether the watcher selects the object (for the initial ADDED events). */
export const watcherSelects = (w: Watcher, o: KubeObject): boolean =>
  (w.namespace === undefined || w.namespace === (o.metadata?.namespace ?? '')) && selects(w, o);
