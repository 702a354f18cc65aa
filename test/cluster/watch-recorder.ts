// A test-side watch that records every change of one kind, resuming from the last resourceVersion across breaks.
import * as E from 'fp-ts/lib/Either.js';
import type { GroupVersionKind, KubeObject } from '../../src/domain/kubernetes.js';
import type { ClusterPort } from '../../src/ports/cluster.js';

/** One change as the recorder saw it, with the local time it arrived (Date.now()). */
export interface Recorded {
  readonly at: number;
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly object: KubeObject;
}

/** A running recording. */
export interface Recorder {
  /** Every change seen so far, in arrival order. */
  readonly events: ReadonlyArray<Recorded>;
  /**
   * Times the watch could not resume from where it was (410 Expired, typically after a kube-apiserver restart)
   * and listed again instead: changes made in such a gap may be missing (those still visible come as ADDED).
   */
  readonly relists: () => number;
  /** Waits until the recording's latest view of every object is what a list shows (none more, none fewer). */
  readonly caughtUp: () => Promise<void>;
  readonly stop: () => void;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const keyOf = (o: KubeObject): string => `${o.metadata?.uid ?? ''}@${o.metadata?.resourceVersion ?? ''}`;

/**
 * Records every change of `gvk` in `namespace` from now on. A watch that ends (a broken connection, a restarted
 * API server) is opened again from the last resourceVersion seen, so no change is missed; only when the server no
 * longer has that version does the recorder list again (counted in `relists`).
 */
export const recordChanges = async (
  cluster: ClusterPort,
  gvk: GroupVersionKind,
  namespace: string,
  onEvent: (e: Recorded) => void = () => undefined,
): Promise<Recorder> => {
  const events: Recorded[] = [];
  let relists = 0;
  let stopped = false;
  let stopWatch: () => void = () => undefined;

  const list = async (): Promise<E.Either<string, { rv: string; items: ReadonlyArray<KubeObject> }>> => {
    const r = await cluster.list(gvk, { namespace })();
    return E.isLeft(r)
      ? E.left(r.left.message)
      : E.right({ rv: r.right.resourceVersion, items: r.right.items });
  };
  let first = await list();
  while (E.isLeft(first)) {
    await sleep(200);
    first = await list();
  }
  let rv = first.right.rv;
  const push = (e: Recorded): void => {
    events.push(e);
    onEvent(e);
  };
  for (const object of first.right.items) push({ at: Date.now(), type: 'ADDED', object });

  const loop = async (): Promise<void> => {
    while (!stopped) {
      const opened = await cluster.watch(gvk, { namespace, resourceVersion: rv, allowBookmarks: true })();
      if (E.isLeft(opened)) {
        await sleep(200);
        continue;
      }
      stopWatch = opened.right.stop;
      if (stopped) opened.right.stop();
      let expired = false;
      for await (const e of opened.right) {
        if (e.type === 'BOOKMARK') rv = e.resourceVersion;
        else if (e.type === 'ERROR') {
          expired = e.error.reason === 'Expired' || e.error.reason === 'Gone';
          break;
        } else {
          rv = e.object.metadata?.resourceVersion ?? rv;
          push({ at: Date.now(), type: e.type, object: e.object });
        }
      }
      opened.right.stop();
      if (expired && !stopped) {
        relists++;
        const again = await list();
        if (E.isRight(again)) {
          rv = again.right.rv;
          for (const object of again.right.items) push({ at: Date.now(), type: 'ADDED', object });
        }
      } else if (!stopped) await sleep(100);
    }
  };
  const running = loop();
  void running;

  return {
    events,
    relists: () => relists,
    caughtUp: async () => {
      for (;;) {
        const r = await list();
        if (E.isRight(r)) {
          const latest = new Map<string, Recorded>();
          for (const e of events) latest.set(e.object.metadata?.name ?? '', e);
          const seen = [...latest.values()]
            .filter((e) => e.type !== 'DELETED')
            .map((e) => keyOf(e.object))
            .sort();
          const listed = r.right.items.map(keyOf).sort();
          if (JSON.stringify(seen) === JSON.stringify(listed)) return;
        }
        await sleep(200);
      }
    },
    stop: () => {
      stopped = true;
      stopWatch();
    },
  };
};
