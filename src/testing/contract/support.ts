// Helpers for the cluster contract: unwrapping results, fresh namespaces, object builders and timed watch reading.
import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { GroupVersionKind, KubeObject } from '../../domain/kubernetes.js';
import type { Clock } from '../../ports/clock.js';
import { showApiError, type ApiError } from '../../domain/api-error.js';
import type { ClusterPort, ObjectRef, WatchEvent, WatchOptions, WatchStream } from '../../ports/cluster.js';
import { WIDGET } from './kinds.js';

/** What the contract needs from an adapter under test. */
export interface ContractAdapter {
  readonly cluster: ClusterPort;
  /** The clock the adapter (and the simulated kubelet the contract starts) runs on; the contract waits on it. */
  readonly clock: Clock;
  /** Releases what the factory made (closes the cluster, stops processes); objects may be left behind. */
  readonly cleanup: () => Promise<void>;
}

/** Makes an adapter for one test. It may hand out the same cluster every time: tests use their own namespaces. */
export type AdapterFactory = () => Promise<ContractAdapter>;

/** How long the contract waits for something that should happen, on the adapter's clock. */
export const WAIT_MS = 30_000;

export const POD: GroupVersionKind = { apiVersion: 'v1', kind: 'Pod' };
export const CONFIG_MAP: GroupVersionKind = { apiVersion: 'v1', kind: 'ConfigMap' };
export const NAMESPACE: GroupVersionKind = { apiVersion: 'v1', kind: 'Namespace' };

/** The value of a successful call; a failure fails the test with the error. */
export const ok = async <A>(call: TE.TaskEither<ApiError, A>): Promise<A> => {
  const r = await call();
  if (E.isLeft(r)) throw new Error(`expected success, got ${showApiError(r.left)}`);
  return r.right;
};

/** The error of a failed call; a success fails the test. */
export const err = async <A>(call: TE.TaskEither<ApiError, A>): Promise<ApiError> => {
  const r = await call();
  if (E.isRight(r))
    throw new Error(`expected a failure, got ${JSON.stringify(r.right)?.slice(0, 300) ?? 'nothing'}`);
  return r.left;
};

/** Rejects when `ms` pass on the clock before `p` settles. */
export const within = <A>(clock: Clock, ms: number, what: string, p: Promise<A>): Promise<A> =>
  new Promise<A>((resolve, reject) => {
    const cancel = clock.setTimer(ms, () => {
      reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
    });
    p.then(
      (a) => {
        cancel();
        resolve(a);
      },
      (e: unknown) => {
        cancel();
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });

/** A namespace of its own for one test (named by the server from a prefix, so runs never collide). */
export const freshNamespace = async (cluster: ClusterPort): Promise<string> => {
  const ns = await ok(
    cluster.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { generateName: 'kt-contract-' } }),
  );
  return ns.metadata?.name ?? '';
};

/** The resourceVersion as a number, for ordering checks (the API server's are etcd revisions). */
export const rvOf = (o: KubeObject | undefined): bigint => BigInt(o?.metadata?.resourceVersion ?? '0');

export const refTo = (gvk: GroupVersionKind, namespace: string, name: string): ObjectRef => ({
  ...gvk,
  namespace,
  name,
});

export const configMap = (
  namespace: string,
  name: string,
  data: Readonly<Record<string, string>> = { k: 'v' },
  meta: Readonly<Record<string, unknown>> = {},
): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, ...meta }, data });

export interface PodShape {
  readonly annotations?: Readonly<Record<string, string>>;
  readonly labels?: Readonly<Record<string, string>>;
  readonly finalizers?: ReadonlyArray<string>;
  readonly nodeName?: string;
  readonly restartPolicy?: 'Always' | 'OnFailure' | 'Never';
  readonly initContainers?: boolean;
  readonly image?: string;
}

export const pod = (namespace: string, name: string, shape: PodShape = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name,
    namespace,
    ...(shape.labels === undefined ? {} : { labels: { ...shape.labels } }),
    ...(shape.annotations === undefined ? {} : { annotations: { ...shape.annotations } }),
    ...(shape.finalizers === undefined ? {} : { finalizers: [...shape.finalizers] }),
  },
  spec: {
    restartPolicy: shape.restartPolicy ?? 'Never',
    ...(shape.nodeName === undefined ? {} : { nodeName: shape.nodeName }),
    ...(shape.initContainers === true
      ? { initContainers: [{ name: 'setup', image: 'busybox:1.36', command: ['true'] }] }
      : {}),
    containers: [
      {
        name: 'main',
        image: shape.image ?? 'busybox:1.36',
        command: ['sh', '-c', 'true'],
        env: [{ name: 'A', value: '1' }],
      },
    ],
  },
});

export const widget = (
  namespace: string,
  name: string,
  spec: Readonly<Record<string, unknown>> = { size: 1 },
  meta: Readonly<Record<string, unknown>> = {},
): KubeObject => ({
  apiVersion: WIDGET.apiVersion,
  kind: WIDGET.kind,
  metadata: { name, namespace, ...meta },
  spec,
});

/** Reads a watch with timeouts on the clock. */
export interface EventReader {
  /** The next event; fails the test after `ms`. */
  readonly next: (ms?: number) => Promise<WatchEvent>;
  /** Events up to and including the first that satisfies `done`. */
  readonly until: (done: (e: WatchEvent) => boolean, ms?: number) => Promise<WatchEvent[]>;
  /** Whether the stream has ended (after `next` reported the end). */
  readonly stop: () => void;
}

export const readerOf = (clock: Clock, stream: WatchStream): EventReader => {
  const it = stream[Symbol.asyncIterator]();
  const next = async (ms = WAIT_MS): Promise<WatchEvent> => {
    const r = await within(clock, ms, 'a watch event', it.next());
    if (r.done === true) throw new Error('the watch ended');
    return r.value;
  };
  return {
    next,
    until: async (done, ms = WAIT_MS) => {
      const out: WatchEvent[] = [];
      for (;;) {
        const e = await next(ms);
        out.push(e);
        if (done(e)) return out;
      }
    },
    stop: () => {
      stream.stop();
    },
  };
};

/** Opens a watch and reads it with timeouts. */
export const watchOf = async (
  adapter: ContractAdapter,
  gvk: GroupVersionKind,
  options: WatchOptions,
): Promise<EventReader> => readerOf(adapter.clock, await ok(adapter.cluster.watch(gvk, options)));

/**
 * The error a watch reports, whether the server refuses the request (Left) or accepts it and sends an ERROR event
 * first: both happen on real API servers, depending on where the check sits.
 */
export const watchError = async (
  adapter: ContractAdapter,
  gvk: GroupVersionKind,
  options: WatchOptions,
): Promise<ApiError> => {
  const r = await adapter.cluster.watch(gvk, options)();
  if (E.isLeft(r)) return r.left;
  const reader = readerOf(adapter.clock, r.right);
  try {
    const events = await reader.until((e) => e.type === 'ERROR');
    const last = events[events.length - 1];
    if (last?.type !== 'ERROR') throw new Error('no ERROR event');
    return last.error;
  } finally {
    reader.stop();
  }
};

/** The name of an object in a watch event ('' for bookmarks and errors). */
export const nameIn = (e: WatchEvent): string =>
  e.type === 'ADDED' || e.type === 'MODIFIED' || e.type === 'DELETED' ? (e.object.metadata?.name ?? '') : '';

/** `ADDED a` / `MODIFIED a` / `BOOKMARK`: a compact trace of a watch. */
export const traceOf = (events: ReadonlyArray<WatchEvent>): string[] =>
  events.map((e) => (e.type === 'BOOKMARK' || e.type === 'ERROR' ? e.type : `${e.type} ${nameIn(e)}`));

/** Polls `f` on the clock until it returns a value (not undefined), or fails after `ms`. */
export const eventually = async <A>(
  clock: Clock,
  what: string,
  f: () => Promise<A | undefined>,
  ms = WAIT_MS,
  stepMs = 100,
): Promise<A> => {
  const deadline = clock.now() + ms;
  for (;;) {
    const a = await f();
    if (a !== undefined) return a;
    if (clock.now() >= deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await clock.sleep(stepMs)();
  }
};
