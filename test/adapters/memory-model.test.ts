// Model-based test of the in-memory cluster: random command sequences against a simple model, every result checked.
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { makeVirtualClock } from '../../src/adapters/clock/index.js';
import { makeMemoryCluster } from '../../src/adapters/memory/index.js';
import type { KubeObject } from '../../src/domain/kubernetes.js';
import type { ClusterError } from '../../src/ports/cluster-error.js';
import { refOf, type ClusterPort, type WatchEvent } from '../../src/ports/cluster.js';
import { WIDGET } from '../../src/testing/index.js';

// -------------------------------------------------------------------------------------
// the model: what a client can know about widgets in one namespace, written the simplest way
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

interface Model {
  readonly objects: Map<string, ModelObject>;
  /** Every change the cluster should have announced, in order. */
  readonly log: Array<{
    readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
    readonly name: string;
    readonly rv: string;
  }>;
  startRv: string;
  lastRv: bigint;
}

interface Real {
  readonly cluster: ClusterPort;
  readonly ns: string;
}

const NAMES = ['a', 'b', 'c'] as const;
const FINALIZERS = ['kubetasks.dev/one', 'kubetasks.dev/two'] as const;

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

const rightOf = <A>(r: E.Either<ClusterError, A>, what: string): A => {
  if (E.isLeft(r)) throw new Error(`${what}: expected success, got ${r.left.reason}: ${r.left.message}`);
  return r.right;
};

const reasonOf = <A>(r: E.Either<ClusterError, A>, what: string): string => {
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

// -------------------------------------------------------------------------------------
// commands
// -------------------------------------------------------------------------------------

type Cmd = fc.AsyncCommand<Model, Real>;

class Create implements Cmd {
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

class Get implements Cmd {
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

class Update implements Cmd {
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

class UpdateStale implements Cmd {
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

class PatchLabel implements Cmd {
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

class UpdateStatus implements Cmd {
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

class Delete implements Cmd {
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

class AddFinalizer implements Cmd {
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

class RemoveFinalizers implements Cmd {
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
      wrote(m, 'DELETED', this.name, out.metadata?.resourceVersion);
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

class List implements Cmd {
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
class Watch implements Cmd {
  constructor(readonly from: number) {}
  check = (): boolean => true;
  async run(m: Model, r: Real): Promise<void> {
    const at = this.from % (m.log.length + 1);
    const start = at === 0 ? m.startRv : (m.log[at - 1]?.rv ?? m.startRv);
    const expected = m.log.slice(at);
    const stream = rightOf(
      await r.cluster.watch(WIDGET, { namespace: r.ns, resourceVersion: start })(),
      'watch',
    );
    const it = stream[Symbol.asyncIterator]();
    const seen: Array<{ type: string; name: string; rv: string }> = [];
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
    expect(seen).toEqual(expected);
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

const name = fc.constantFrom(...NAMES);
const data = fc.constantFrom('x', 'y', 'z');

const commands = [
  fc.tuple(name, data, fc.boolean()).map(([n, d, f]) => new Create(n, d, f)),
  name.map((n) => new Get(n)),
  fc.tuple(name, data).map(([n, d]) => new Update(n, d)),
  fc.tuple(name, data).map(([n, d]) => new UpdateStale(n, d)),
  fc
    .tuple(name, fc.constantFrom('team', 'tier'), fc.constantFrom('a', 'b', null))
    .map(([n, k, v]) => new PatchLabel(n, k, v)),
  fc.tuple(name, fc.constantFrom('ok', 'bad')).map(([n, s]) => new UpdateStatus(n, s)),
  fc
    .tuple(name, fc.constantFrom<'none' | 'fresh' | 'stale'>('none', 'fresh', 'stale'))
    .map(([n, p]) => new Delete(n, p)),
  fc.tuple(name, fc.constantFrom(...FINALIZERS)).map(([n, f]) => new AddFinalizer(n, f)),
  name.map((n) => new RemoveFinalizers(n)),
  fc.constant(new List()),
  fc.nat(64).map((i) => new Watch(i)),
];

/** Runs one command sequence against a fresh cluster and a fresh model. */
const runModel = async (makeCluster: () => ClusterPort, cmds: Iterable<Cmd>): Promise<void> => {
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

const memory = (): ClusterPort => makeMemoryCluster({ clock: makeVirtualClock(), kinds: [WIDGET] });

/** A planted bug: an update carries whatever resourceVersion is current instead of its own, so stale writes win. */
const staleUpdatesAccepted = (): ClusterPort => {
  const inner = memory();
  return {
    ...inner,
    update: (o) => async () => {
      const current = await inner.get(refOf(o))();
      const rv = E.isRight(current) ? current.right.metadata?.resourceVersion : undefined;
      return inner.update({
        ...o,
        metadata: { ...o.metadata, ...(rv === undefined ? {} : { resourceVersion: rv }) },
      })();
    },
  };
};

const sequences = fc.commands(commands, { maxCommands: 40, size: 'max' });

describe('in-memory cluster against a model', () => {
  test.prop([sequences], { numRuns: 200 })(
    'behaves like the model for random sequences of create/update/patch/status/delete/finalizer/list/watch',
    (cmds) => runModel(memory, cmds),
  );

  it('finds a planted stale-update bug and shrinks it to a short sequence ending in a stale update', async () => {
    const result = await fc.check(
      fc.asyncProperty(sequences, (cmds) => runModel(staleUpdatesAccepted, cmds)),
      { numRuns: 300, seed: 6 },
    );
    expect(result.failed).toBe(true);
    const counterexample = fc.stringify(result.counterexample?.[0]);
    expect(counterexample).toMatch(/UpdateStale\([abc], [xyz]\)/);
    expect(counterexample.split('),').length).toBeLessThanOrEqual(6);
  });

  it('the same planted bug passes unnoticed by a test that never updates stale', async () => {
    const withoutStale = fc.commands(
      commands.filter((_, i) => i !== 3),
      { maxCommands: 40 },
    );
    const result = await fc.check(
      fc.asyncProperty(withoutStale, (cmds) => runModel(staleUpdatesAccepted, cmds)),
      { numRuns: 50, seed: 6 },
    );
    expect(result.failed).toBe(false);
  });
});
