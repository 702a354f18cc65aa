// Cluster command sequences as data: the operations, their fast-check generators, and the widget model they drive.
import * as E from 'fp-ts/lib/Either.js';
import { expect } from 'vitest';
import { fc } from '@fast-check/vitest';
import type { KubeObject } from '../../src/domain/kubernetes.js';
import type { ApiError } from '../../src/domain/api-error.js';
import type { ClusterPort, PropagationPolicy, WatchEvent } from '../../src/ports/cluster.js';
import { WIDGET } from '../../src/testing/index.js';

// -------------------------------------------------------------------------------------
// the vocabulary: few names and values, so commands collide on the same objects often
// -------------------------------------------------------------------------------------

export const NAMES = ['a', 'b', 'c'] as const;
export const FINALIZERS = ['kubetasks.dev/one', 'kubetasks.dev/two'] as const;
export const DATA = ['x', 'y', 'z'] as const;
export const LABEL_KEYS = ['team', 'tier'] as const;
export const LABEL_VALUES = ['a', 'b'] as const;
export const STATUSES = ['ok', 'bad'] as const;
/** A label value the API server refuses (it must begin and end with an alphanumeric character). */
export const INVALID_LABEL_VALUE = '-bad-';

/** Label selectors a client might send, one of them malformed. */
export const LABEL_SELECTORS = [
  '',
  'team=a',
  'team!=a',
  'team in (a,b)',
  'team notin (b)',
  'tier',
  '!tier',
  'team=a,tier=b',
  'team=',
  'bad key',
] as const;

/** Field selectors: the two every kind supports, one only pods support, and one no kind here supports. */
export const FIELD_SELECTORS = [
  '',
  'metadata.name=a',
  'metadata.name!=b',
  'status.phase=Running',
  'spec.data=x',
] as const;

/**
 * The kinds the sequences use: a custom resource with the status subresource, a built-in kind without one, and
 * pods (defaulting, graceful deletion, status validation, binding).
 */
export const KIND_NAMES = ['Widget', 'ConfigMap', 'Pod'] as const;
export type KindName = (typeof KIND_NAMES)[number];

export const kindRef = (k: KindName): { readonly apiVersion: string; readonly kind: string } =>
  k === 'Widget' ? { apiVersion: WIDGET.apiVersion, kind: WIDGET.kind } : { apiVersion: 'v1', kind: k };

/** The node pods are bound to (no Node object is needed). */
export const NODE = 'node-1';

/** Which resourceVersion a conditional write carries: the latest seen, an older one, none, or not a number. */
export type RvChoice = 'current' | 'stale' | 'none' | 'bogus';
export type PatchType = 'merge' | 'json' | 'strategic';

/** One cluster call, as plain data (so a shrunk sequence can be printed and replayed as a regression test). */
export type Op =
  | {
      readonly op: 'create';
      readonly kind: KindName;
      readonly name: string;
      readonly data: string;
      readonly finalizer: boolean;
      readonly label?: readonly [string, string];
      /** Sent on create; a status subresource drops it. */
      readonly status?: string;
      /** `immutable: true` (config maps: data may never change; a custom resource just keeps the field). */
      readonly immutable?: boolean;
      /** Pods: created with `spec.nodeName` set, as if scheduled. */
      readonly bound?: boolean;
    }
  | { readonly op: 'get'; readonly kind: KindName; readonly name: string }
  /** Read-modify-write of the last object seen (or a fresh body when none was seen). */
  | {
      readonly op: 'update';
      readonly kind: KindName;
      readonly name: string;
      readonly data: string;
      readonly rv: RvChoice;
    }
  | {
      readonly op: 'patchLabel';
      readonly kind: KindName;
      readonly name: string;
      readonly key: string;
      readonly value: string | null;
      readonly patch: PatchType;
    }
  /** Changes the data; `rv` other than none makes it conditional (metadata.resourceVersion, or a JSON Patch test). */
  | {
      readonly op: 'patchData';
      readonly kind: KindName;
      readonly name: string;
      readonly data: string;
      readonly patch: PatchType;
      readonly rv: RvChoice;
    }
  /** The last object seen with a new status and a changed spec (which a status write must ignore). */
  | {
      readonly op: 'updateStatus';
      readonly kind: KindName;
      readonly name: string;
      readonly status: string;
      readonly rv: RvChoice;
    }
  | {
      readonly op: 'patchStatus';
      readonly kind: KindName;
      readonly name: string;
      readonly status: string | null;
    }
  | {
      readonly op: 'delete';
      readonly kind: KindName;
      readonly name: string;
      readonly precondition: 'none' | 'fresh' | 'stale' | 'uid';
      readonly propagationPolicy?: PropagationPolicy;
      readonly gracePeriodSeconds?: number;
    }
  /** Binds a pod to the node, as the scheduler does. */
  | { readonly op: 'bind'; readonly kind: KindName; readonly name: string }
  | {
      readonly op: 'addFinalizer';
      readonly kind: KindName;
      readonly name: string;
      readonly finalizer: string;
      readonly patch: PatchType;
    }
  | {
      readonly op: 'removeFinalizers';
      readonly kind: KindName;
      readonly name: string;
      readonly patch: PatchType;
    }
  | {
      readonly op: 'list';
      readonly kind: KindName;
      readonly labelSelector: string;
      readonly fieldSelector: string;
    }
  /**
   * Watches from the `from`-th point seen (0: no resourceVersion, i.e. the current objects first); `initialEvents`
   * asks for a watch-list (current objects, then the end-of-initial-events bookmark).
   */
  | {
      readonly op: 'watch';
      readonly kind: KindName;
      readonly from: number;
      readonly labelSelector: string;
      readonly initialEvents?: boolean;
    };

// -------------------------------------------------------------------------------------
// generators
// -------------------------------------------------------------------------------------

export const nameArb = fc.constantFrom(...NAMES);
export const dataArb = fc.constantFrom(...DATA);
export const finalizerArb = fc.constantFrom(...FINALIZERS);
export const statusArb = fc.constantFrom(...STATUSES);
export const labelKeyArb = fc.constantFrom(...LABEL_KEYS);
export const labelValueArb = fc.constantFrom(...LABEL_VALUES);

type Arb<A> = fc.Arbitrary<A>;

/** Generators of each operation over the given kinds, with the choices each may make. */
export const opArbs = {
  create: (kind: Arb<KindName>, extras: boolean): Arb<Op> =>
    fc
      .record({
        kind,
        name: nameArb,
        data: dataArb,
        finalizer: fc.boolean(),
        label: extras
          ? fc.option(fc.tuple(labelKeyArb, fc.constantFrom(...LABEL_VALUES, INVALID_LABEL_VALUE)), {
              nil: undefined,
            })
          : fc.constant(undefined),
        status: extras ? fc.option(statusArb, { nil: undefined }) : fc.constant(undefined),
        immutable: extras ? fc.constantFrom(false, false, false, true) : fc.constant(false),
        bound: extras ? fc.boolean() : fc.constant(false),
      })
      .map(({ label, status, immutable, bound, ...r }) => ({
        op: 'create' as const,
        ...r,
        ...(label === undefined ? {} : { label }),
        ...(status === undefined ? {} : { status }),
        ...(immutable ? { immutable } : {}),
        ...(bound && r.kind === 'Pod' ? { bound } : {}),
      })),
  get: (kind: Arb<KindName>): Arb<Op> => fc.record({ kind, name: nameArb }).map((r) => ({ op: 'get', ...r })),
  update: (kind: Arb<KindName>, rv: Arb<RvChoice>): Arb<Op> =>
    fc.record({ kind, name: nameArb, data: dataArb, rv }).map((r) => ({ op: 'update', ...r })),
  patchLabel: (kind: Arb<KindName>, patch: Arb<PatchType>): Arb<Op> =>
    fc
      .record({
        kind,
        name: nameArb,
        key: labelKeyArb,
        value: fc.option(labelValueArb, { nil: null }),
        patch,
      })
      .map((r) => ({ op: 'patchLabel', ...r })),
  patchData: (kind: Arb<KindName>, patch: Arb<PatchType>, rv: Arb<RvChoice>): Arb<Op> =>
    fc.record({ kind, name: nameArb, data: dataArb, patch, rv }).map((r) => ({ op: 'patchData', ...r })),
  updateStatus: (kind: Arb<KindName>, rv: Arb<RvChoice>): Arb<Op> =>
    fc.record({ kind, name: nameArb, status: statusArb, rv }).map((r) => ({ op: 'updateStatus', ...r })),
  patchStatus: (kind: Arb<KindName>): Arb<Op> =>
    fc
      .record({ kind, name: nameArb, status: fc.option(statusArb, { nil: null }) })
      .map((r) => ({ op: 'patchStatus', ...r })),
  delete: (
    kind: Arb<KindName>,
    precondition: Arb<'none' | 'fresh' | 'stale' | 'uid'>,
    propagation: Arb<PropagationPolicy | undefined> = fc.constant(undefined),
    grace: Arb<number | undefined> = fc.constant(undefined),
  ): Arb<Op> =>
    fc
      .record({ kind, name: nameArb, precondition, propagation, grace })
      .map(({ propagation: p, grace: g, ...r }) => ({
        op: 'delete',
        ...r,
        ...(p === undefined ? {} : { propagationPolicy: p }),
        ...(g === undefined ? {} : { gracePeriodSeconds: g }),
      })),
  bind: (kind: Arb<KindName>): Arb<Op> =>
    fc.record({ kind, name: nameArb }).map((r) => ({ op: 'bind', ...r })),
  addFinalizer: (kind: Arb<KindName>, patch: Arb<PatchType>): Arb<Op> =>
    fc
      .record({ kind, name: nameArb, finalizer: finalizerArb, patch })
      .map((r) => ({ op: 'addFinalizer', ...r })),
  removeFinalizers: (kind: Arb<KindName>, patch: Arb<PatchType>): Arb<Op> =>
    fc.record({ kind, name: nameArb, patch }).map((r) => ({ op: 'removeFinalizers', ...r })),
  list: (kind: Arb<KindName>, labelSelector: Arb<string>, fieldSelector: Arb<string>): Arb<Op> =>
    fc.record({ kind, labelSelector, fieldSelector }).map((r) => ({ op: 'list', ...r })),
  watch: (
    kind: Arb<KindName>,
    labelSelector: Arb<string>,
    initialEvents: Arb<boolean> = fc.constant(false),
  ): Arb<Op> =>
    fc
      .record({ kind, from: fc.nat(64), labelSelector, initialEvents })
      .map(({ initialEvents: i, ...r }) => ({ op: 'watch', ...r, ...(i ? { initialEvents: true } : {}) })),
};

const anyKind = fc.constantFrom(...KIND_NAMES);
const anyRv = fc.constantFrom<RvChoice>('current', 'current', 'stale', 'none', 'bogus');
const anyPatch = fc.constantFrom<PatchType>('merge', 'json', 'strategic');

/** Every operation with every choice, over both kinds: what the differential test runs. */
export const anyOp: Arb<Op> = fc.oneof(
  { arbitrary: opArbs.create(anyKind, true), weight: 4 },
  { arbitrary: opArbs.get(anyKind), weight: 1 },
  { arbitrary: opArbs.update(anyKind, anyRv), weight: 3 },
  { arbitrary: opArbs.patchLabel(anyKind, anyPatch), weight: 2 },
  {
    arbitrary: opArbs.patchData(
      anyKind,
      anyPatch,
      fc.constantFrom<RvChoice>('none', 'current', 'stale', 'bogus'),
    ),
    weight: 2,
  },
  { arbitrary: opArbs.updateStatus(anyKind, anyRv), weight: 2 },
  { arbitrary: opArbs.patchStatus(anyKind), weight: 1 },
  {
    arbitrary: opArbs.delete(
      anyKind,
      fc.constantFrom<'none' | 'fresh' | 'stale' | 'uid'>('none', 'fresh', 'stale', 'uid'),
      fc.constantFrom<PropagationPolicy | undefined>(
        undefined,
        undefined,
        'Background',
        'Foreground',
        'Orphan',
      ),
      fc.constantFrom<number | undefined>(undefined, undefined, 0, 5, 60),
    ),
    weight: 3,
  },
  { arbitrary: opArbs.addFinalizer(anyKind, anyPatch), weight: 2 },
  { arbitrary: opArbs.removeFinalizers(anyKind, anyPatch), weight: 2 },
  { arbitrary: opArbs.bind(anyKind), weight: 1 },
  {
    arbitrary: opArbs.list(anyKind, fc.constantFrom(...LABEL_SELECTORS), fc.constantFrom(...FIELD_SELECTORS)),
    weight: 2,
  },
  {
    arbitrary: opArbs.watch(
      anyKind,
      fc.constantFrom(...LABEL_SELECTORS),
      fc.constantFrom(false, false, true),
    ),
    weight: 2,
  },
);

/** An operation in the compact form a failure report prints. */
export const showOp = (o: Op): string => JSON.stringify(o);

// -------------------------------------------------------------------------------------
// the widget model: what a client can know about widgets in one namespace, written the simplest way
// -------------------------------------------------------------------------------------

interface ModelObject {
  data: string;
  labels: Record<string, string>;
  finalizers: string[];
  deleting: boolean;
  status: string | undefined;
  generation: number;
  rv: string;
  /** Versions this object had before; an update at one of them is stale. */
  older: string[];
}

export interface Model {
  readonly objects: Map<string, ModelObject>;
  /** Every change the cluster should have announced, in order. */
  readonly log: Array<{
    readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
    readonly name: string;
    /** Undefined when no answer tells it (a deletion by removing the last finalizer). */
    readonly rv: string | undefined;
  }>;
  startRv: string;
  lastRv: bigint;
}

export interface Real {
  readonly cluster: ClusterPort;
  readonly ns: string;
}

const ref = (r: Real, name: string) => ({ ...WIDGET, namespace: r.ns, name });

const asObject = (
  r: Real,
  name: string,
  m: ModelObject,
  data: string,
  rv: string | undefined,
): KubeObject => ({
  apiVersion: WIDGET.apiVersion,
  kind: WIDGET.kind,
  metadata: {
    name,
    namespace: r.ns,
    ...(rv === undefined ? {} : { resourceVersion: rv }),
    ...(Object.keys(m.labels).length === 0 ? {} : { labels: { ...m.labels } }),
    ...(m.finalizers.length === 0 ? {} : { finalizers: [...m.finalizers] }),
  },
  spec: { data },
  ...(m.status === undefined ? {} : { status: { s: m.status } }),
});

export const rightOf = <A>(r: E.Either<ApiError, A>, what: string): A => {
  if (E.isLeft(r)) throw new Error(`${what}: expected success, got ${r.left.reason}: ${r.left.message}`);
  return r.right;
};

const reasonOf = <A>(r: E.Either<ApiError, A>, what: string): string => {
  if (E.isRight(r)) throw new Error(`${what}: expected a failure, got success`);
  return r.left.reason;
};

/** Records a write the model predicts: a new, larger resourceVersion, and the event watchers should get. */
const wrote = (
  m: Model,
  type: 'ADDED' | 'MODIFIED' | 'DELETED',
  name: string,
  rv: string | undefined,
): string => {
  const v = BigInt(rv ?? '0');
  expect(v, `resourceVersion of ${type} ${name} increases`).toBeGreaterThan(m.lastRv);
  m.lastRv = v;
  m.log.push({ type, name, rv: rv ?? '' });
  return rv ?? '';
};

/** Records a deletion whose version no answer gives: watchers see it at some version after the last one. */
const deletedUnseen = (m: Model, name: string): void => {
  m.log.push({ type: 'DELETED', name, rv: undefined });
};

const checkObject = (o: KubeObject, name: string, m: ModelObject): void => {
  expect(o.metadata?.name).toBe(name);
  expect(o['spec']).toEqual({ data: m.data });
  expect(o.metadata?.labels ?? {}).toEqual(m.labels);
  expect(o.metadata?.finalizers ?? []).toEqual(m.finalizers);
  expect(o.metadata?.deletionTimestamp !== undefined).toBe(m.deleting);
  expect((o['status'] as { s?: string } | undefined)?.s).toBe(m.status);
  expect(o.metadata?.generation).toBe(m.generation);
  expect(o.metadata?.resourceVersion).toBe(m.rv);
};

const retire = (o: ModelObject, rv: string): void => {
  if (rv !== o.rv) {
    o.older.push(o.rv);
    o.rv = rv;
  }
};

export type ModelCommand = fc.AsyncCommand<Model, Real>;

class Create implements ModelCommand {
  constructor(
    readonly name: string,
    readonly data: string,
    readonly finalizer: boolean,
  ) {}
  check = (): boolean => true;
  async run(m: Model, r: Real): Promise<void> {
    const fresh: ModelObject = {
      data: this.data,
      labels: {},
      finalizers: this.finalizer ? [FINALIZERS[0]] : [],
      deleting: false,
      status: undefined,
      generation: 1,
      rv: '',
      older: [],
    };
    const res = await r.cluster.create(asObject(r, this.name, fresh, this.data, undefined))();
    if (m.objects.has(this.name)) {
      expect(reasonOf(res, 'create')).toBe('AlreadyExists');
      return;
    }
    const o = rightOf(res, 'create');
    fresh.rv = wrote(m, 'ADDED', this.name, o.metadata?.resourceVersion);
    m.objects.set(this.name, fresh);
    checkObject(o, this.name, fresh);
  }
  toString = (): string => `Create(${this.name}, ${this.data}${this.finalizer ? ', finalizer' : ''})`;
}

class Get implements ModelCommand {
  constructor(readonly name: string) {}
  check = (): boolean => true;
  async run(m: Model, r: Real): Promise<void> {
    const res = await r.cluster.get(ref(r, this.name))();
    const o = m.objects.get(this.name);
    if (o === undefined) expect(reasonOf(res, 'get')).toBe('NotFound');
    else checkObject(rightOf(res, 'get'), this.name, o);
  }
  toString = (): string => `Get(${this.name})`;
}

class Update implements ModelCommand {
  constructor(
    readonly name: string,
    readonly data: string,
  ) {}
  check = (m: Readonly<Model>): boolean => m.objects.has(this.name);
  async run(m: Model, r: Real): Promise<void> {
    const o = m.objects.get(this.name);
    if (o === undefined) return;
    const res = await r.cluster.update(asObject(r, this.name, o, this.data, o.rv))();
    const out = rightOf(res, 'update');
    if (this.data !== o.data) {
      o.data = this.data;
      o.generation += 1;
      retire(o, wrote(m, 'MODIFIED', this.name, out.metadata?.resourceVersion));
    }
    checkObject(out, this.name, o);
  }
  toString = (): string => `UpdateFresh(${this.name}, ${this.data})`;
}

class UpdateStale implements ModelCommand {
  constructor(
    readonly name: string,
    readonly data: string,
  ) {}
  check = (m: Readonly<Model>): boolean => (m.objects.get(this.name)?.older.length ?? 0) > 0;
  async run(m: Model, r: Real): Promise<void> {
    const o = m.objects.get(this.name);
    const stale = o?.older[o.older.length - 1];
    if (o === undefined || stale === undefined) return;
    const res = await r.cluster.update(asObject(r, this.name, o, this.data, stale))();
    expect(reasonOf(res, 'stale update')).toBe('Conflict');
  }
  toString = (): string => `UpdateStale(${this.name}, ${this.data})`;
}

class PatchLabel implements ModelCommand {
  constructor(
    readonly name: string,
    readonly key: string,
    readonly value: string | null,
  ) {}
  check = (): boolean => true;
  async run(m: Model, r: Real): Promise<void> {
    const res = await r.cluster.patch(ref(r, this.name), {
      type: 'merge',
      body: { metadata: { labels: { [this.key]: this.value } } },
    })();
    const o = m.objects.get(this.name);
    if (o === undefined) {
      expect(reasonOf(res, 'patch')).toBe('NotFound');
      return;
    }
    const out = rightOf(res, 'patch');
    const before = o.labels[this.key];
    const after = this.value ?? undefined;
    if (before !== after) {
      if (after === undefined)
        o.labels = Object.fromEntries(Object.entries(o.labels).filter(([k]) => k !== this.key));
      else o.labels = { ...o.labels, [this.key]: after };
      retire(o, wrote(m, 'MODIFIED', this.name, out.metadata?.resourceVersion));
    }
    checkObject(out, this.name, o);
  }
  toString = (): string => `PatchLabel(${this.name}, ${this.key}=${String(this.value)})`;
}

class UpdateStatus implements ModelCommand {
  constructor(
    readonly name: string,
    readonly status: string,
  ) {}
  check = (m: Readonly<Model>): boolean => m.objects.has(this.name);
  async run(m: Model, r: Real): Promise<void> {
    const o = m.objects.get(this.name);
    if (o === undefined) return;
    // A status write that also tries to change the spec: the spec must stay.
    const body = { ...asObject(r, this.name, o, `${o.data}-ignored`, o.rv), status: { s: this.status } };
    const out = rightOf(await r.cluster.updateStatus(body)(), 'update status');
    if (o.status !== this.status) {
      o.status = this.status;
      retire(o, wrote(m, 'MODIFIED', this.name, out.metadata?.resourceVersion));
    }
    checkObject(out, this.name, o);
  }
  toString = (): string => `UpdateStatus(${this.name}, ${this.status})`;
}

class Delete implements ModelCommand {
  constructor(
    readonly name: string,
    readonly precondition: 'none' | 'fresh' | 'stale',
  ) {}
  check = (m: Readonly<Model>): boolean =>
    this.precondition === 'none' ||
    (this.precondition === 'fresh' && m.objects.has(this.name)) ||
    (m.objects.get(this.name)?.older.length ?? 0) > 0;
  async run(m: Model, r: Real): Promise<void> {
    const o = m.objects.get(this.name);
    const rv =
      this.precondition === 'fresh' ? o?.rv : this.precondition === 'stale' ? o?.older[0] : undefined;
    const res = await r.cluster.delete(
      ref(r, this.name),
      rv === undefined ? {} : { preconditions: { resourceVersion: rv } },
    )();
    if (o === undefined) {
      expect(reasonOf(res, 'delete')).toBe('NotFound');
      return;
    }
    if (this.precondition === 'stale') {
      expect(reasonOf(res, 'delete')).toBe('Conflict');
      return;
    }
    const out = rightOf(res, 'delete');
    if (o.finalizers.length === 0) {
      expect(out.removed).toBe(true);
      wrote(m, 'DELETED', this.name, out.object?.metadata?.resourceVersion);
      m.objects.delete(this.name);
      return;
    }
    expect(out.removed).toBe(false);
    if (!o.deleting) {
      o.deleting = true;
      o.generation += 1;
      retire(o, wrote(m, 'MODIFIED', this.name, out.object?.metadata?.resourceVersion));
    }
    if (out.object !== undefined) checkObject(out.object, this.name, o);
  }
  toString = (): string =>
    `Delete(${this.name}${this.precondition === 'none' ? '' : `, ${this.precondition} rv`})`;
}

class AddFinalizer implements ModelCommand {
  constructor(
    readonly name: string,
    readonly finalizer: string,
  ) {}
  check = (m: Readonly<Model>): boolean => m.objects.has(this.name);
  async run(m: Model, r: Real): Promise<void> {
    const o = m.objects.get(this.name);
    if (o === undefined) return;
    const next = o.finalizers.includes(this.finalizer) ? o.finalizers : [...o.finalizers, this.finalizer];
    const res = await r.cluster.patch(ref(r, this.name), {
      type: 'merge',
      body: { metadata: { finalizers: next } },
    })();
    if (o.deleting && next !== o.finalizers) {
      expect(reasonOf(res, 'add finalizer')).toBe('Invalid');
      return;
    }
    const out = rightOf(res, 'add finalizer');
    if (next !== o.finalizers) {
      o.finalizers = next;
      retire(o, wrote(m, 'MODIFIED', this.name, out.metadata?.resourceVersion));
    }
    checkObject(out, this.name, o);
  }
  toString = (): string => `AddFinalizer(${this.name}, ${this.finalizer})`;
}

class RemoveFinalizers implements ModelCommand {
  constructor(readonly name: string) {}
  check = (m: Readonly<Model>): boolean => m.objects.has(this.name);
  async run(m: Model, r: Real): Promise<void> {
    const o = m.objects.get(this.name);
    if (o === undefined) return;
    const res = await r.cluster.patch(ref(r, this.name), {
      type: 'merge',
      body: { metadata: { finalizers: null } },
    })();
    const out = rightOf(res, 'remove finalizers');
    if (o.finalizers.length === 0) {
      checkObject(out, this.name, o);
      return;
    }
    if (o.deleting) {
      // As kube-apiserver does: the answer is the updated object at its old version; the deletion is not shown.
      expect(out.metadata?.finalizers).toBeUndefined();
      expect(out.metadata?.resourceVersion).toBe(o.rv);
      deletedUnseen(m, this.name);
      m.objects.delete(this.name);
      expect(reasonOf(await r.cluster.get(ref(r, this.name))(), 'get after finalizing')).toBe('NotFound');
      return;
    }
    o.finalizers = [];
    retire(o, wrote(m, 'MODIFIED', this.name, out.metadata?.resourceVersion));
    checkObject(out, this.name, o);
  }
  toString = (): string => `RemoveFinalizers(${this.name})`;
}

class List implements ModelCommand {
  check = (): boolean => true;
  async run(m: Model, r: Real): Promise<void> {
    const l = rightOf(await r.cluster.list(WIDGET, { namespace: r.ns })(), 'list');
    expect(l.items.map((o) => o.metadata?.name)).toEqual([...m.objects.keys()].sort());
    for (const o of l.items) {
      const name = o.metadata?.name ?? '';
      const mo = m.objects.get(name);
      if (mo !== undefined) checkObject(o, name, mo);
    }
    expect(BigInt(l.resourceVersion)).toBeGreaterThanOrEqual(m.lastRv);
  }
  toString = (): string => 'List';
}

/** Watches from a point in the model's event log and expects exactly the rest of the log. */
class Watch implements ModelCommand {
  constructor(readonly from: number) {}
  check = (): boolean => true;
  async run(m: Model, r: Real): Promise<void> {
    let at = this.from % (m.log.length + 1);
    // A watch starts from a version the client was told, so not from an unseen deletion's.
    while (at > 0 && m.log[at - 1]?.rv === undefined) at--;
    const start = at === 0 ? m.startRv : (m.log[at - 1]?.rv ?? m.startRv);
    const expected = m.log.slice(at);
    const stream = rightOf(
      await r.cluster.watch(WIDGET, { namespace: r.ns, resourceVersion: start })(),
      'watch',
    );
    const it = stream[Symbol.asyncIterator]();
    const seen: Array<{ type: string; name: string; rv: string | undefined }> = [];
    for (let i = 0; i < expected.length; i++) {
      const n = await it.next();
      if (n.done === true) break;
      const e: WatchEvent = n.value;
      if (e.type === 'ADDED' || e.type === 'MODIFIED' || e.type === 'DELETED') {
        seen.push({
          type: e.type,
          name: e.object.metadata?.name ?? '',
          rv: e.object.metadata?.resourceVersion ?? '',
        });
      } else seen.push({ type: e.type, name: '', rv: '' });
    }
    // An unseen deletion's version is whatever the watcher was told; later versions must still be larger.
    expect(seen.map((e, i) => (expected[i]?.rv === undefined ? { ...e, rv: undefined } : e))).toEqual(
      expected,
    );
    const versions = seen.map((e) => BigInt(e.rv ?? '0'));
    expect(versions).toEqual([...versions].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    // The in-memory cluster delivers synchronously: anything more would already be waiting.
    const extra = await Promise.race([
      it.next(),
      new Promise<'none'>((resolve) => setImmediate(() => resolve('none'))),
    ]);
    expect(extra).toBe('none');
    stream.stop();
  }
  toString = (): string => `Watch(from #${this.from})`;
}

/**
 * The model's command for an operation. The model knows widgets, merge patches and the resourceVersions it saw;
 * operations outside that (other kinds, selectors, other patch types) are not given to it.
 */
export const modelCommandOf = (o: Op): ModelCommand => {
  switch (o.op) {
    case 'create':
      return new Create(o.name, o.data, o.finalizer);
    case 'get':
      return new Get(o.name);
    case 'update':
      return o.rv === 'stale' ? new UpdateStale(o.name, o.data) : new Update(o.name, o.data);
    case 'patchLabel':
      return new PatchLabel(o.name, o.key, o.value);
    case 'updateStatus':
      return new UpdateStatus(o.name, o.status);
    case 'delete':
      return new Delete(o.name, o.precondition === 'uid' ? 'none' : o.precondition);
    case 'addFinalizer':
      return new AddFinalizer(o.name, o.finalizer);
    case 'removeFinalizers':
      return new RemoveFinalizers(o.name);
    case 'list':
      return new List();
    case 'watch':
      return new Watch(o.from);
    case 'patchData':
    case 'patchStatus':
    case 'bind':
      throw new Error(`the widget model has no command for ${o.op}`);
  }
};

const widget = fc.constant<KindName>('Widget');
const merge = fc.constant<PatchType>('merge');

/** The model's commands: the operations it knows, generated by the same generators as the differential test's. */
export const modelCommands: Array<Arb<ModelCommand>> = [
  opArbs.create(widget, false),
  opArbs.get(widget),
  opArbs.update(widget, fc.constant<RvChoice>('current')),
  opArbs.update(widget, fc.constant<RvChoice>('stale')),
  opArbs.patchLabel(widget, merge),
  opArbs.updateStatus(widget, fc.constant<RvChoice>('current')),
  opArbs.delete(widget, fc.constantFrom<'none' | 'fresh' | 'stale'>('none', 'fresh', 'stale')),
  opArbs.addFinalizer(widget, merge),
  opArbs.removeFinalizers(widget, merge),
  opArbs.list(widget, fc.constant(''), fc.constant('')),
  opArbs.watch(widget, fc.constant('')),
].map((arb) => arb.map(modelCommandOf));

/** Runs one command sequence against a fresh cluster and a fresh model. */
export const runModel = async (
  makeCluster: () => ClusterPort,
  cmds: Iterable<ModelCommand>,
): Promise<void> => {
  const cluster = makeCluster();
  const ns = rightOf(
    await cluster.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'model' } })(),
    'namespace',
  );
  const start = rightOf(await cluster.list(WIDGET, { namespace: 'model' })(), 'list');
  const model: Model = {
    objects: new Map(),
    log: [],
    startRv: start.resourceVersion,
    lastRv: BigInt(start.resourceVersion),
  };
  await fc.asyncModelRun(() => ({ model, real: { cluster, ns: ns.metadata?.name ?? '' } }), cmds);
};
