// Runs cluster operations against one adapter and records what a client observes, normalised for comparison.
import * as E from 'fp-ts/lib/Either.js';
import type { KubeObject } from '../../src/domain/kubernetes.js';
import type { ApiError } from '../../src/domain/api-error.js';
import type { ClusterPort, ObjectRef, Patch, WatchEvent, WatchStream } from '../../src/ports/cluster.js';
import { FINALIZERS, kindRef, NODE, type KindName, type Op, type RvChoice } from './cluster-commands.js';

/**
 * What one call returned, with server-assigned values replaced by tokens: a resourceVersion or uid becomes `rv3` /
 * `uid1` (numbered in the order this side first saw it), timestamps become "set", the namespace "<ns>",
 * managedFields go. Two adapters that agree return equal observations.
 */
export type Observation =
  | { readonly error: string }
  | { readonly object: unknown }
  | { readonly removed: boolean; readonly object?: unknown }
  | { readonly items: ReadonlyArray<unknown>; readonly listVersionNotBehind: boolean }
  | { readonly watching: true }
  | { readonly done: true };

/** A watch event as observed: type and normalised object, or the error's reason. */
export type ObservedEvent = {
  readonly type: string;
  readonly object?: unknown;
  readonly error?: string;
  readonly initialEventsEnd?: boolean;
};

/** Everything a sequence showed: each call's result, each watch's events in order, and how the versions sort. */
export interface Trace {
  readonly steps: ReadonlyArray<Observation>;
  readonly watches: ReadonlyArray<ReadonlyArray<ObservedEvent>>;
  /** The resourceVersion tokens in numeric order of the versions behind them. */
  readonly versionOrder: ReadonlyArray<string>;
}

interface OpenWatch {
  readonly stream: WatchStream;
  readonly events: WatchEvent[];
  readonly done: Promise<void>;
}

/** One adapter under test, with what its client has seen so far. */
export interface Side {
  readonly cluster: ClusterPort;
  readonly ns: string;
  readonly rvTokens: Map<string, string>;
  readonly uidTokens: Map<string, string>;
  /** The last object seen per kind/name. */
  readonly last: Map<string, KubeObject>;
  /** The resourceVersions seen per kind/name, oldest first. */
  readonly history: Map<string, string[]>;
  /** Versions a watch may start from: the first list's, then every version a call returned, in order. */
  readonly points: string[];
  readonly watches: OpenWatch[];
  maxRv: bigint;
  /** The message of the last error (not compared: wording differs; shown when a step differs). */
  lastMessage: string;
}

const keyOf = (kind: KindName, name: string): string => `${kind}/${name}`;

const isDigits = (s: string): boolean => /^\d+$/.test(s);

const token = (m: Map<string, string>, prefix: string, raw: string): string => {
  let t = m.get(raw);
  if (t === undefined) {
    t = `${prefix}${m.size + 1}`;
    m.set(raw, t);
  }
  return t;
};

/** The normalised form of an object: server-assigned values as tokens or "set", the rest as is. */
export const normalise = (s: Side, o: KubeObject): unknown => {
  const meta: Record<string, unknown> = { ...(o.metadata ?? {}) };
  delete meta['managedFields'];
  delete meta['selfLink'];
  for (const f of ['creationTimestamp', 'deletionTimestamp']) if (meta[f] !== undefined) meta[f] = 'set';
  if (typeof meta['namespace'] === 'string')
    meta['namespace'] = meta['namespace'] === s.ns ? '<ns>' : meta['namespace'];
  if (typeof meta['uid'] === 'string') meta['uid'] = token(s.uidTokens, 'uid', meta['uid']);
  if (typeof meta['resourceVersion'] === 'string')
    meta['resourceVersion'] = seeRv(s, meta['resourceVersion']);
  return stamped(JSON.parse(JSON.stringify({ ...o, metadata: meta })) as unknown);
};

// Times the server writes (condition transitions, container starts) come from its own clock.
const stamped = (u: unknown): unknown => {
  if (Array.isArray(u)) return u.map(stamped);
  if (typeof u !== 'object' || u === null) return u;
  return Object.fromEntries(
    Object.entries(u).map(([k, v]) => [
      k,
      typeof v === 'string' && /(Time|At)$/.test(k) && k !== 'creationTimestamp' ? 'set' : stamped(v),
    ]),
  );
};

const seeRv = (s: Side, rv: string): string => {
  if (isDigits(rv) && BigInt(rv) > s.maxRv) s.maxRv = BigInt(rv);
  return token(s.rvTokens, 'rv', rv);
};

/** Notes an object a call returned: the last seen state and its version. */
const saw = (s: Side, kind: KindName, o: KubeObject): unknown => {
  const key = keyOf(kind, o.metadata?.name ?? '');
  s.last.set(key, o);
  const rv = o.metadata?.resourceVersion;
  if (rv !== undefined) {
    const h = s.history.get(key) ?? [];
    if (h[h.length - 1] !== rv) h.push(rv);
    s.history.set(key, h);
    // A version seen for the first time is a new point; its token is new on every side that agrees so far.
    if (!s.rvTokens.has(rv)) s.points.push(rv);
  }
  return normalise(s, o);
};

const failed = (s: Side, e: ApiError): Observation => {
  s.lastMessage = e.message;
  return { error: e.reason };
};

const objectResult = (s: Side, kind: KindName, r: E.Either<ApiError, KubeObject>): Observation =>
  E.isLeft(r) ? failed(s, r.left) : { object: saw(s, kind, r.right) };

/** The version a conditional call carries: undefined for none. */
const chooseRv = (s: Side, kind: KindName, name: string, choice: RvChoice): string | undefined => {
  const h = s.history.get(keyOf(kind, name)) ?? [];
  switch (choice) {
    case 'current':
      return h[h.length - 1];
    case 'stale':
      // The version before the latest; with none, a version long gone (the namespace's own era).
      return h.length >= 2 ? h[h.length - 2] : '1';
    case 'none':
      return undefined;
    case 'bogus':
      return 'not-a-version';
  }
};

const ref = (s: Side, kind: KindName, name: string): ObjectRef => ({
  ...kindRef(kind),
  namespace: s.ns,
  name,
});

const dataPath = (kind: KindName): string =>
  kind === 'Widget' ? '/spec/data' : kind === 'ConfigMap' ? '/data/d' : '/spec/containers/0/image';

/** The value that stands for `data`: a pod's is its container image. */
const dataValue = (kind: KindName, data: string): string => (kind === 'Pod' ? `busybox:${data}` : data);

const isRecord = (u: unknown): u is Record<string, unknown> =>
  typeof u === 'object' && u !== null && !Array.isArray(u);

/** The top-level fields that carry `data`, changed in `base` (the last object seen) when there is one. */
const withData = (
  kind: KindName,
  data: string,
  base?: KubeObject,
  bound = false,
): Record<string, unknown> => {
  switch (kind) {
    case 'Widget':
      return { spec: { data } };
    case 'ConfigMap':
      return { data: { d: data } };
    case 'Pod': {
      const image = dataValue(kind, data);
      const spec = isRecord(base?.['spec']) ? base['spec'] : undefined;
      const containers = Array.isArray(spec?.['containers']) ? (spec['containers'] as unknown[]) : [];
      if (spec === undefined || containers.length === 0)
        return { spec: { containers: [{ name: 'c', image }], ...(bound ? { nodeName: NODE } : {}) } };
      return {
        spec: {
          ...spec,
          containers: containers.map((c, i) => (i === 0 && isRecord(c) ? { ...c, image } : c)),
        },
      };
    }
  }
};

/** A data change as a merge or strategic patch body: a pod's container list is named by its merge key. */
const dataPatch = (kind: KindName, data: string): Record<string, unknown> =>
  kind === 'Pod'
    ? { spec: { containers: [{ name: 'c', image: dataValue(kind, data) }] } }
    : withData(kind, data);

/** The status a status write sends: pods get a phase ("ok" running, "bad" failed). */
const statusOf = (kind: KindName, status: string): Record<string, unknown> =>
  kind === 'Pod' ? { phase: status === 'ok' ? 'Running' : 'Failed' } : { s: status };

/** The body of an update: the last object seen, or a fresh one, with new data and the chosen version. */
const updateBody = (
  s: Side,
  kind: KindName,
  name: string,
  change: (seen: KubeObject | undefined) => Record<string, unknown>,
  rv: string | undefined,
): KubeObject => {
  const seen = s.last.get(keyOf(kind, name));
  const base = seen ?? { ...kindRef(kind), metadata: { name, namespace: s.ns } };
  const meta: Record<string, unknown> = { ...(base.metadata ?? {}) };
  if (rv === undefined) delete meta['resourceVersion'];
  else meta['resourceVersion'] = rv;
  return { ...base, ...change(seen), metadata: meta };
};

const pump = (stream: WatchStream, events: WatchEvent[]): Promise<void> =>
  (async () => {
    for await (const e of stream) events.push(e);
  })();

/** Opens a side: a fresh namespace of this name, and the first list's version as the first watch point. */
export const openSide = async (cluster: ClusterPort, ns: string): Promise<Side> => {
  const created = await cluster.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } })();
  if (E.isLeft(created)) throw new Error(`namespace ${ns}: ${created.left.reason}: ${created.left.message}`);
  const start = await cluster.list(kindRef('Widget'), { namespace: ns })();
  if (E.isLeft(start)) throw new Error(`first list: ${start.left.message}`);
  return {
    cluster,
    ns,
    rvTokens: new Map(),
    uidTokens: new Map(),
    last: new Map(),
    history: new Map(),
    points: [start.right.resourceVersion],
    watches: [],
    maxRv: BigInt(start.right.resourceVersion),
    lastMessage: '',
  };
};

/** Runs one operation and returns what the client saw. */
export const execute = async (s: Side, o: Op): Promise<Observation> => {
  const c = s.cluster;
  s.lastMessage = '';
  switch (o.op) {
    case 'create': {
      const body: KubeObject = {
        ...kindRef(o.kind),
        metadata: {
          name: o.name,
          namespace: s.ns,
          ...(o.label === undefined ? {} : { labels: { [o.label[0]]: o.label[1] } }),
          ...(o.finalizer ? { finalizers: [FINALIZERS[0]] } : {}),
        },
        ...withData(o.kind, o.data, undefined, o.bound === true),
        ...(o.status === undefined ? {} : { status: statusOf(o.kind, o.status) }),
        ...(o.immutable === true ? { immutable: true } : {}),
      };
      return objectResult(s, o.kind, await c.create(body)());
    }
    case 'get':
      return objectResult(s, o.kind, await c.get(ref(s, o.kind, o.name))());
    case 'update': {
      const rv = chooseRv(s, o.kind, o.name, o.rv);
      const body = updateBody(s, o.kind, o.name, (seen) => withData(o.kind, o.data, seen), rv);
      return objectResult(s, o.kind, await c.update(body)());
    }
    case 'patchLabel': {
      const patch: Patch =
        o.patch === 'json'
          ? {
              type: 'json',
              body:
                o.value === null
                  ? [{ op: 'remove', path: `/metadata/labels/${o.key}` }]
                  : [{ op: 'add', path: `/metadata/labels/${o.key}`, value: o.value }],
            }
          : { type: o.patch, body: { metadata: { labels: { [o.key]: o.value } } } };
      return objectResult(s, o.kind, await c.patch(ref(s, o.kind, o.name), patch)());
    }
    case 'patchData': {
      const rv = chooseRv(s, o.kind, o.name, o.rv);
      const patch: Patch =
        o.patch === 'json'
          ? {
              type: 'json',
              body: [
                ...(rv === undefined ? [] : [{ op: 'test', path: '/metadata/resourceVersion', value: rv }]),
                { op: 'replace', path: dataPath(o.kind), value: dataValue(o.kind, o.data) },
              ],
            }
          : {
              type: o.patch,
              body: {
                ...dataPatch(o.kind, o.data),
                ...(rv === undefined ? {} : { metadata: { resourceVersion: rv } }),
              },
            };
      return objectResult(s, o.kind, await c.patch(ref(s, o.kind, o.name), patch)());
    }
    case 'updateStatus': {
      const rv = chooseRv(s, o.kind, o.name, o.rv);
      const body = updateBody(
        s,
        o.kind,
        o.name,
        (seen) => ({ ...withData(o.kind, 'ignored', seen), status: statusOf(o.kind, o.status) }),
        rv,
      );
      return objectResult(s, o.kind, await c.updateStatus(body)());
    }
    case 'patchStatus':
      return objectResult(
        s,
        o.kind,
        await c.patchStatus(ref(s, o.kind, o.name), {
          type: 'merge',
          body: { status: o.status === null ? null : statusOf(o.kind, o.status) },
        })(),
      );
    case 'delete': {
      const key = keyOf(o.kind, o.name);
      const rv =
        o.precondition === 'fresh'
          ? chooseRv(s, o.kind, o.name, 'current')
          : o.precondition === 'stale'
            ? chooseRv(s, o.kind, o.name, 'stale')
            : undefined;
      const uid = o.precondition === 'uid' ? s.last.get(key)?.metadata?.uid : undefined;
      const preconditions = {
        ...(rv === undefined ? {} : { resourceVersion: rv }),
        ...(uid === undefined ? {} : { uid }),
      };
      const r = await c.delete(ref(s, o.kind, o.name), {
        ...(Object.keys(preconditions).length === 0 ? {} : { preconditions }),
        ...(o.propagationPolicy === undefined ? {} : { propagationPolicy: o.propagationPolicy }),
        ...(o.gracePeriodSeconds === undefined ? {} : { gracePeriodSeconds: o.gracePeriodSeconds }),
      })();
      if (E.isLeft(r)) return failed(s, r.left);
      // A removed object is not returned by every adapter (kube-apiserver may answer with a Status).
      if (r.right.removed || r.right.object === undefined) return { removed: r.right.removed };
      return { removed: false, object: saw(s, o.kind, r.right.object) };
    }
    case 'addFinalizer': {
      const seen = s.last.get(keyOf(o.kind, o.name))?.metadata?.finalizers ?? [];
      const patch: Patch =
        o.patch === 'json'
          ? { type: 'json', body: [{ op: 'add', path: '/metadata/finalizers/-', value: o.finalizer }] }
          : o.patch === 'strategic'
            ? { type: 'strategic', body: { metadata: { finalizers: [o.finalizer] } } }
            : {
                type: 'merge',
                body: {
                  metadata: { finalizers: seen.includes(o.finalizer) ? seen : [...seen, o.finalizer] },
                },
              };
      return objectResult(s, o.kind, await c.patch(ref(s, o.kind, o.name), patch)());
    }
    case 'removeFinalizers': {
      const patch: Patch =
        o.patch === 'json'
          ? { type: 'json', body: [{ op: 'remove', path: '/metadata/finalizers' }] }
          : o.patch === 'strategic'
            ? {
                type: 'strategic',
                body: { metadata: { '$deleteFromPrimitiveList/finalizers': [...FINALIZERS] } },
              }
            : { type: 'merge', body: { metadata: { finalizers: null } } };
      return objectResult(s, o.kind, await c.patch(ref(s, o.kind, o.name), patch)());
    }
    case 'bind': {
      const r = await c.bind(ref(s, o.kind, o.name), NODE)();
      return E.isLeft(r) ? failed(s, r.left) : { done: true };
    }
    case 'list': {
      const r = await c.list(kindRef(o.kind), {
        namespace: s.ns,
        ...(o.labelSelector === '' ? {} : { labelSelector: o.labelSelector }),
        ...(o.fieldSelector === '' ? {} : { fieldSelector: o.fieldSelector }),
      })();
      if (E.isLeft(r)) return failed(s, r.left);
      const items = r.right.items.map((i) => saw(s, o.kind, i));
      const v = r.right.resourceVersion;
      const notBehind = isDigits(v) && BigInt(v) >= s.maxRv;
      // Always a new point: a list's version may equal an object's on one server and not on another.
      s.points.push(v);
      return { items, listVersionNotBehind: notBehind };
    }
    case 'watch': {
      const at = o.from % (s.points.length + 1);
      const from = at === 0 ? undefined : s.points[at - 1];
      const r = await c.watch(kindRef(o.kind), {
        namespace: s.ns,
        ...(from === undefined ? {} : { resourceVersion: from }),
        ...(o.labelSelector === '' ? {} : { labelSelector: o.labelSelector }),
        ...(o.initialEvents === true ? { sendInitialEvents: true } : {}),
      })();
      if (E.isLeft(r)) return failed(s, r.left);
      const events: WatchEvent[] = [];
      s.watches.push({ stream: r.right, events, done: pump(r.right, events) });
      return { watching: true };
    }
  }
};

const observeEvent = (s: Side, e: WatchEvent): ObservedEvent => {
  switch (e.type) {
    case 'ADDED':
    case 'MODIFIED':
    case 'DELETED':
      return { type: e.type, object: normalise(s, e.object) };
    case 'BOOKMARK':
      return { type: 'BOOKMARK', ...(e.initialEventsEnd === true ? { initialEventsEnd: true } : {}) };
    case 'ERROR':
      return { type: 'ERROR', error: e.error.reason };
  }
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Ends a side's watches and returns their events. `expected` (per watch) waits until that many events arrived,
 * up to `waitMs`, then `graceMs` more for any extra; without it, the events already delivered are taken.
 */
export const closeWatches = async (
  s: Side,
  expected?: ReadonlyArray<number>,
  waitMs = 5000,
  graceMs = 50,
): Promise<ReadonlyArray<ReadonlyArray<ObservedEvent>>> => {
  await new Promise((resolve) => setImmediate(resolve));
  if (expected !== undefined && s.watches.length > 0) {
    const deadline = Date.now() + waitMs;
    while (Date.now() < deadline && s.watches.some((w, i) => w.events.length < (expected[i] ?? 0)))
      await sleep(5);
    await sleep(graceMs);
  }
  const out = s.watches.map((w) => [...w.events]);
  for (const w of s.watches) w.stream.stop();
  await Promise.all(s.watches.map((w) => w.done.catch(() => undefined)));
  // Periodic bookmarks come when a server's timer says; only the one that ends the initial events is compared.
  return out.map((events) =>
    events.filter((e) => e.type !== 'BOOKMARK' || e.initialEventsEnd === true).map((e) => observeEvent(s, e)),
  );
};

/** The versions this side saw, as tokens sorted by the numbers behind them. */
export const versionOrder = (s: Side): ReadonlyArray<string> =>
  [...s.rvTokens.entries()]
    .filter(([raw]) => isDigits(raw))
    .sort(([a], [b]) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0))
    .map(([, t]) => t);

/** Runs a whole sequence on one side (for replaying a recorded sequence against one adapter). */
export const traceOf = async (cluster: ClusterPort, ns: string, ops: ReadonlyArray<Op>): Promise<Trace> => {
  const s = await openSide(cluster, ns);
  const steps: Observation[] = [];
  for (const o of ops) steps.push(await execute(s, o));
  const watches = await closeWatches(s);
  return { steps, watches, versionOrder: versionOrder(s) };
};
