// The in-memory cluster: an embedded API server with the semantics the contract suite checks, indexed for scale.
//
// This module is the port facade; the parts live beside it, as controller-runtime splits its fake client:
// store.ts (the object tracker), creation.ts + admission.ts, updates.ts, patch-request.ts, deletion.ts,
// binding.ts, controllers.ts (garbage collector, namespace lifecycle) and watch-hub.ts.
import * as E from 'fp-ts/lib/Either.js';
import * as O from 'fp-ts/lib/Option.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { GroupVersionKind, KubeObject } from '../../domain/kubernetes.js';
import type { Clock } from '../../ports/clock.js';
import {
  internalError,
  notFound,
  requestEntityTooLarge,
  resourceNotServed,
  statusError,
  type ApiError,
} from '../../domain/api-error.js';
import {
  refOf,
  type ClusterPort,
  type ObjectList,
  type ObjectRef,
  type ResourceInfo,
} from '../../ports/cluster.js';
import { silentLogger, type Logger } from '../../ports/logger.js';
import { noopMetrics, type Metrics } from '../../ports/metrics.js';
import { systemClock } from '../clock/system.js';
import { bindPod } from './binding.js';
import { makeControllers, type Controllers } from './controllers.js';
import { makeCreateObject } from './creation.js';
import { deleteRefusal, makeDeletion, type Deletion } from './deletion.js';
import { metaOf, NAMESPACE_KIND, POD_KIND, PRIORITY_KIND } from './draft.js';
import { cloneJson, exceedsJsonSize } from './json.js';
import {
  builtInKinds,
  customKindInfo,
  groupResourceOf,
  kindKey,
  type CustomKind,
  type KindInfo,
} from './kinds.js';
import { applyPatch, strategicUnsupported } from './patch-request.js';
import { SYSTEM_PRIORITY_CLASSES } from './priority.js';
import { makePrng } from './prng.js';
import { parseSelection } from './selection.js';
import { makeObjectStore } from './store.js';
import { makeUpdates } from './updates.js';
import { watcherSelects, type Watcher } from './watch.js';
import { makeWatchHub } from './watch-hub.js';

/** How to build an in-memory cluster. Every option has a default that mirrors a real cluster. */
export interface MemoryClusterOptions {
  /** Time source for timestamps, graceful deletion and bookmarks. Default: the system clock. */
  readonly clock?: Clock;
  /** Seed for uids and generated names, so runs replay. Default 1. */
  readonly seed?: number;
  /** Custom resources to serve from the start (as installed CRDs). */
  readonly kinds?: ReadonlyArray<CustomKind>;
  /** Namespaces to create besides default, kube-system, kube-public and kube-node-lease. */
  readonly namespaces?: ReadonlyArray<string>;
  /** Objects present from the start; like everything created at start-up, they are before any watch window. */
  readonly objects?: ReadonlyArray<KubeObject>;
  /** Changes kept per kind for watches that resume from a resourceVersion. Default 10,000. */
  readonly watchHistory?: number;
  /** How often watches that allow bookmarks get one. Default 60 s, as the API server does. */
  readonly bookmarkIntervalMs?: number;
  /** Cascade deletion through ownerReferences, as kube-controller-manager does. Default true. */
  readonly garbageCollector?: boolean;
  /** Empty and remove deleted namespaces, as kube-controller-manager does. Default true. */
  readonly namespaceController?: boolean;
  /** Largest accepted request body, in JSON characters. Default 3 MiB, the API server's limit. */
  readonly maxRequestBytes?: number;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
}

/** The in-memory cluster: the port, plus what a test harness needs. */
export interface MemoryCluster extends ClusterPort {
  /** Serves a custom resource from now on, as installing its CRD does. Re-registering is a no-op. */
  readonly registerKind: (kind: CustomKind) => void;
  /** The latest resourceVersion (the version of the last write). */
  readonly resourceVersion: () => string;
  /** How many objects are stored (of one kind, or in total). */
  readonly count: (gvk?: GroupVersionKind) => number;
  /** Ends every watch and stops timers. The cluster must not be used afterwards. */
  readonly close: () => void;
}

const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

const copyOut = (o: KubeObject): KubeObject => cloneJson(o);

// Write results are the stored snapshot itself: frozen all the way down, like watch events' objects.
const shared = (o: KubeObject): KubeObject => o;

const infoOf = (k: KindInfo): ResourceInfo => ({
  apiVersion: k.apiVersion,
  kind: k.kind,
  plural: k.plural,
  namespaced: k.namespaced,
  statusSubresource: k.statusSubresource,
});

/** An in-memory cluster serving the built-in kinds (and `options.kinds`), booted with its system namespaces. */
export const makeMemoryCluster = (options: MemoryClusterOptions = {}): MemoryCluster => {
  const clock = options.clock ?? systemClock;
  const prng = makePrng(options.seed ?? 1);
  const gcEnabled = options.garbageCollector ?? true;
  const nsController = options.namespaceController ?? true;
  const maxRequest = options.maxRequestBytes ?? 3 * 1024 * 1024;
  const logger = options.logger ?? silentLogger;
  const metrics = options.metrics ?? noopMetrics;
  let closed = false;

  // The parts call each other in cycles (a removal runs the garbage collector, which deletes): the hooks below
  // are looked up when a change happens, by which time every part exists.
  const store = makeObjectStore({
    changed: (k, e) => {
      hub.dispatch(k, e);
    },
    removed: (k, final) => {
      controllers.afterRemoval(k, final);
    },
  });
  const hub = makeWatchHub({
    clock,
    history: options.watchHistory ?? 10_000,
    bookmarkIntervalMs: options.bookmarkIntervalMs ?? 60_000,
    resourceVersion: store.resourceVersion,
    select: store.select,
  });
  const updates = makeUpdates(store);
  const controllers: Controllers = makeControllers({
    store,
    commitChange: updates.commitChange,
    deleteObject: (k, o, opts) => deletion.deleteObject(k, o, opts),
    garbageCollector: gcEnabled,
    namespaceController: nsController,
  });
  const deletion: Deletion = makeDeletion({
    store,
    clock,
    commitChange: updates.commitChange,
    controllers,
    garbageCollector: gcEnabled,
    namespaceController: nsController,
  });
  const createObject = makeCreateObject(store, clock, prng);

  const register = (k: KindInfo): void => {
    if (store.register(k)) hub.addKind(k.key);
  };

  // One labels object per verb and code, not one per request.
  const labelsByRequest = new Map<string, { readonly verb: string; readonly code: string }>();
  const requestLabels = (verb: string, code: number): { readonly verb: string; readonly code: string } => {
    const key = `${verb} ${code}`;
    let labels = labelsByRequest.get(key);
    if (labels === undefined) {
      labels = { verb, code: String(code) };
      labelsByRequest.set(key, labels);
    }
    return labels;
  };

  const run =
    <A>(verb: string, f: () => E.Either<ApiError, A>): TE.TaskEither<ApiError, A> =>
    () => {
      let result: E.Either<ApiError, A>;
      try {
        result = closed ? E.left(statusError('ServiceUnavailable', 'the in-memory cluster is closed')) : f();
      } catch (e) {
        logger.error('in-memory cluster failed', { verb, error: String(e) });
        result = E.left(internalError(String(e)));
      }
      metrics.increment(
        'kubetasks_memory_cluster_requests_total',
        requestLabels(verb, E.isLeft(result) ? result.left.code : 200),
      );
      return Promise.resolve(result);
    };

  const withKind = <A>(
    gvk: GroupVersionKind,
    f: (k: KindInfo) => E.Either<ApiError, A>,
  ): E.Either<ApiError, A> => {
    const k = store.kindOf(gvk);
    return k === undefined ? E.left(resourceNotServed()) : f(k);
  };

  const withObject = <A>(
    ref: ObjectRef,
    f: (k: KindInfo, o: KubeObject) => E.Either<ApiError, A>,
  ): E.Either<ApiError, A> =>
    withKind(ref, (k) => {
      const o = store.lookup(k, ref.namespace, ref.name);
      return o === undefined ? E.left(notFound(groupResourceOf(k), ref.name)) : f(k, o);
    });

  const tooLarge = (o: unknown): ApiError | undefined =>
    exceedsJsonSize(o, maxRequest) ? requestEntityTooLarge(`limit is ${maxRequest}`) : undefined;

  const port: MemoryCluster = {
    get: (ref) => run('get', () => withObject(ref, (_k, o) => E.right(cloneJson(o)))),

    list: (gvk, selection) =>
      run('list', () =>
        withKind(gvk, (k): E.Either<ApiError, ObjectList> => {
          const sel = parseSelection(k, selection);
          if (E.isLeft(sel)) return sel;
          const w: Watcher = {
            ...sel.right,
            bookmarks: false,
            after: 0,
            sink: { push: () => undefined, end: () => undefined, ended: () => true },
          };
          const items = store.select(k, w.namespace, (o) => watcherSelects(w, o)).map(copyOut);
          return E.right({ items, resourceVersion: String(store.resourceVersion()) });
        }),
      ),

    create: (object) =>
      run('create', () =>
        withKind(object, (k) => {
          const big = tooLarge(object);
          return big !== undefined ? E.left(big) : E.map(shared)(createObject(k, object));
        }),
      ),

    update: (object) =>
      run('update', () => {
        const big = tooLarge(object);
        if (big !== undefined) return E.left(big);
        return withObject(refOf(object), (k, current) =>
          E.map(shared)(updates.update(k, current, object, false)),
        );
      }),

    patch: (ref, p) =>
      run('patch', () =>
        withKind(ref, (kind) =>
          // The media type is refused before the object is looked up: a missing object gets 415 too.
          p.type === 'strategic' && kind.smp === undefined
            ? E.left(strategicUnsupported())
            : withObject(ref, (k, current) => {
                const patched = applyPatch(k, current, p, maxRequest);
                return E.isLeft(patched)
                  ? patched
                  : E.map(shared)(updates.update(k, current, patched.right, true));
              }),
        ),
      ),

    updateStatus: (object) =>
      run('update-status', () => {
        const big = tooLarge(object);
        if (big !== undefined) return E.left(big);
        return withKind(object, (k) => {
          if (!k.statusSubresource) return E.left(resourceNotServed());
          const ns = metaOf(object).namespace;
          const current = store.lookup(k, ns, metaOf(object).name ?? '');
          if (current === undefined) return E.left(notFound(groupResourceOf(k), metaOf(object).name ?? ''));
          return E.map(shared)(updates.updateStatus(k, current, object, false));
        });
      }),

    patchStatus: (ref, p) =>
      run('patch-status', () =>
        withKind(ref, (k) => {
          if (!k.statusSubresource) return E.left(resourceNotServed());
          if (p.type === 'strategic' && k.smp === undefined) return E.left(strategicUnsupported());
          return withObject(ref, (_k, current) => {
            const patched = applyPatch(k, current, p, maxRequest);
            return E.isLeft(patched)
              ? patched
              : E.map(shared)(updates.updateStatus(k, current, patched.right, true));
          });
        }),
      ),

    delete: (ref, opts = {}) =>
      run('delete', () =>
        withObject(ref, (k, current) => {
          const refusal = deleteRefusal(k, current, opts);
          return refusal !== undefined ? E.left(refusal) : E.right(deletion.deleteObject(k, current, opts));
        }),
      ),

    watch: (gvk, opts = {}) =>
      run('watch', () =>
        withKind(gvk, (k) => {
          const selection = parseSelection(k, opts);
          return E.isLeft(selection) ? selection : hub.open(k, selection.right, opts);
        }),
      ),

    bind: (ref, nodeName) =>
      run('bind', () =>
        // Only pods have the binding subresource: any other kind answers NotFound, as a missing path does.
        kindKey(ref) !== POD_KIND
          ? E.left(resourceNotServed())
          : withObject(ref, (k, current) => bindPod(store, clock, k, current, nodeName)),
      ),

    discover: (gvk) => run('discover', () => E.right(O.map(infoOf)(O.fromNullable(store.kindOf(gvk))))),

    serves: (gvk) => run('discover', () => E.right(store.kindOf(gvk) !== undefined)),

    registerKind: (kind) => {
      register(customKindInfo(kind));
    },

    resourceVersion: () => String(store.resourceVersion()),

    count: (gvk) => store.count(gvk),

    close: () => {
      closed = true;
      hub.close();
    },
  };

  // Boot: built-in kinds, system namespaces, seed objects; the watch window starts after them.
  for (const k of builtInKinds) register(k);
  for (const c of options.kinds ?? []) register(customKindInfo(c));
  const nsKind = store.kindByKey(NAMESPACE_KIND);
  for (const name of [...SYSTEM_NAMESPACES, ...(options.namespaces ?? [])]) {
    if (nsKind !== undefined && store.lookup(nsKind, undefined, name) === undefined) {
      createObject(nsKind, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    }
  }
  const pcKind = store.kindByKey(PRIORITY_KIND);
  for (const pc of pcKind === undefined ? [] : SYSTEM_PRIORITY_CLASSES) {
    if (pcKind !== undefined && store.lookup(pcKind, undefined, pc.metadata?.name ?? '') === undefined)
      createObject(pcKind, pc);
  }
  for (const o of options.objects ?? []) {
    const k = store.kindOf(o);
    if (k === undefined) throw new Error(`makeMemoryCluster: kind ${o.apiVersion}/${o.kind} is not served`);
    const created = createObject(k, o);
    if (E.isLeft(created))
      throw new Error(`makeMemoryCluster: cannot create a seed object: ${created.left.message}`);
  }
  hub.resetHistory();
  logger.debug('in-memory cluster started', {
    resourceVersion: store.resourceVersion(),
    kinds: store.kindCount(),
  });

  return port;
};

export type { CustomKind } from './kinds.js';
