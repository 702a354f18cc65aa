// The watch hub of the in-memory cluster: per-kind change history, open watchers, bookmarks, and opening a watch.
import * as E from 'fp-ts/lib/Either.js';
import type { KubeObject } from '../../domain/kubernetes.js';
import { badRequest, resourceExpired, type ApiError } from '../../domain/api-error.js';
import type { Clock } from '../../ports/clock.js';
import type { WatchOptions, WatchStream } from '../../ports/cluster.js';
import type { KindInfo } from './kinds.js';
import type { ParsedSelection } from './selection.js';
import {
  makeEventLog,
  makeWatchStream,
  viewOf,
  watcherSelects,
  type ChangeEvent,
  type EventLog,
  type Watcher,
} from './watch.js';

/** What the hub needs of the cluster it serves. */
export interface WatchHubOptions {
  readonly clock: Clock;
  /** Changes kept per kind for watches that resume from a resourceVersion. */
  readonly history: number;
  /** How often watches that allow bookmarks get one. */
  readonly bookmarkIntervalMs: number;
  /** The latest resourceVersion, for bookmarks. */
  readonly resourceVersion: () => number;
  /** The stored objects a watch starts with (sorted, selected). */
  readonly select: (
    k: KindInfo,
    namespace: string | undefined,
    keep: (o: KubeObject) => boolean,
  ) => ReadonlyArray<KubeObject>;
}

/**
 * Fans committed changes out to the watchers that select them and keeps each kind's recent history, so a watch
 * can start from a resourceVersion (or get Expired when it is too old), as the API server's watch cache does.
 */
export interface WatchHub {
  /** Starts the history of a newly served kind at the current version. */
  readonly addKind: (key: string) => void;
  /** Records a committed change and hands it to every watcher of its kind that sees it. */
  readonly dispatch: (k: KindInfo, e: ChangeEvent) => void;
  /** Opens a watch of a kind; the selection was parsed by the caller. */
  readonly open: (
    k: KindInfo,
    selection: ParsedSelection,
    opts: WatchOptions,
  ) => E.Either<ApiError, WatchStream>;
  /** Forgets all history: the watch window starts now (used once the cluster has booted). */
  readonly resetHistory: () => void;
  /** Ends every watch and stops the bookmark timer. */
  readonly close: () => void;
}

/** A hub with no kinds and no watchers. */
export const makeWatchHub = (options: WatchHubOptions): WatchHub => {
  const { clock, history, bookmarkIntervalMs, resourceVersion } = options;
  let closed = false;
  const logs = new Map<string, EventLog>();
  const watchers = new Map<string, Set<Watcher>>();
  const allStreams = new Set<WatchStream>();
  let bookmarkWatchers = 0;
  let cancelBookmarks: (() => void) | undefined;

  const startBookmarks = (): void => {
    if (cancelBookmarks !== undefined || closed) return;
    cancelBookmarks = clock.setTimer(bookmarkIntervalMs, () => {
      cancelBookmarks = undefined;
      for (const set of watchers.values()) {
        for (const w of set)
          if (w.bookmarks) w.sink.push({ type: 'BOOKMARK', resourceVersion: String(resourceVersion()) });
      }
      if (bookmarkWatchers > 0) startBookmarks();
    });
  };

  const open = (
    k: KindInfo,
    selection: ParsedSelection,
    opts: WatchOptions,
  ): E.Either<ApiError, WatchStream> => {
    const from = opts.resourceVersion ?? '';
    if (from !== '' && !/^\d+$/.test(from)) return E.left(badRequest(`invalid resource version: ${from}`));
    const bookmarks = opts.allowBookmarks === true || opts.sendInitialEvents === true;
    const key = k.key;
    const set = watchers.get(key) ?? new Set<Watcher>();
    let registered = false;
    const { stream, sink } = makeWatchStream(() => {
      if (registered && set.delete(w) && w.bookmarks) bookmarkWatchers--;
      allStreams.delete(stream);
      if (bookmarkWatchers === 0 && cancelBookmarks !== undefined) {
        cancelBookmarks();
        cancelBookmarks = undefined;
      }
    });
    allStreams.add(stream);
    const fromRv = from === '' ? 0 : Number(from);
    const w: Watcher = {
      ...selection,
      bookmarks,
      after: opts.sendInitialEvents === true ? 0 : fromRv,
      sink,
    };
    if (opts.sendInitialEvents === true || fromRv === 0) {
      for (const o of options.select(k, w.namespace, (x) => watcherSelects(w, x)))
        sink.push({ type: 'ADDED', object: o });
      if (opts.sendInitialEvents === true) {
        sink.push({ type: 'BOOKMARK', resourceVersion: String(resourceVersion()), initialEventsEnd: true });
      }
    } else {
      // Errors found after the request was accepted arrive in the stream, as the API server's watch cache sends them.
      const floor = logs.get(key)?.floor() ?? 0;
      // A version the cluster has not reached: like kube-apiserver, say nothing and wait for it.
      if (fromRv < floor) {
        sink.push({
          type: 'ERROR',
          error: resourceExpired(`too old resource version: ${fromRv} (${floor})`),
        });
        sink.end();
        return E.right(stream);
      }
      for (const e of logs.get(key)?.since(fromRv) ?? []) {
        const view = viewOf(w, e);
        if (view !== undefined) sink.push(view);
      }
    }
    registered = true;
    set.add(w);
    if (bookmarks) {
      bookmarkWatchers++;
      startBookmarks();
    }
    return E.right(stream);
  };

  return {
    addKind: (key) => {
      logs.set(key, makeEventLog(history, resourceVersion()));
      watchers.set(key, new Set());
    },

    dispatch: (k, e) => {
      logs.get(k.key)?.append(e);
      for (const w of watchers.get(k.key) ?? []) {
        const view = viewOf(w, e);
        if (view !== undefined) w.sink.push(view);
      }
    },

    open,

    resetHistory: () => {
      for (const key of logs.keys()) logs.set(key, makeEventLog(history, resourceVersion()));
    },

    close: () => {
      closed = true;
      for (const s of [...allStreams]) s.stop();
      cancelBookmarks?.();
      cancelBookmarks = undefined;
    },
  };
};
