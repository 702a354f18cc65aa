// Fault injection: every kind of fault, and replay: the same seed and calls give the same faults.
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { makeVirtualClock } from '../../src/adapters/clock/index.js';
import { makeMemoryCluster, withFaults, type FaultRule } from '../../src/adapters/memory/index.js';
import { isRetryable, statusReasons, type StatusReason } from '../../src/domain/api-error.js';
import type { ClusterPort, WatchEvent } from '../../src/ports/cluster.js';

const CM = { apiVersion: 'v1', kind: 'ConfigMap' } as const;
const cm = (name: string) => ({ ...CM, metadata: { name, namespace: 'default' }, data: { k: name } });

/** A fixed workload: the outcome of every call, as text. */
const workload = async (cluster: ClusterPort): Promise<string[]> => {
  const out: string[] = [];
  const note = (what: string, r: E.Either<{ reason: string }, unknown>): void => {
    out.push(`${what}:${E.isLeft(r) ? r.left.reason : 'ok'}`);
  };
  for (let i = 0; i < 30; i++) {
    const name = `c${i % 7}`;
    note(`create ${name}`, await cluster.create(cm(name))());
    note(`get ${name}`, await cluster.get({ ...CM, namespace: 'default', name })());
    note(
      `patch ${name}`,
      await cluster.patch(
        { ...CM, namespace: 'default', name },
        { type: 'merge', body: { data: { i: String(i) } } },
      )(),
    );
    if (i % 3 === 0) note(`delete ${name}`, await cluster.delete({ ...CM, namespace: 'default', name })());
    if (i % 5 === 0) note('list', await cluster.list(CM, { namespace: 'default' })());
  }
  return out;
};

const chaos: ReadonlyArray<FaultRule> = [
  { verbs: ['create', 'patch'], probability: 0.2, error: 'TooManyRequests' },
  { verbs: ['get'], probability: 0.1, error: 'InternalError' },
  { verbs: ['patch'], probability: 0.1, error: 'Timeout', when: 'after' },
  { verbs: ['delete', 'list'], probability: 0.3, latencyMs: [10, 500] },
];

const runWithSeed = async (seed: number) => {
  const clock = makeVirtualClock({ auto: true });
  const faulty = withFaults(makeMemoryCluster({ clock }), { seed, rules: chaos, clock });
  const outcomes = await workload(faulty);
  clock.dispose();
  return { outcomes, injected: faulty.injected() };
};

describe('fault injection', () => {
  test.prop([fc.integer({ min: 0, max: 2 ** 31 - 1 })], { numRuns: 20 })(
    'replays: the same seed gives the same faults and the same outcomes',
    async (seed) => {
      const a = await runWithSeed(seed);
      const b = await runWithSeed(seed);
      expect(b.injected).toEqual(a.injected);
      expect(b.outcomes).toEqual(a.outcomes);
    },
  );

  it('different seeds give different fault sequences', async () => {
    const a = await runWithSeed(1);
    const b = await runWithSeed(2);
    expect(a.injected.length).toBeGreaterThan(0);
    expect(b.injected).not.toEqual(a.injected);
  });

  it.each(statusReasons.filter((r): r is Exclude<StatusReason, 'Unknown'> => r !== 'Unknown'))(
    'fails a call with %s and its code, without touching the cluster',
    async (reason) => {
      const inner = makeMemoryCluster({ clock: makeVirtualClock() });
      const faulty = withFaults(inner, { seed: 1, rules: [{ verbs: ['create'], error: reason, times: 1 }] });
      const r = await faulty.create(cm('x'))();
      expect(E.isLeft(r) && r.left.reason).toBe(reason);
      expect((await inner.get({ ...CM, namespace: 'default', name: 'x' })())._tag).toBe('Left');
      // `times: 1`: the next call goes through.
      expect((await faulty.create(cm('x'))())._tag).toBe('Right');
    },
  );

  it('keeps the effect of a call whose error comes after it (a lost response)', async () => {
    const inner = makeMemoryCluster({ clock: makeVirtualClock() });
    const faulty = withFaults(inner, {
      seed: 1,
      rules: [{ verbs: ['create'], error: 'Timeout', when: 'after' }],
    });
    const r = await faulty.create(cm('x'))();
    expect(E.isLeft(r) && isRetryable(r.left)).toBe(true);
    expect((await inner.get({ ...CM, namespace: 'default', name: 'x' })())._tag).toBe('Right');
    expect(faulty.injected().map((f) => f.fault)).toEqual(['error-after']);
  });

  it('adds latency on the clock', async () => {
    const clock = makeVirtualClock();
    const faulty = withFaults(makeMemoryCluster({ clock }), {
      seed: 1,
      clock,
      rules: [{ verbs: ['get'], latencyMs: 2500 }],
    });
    let done = false;
    const pending = faulty
      .get({ ...CM, namespace: 'default', name: 'x' })()
      .then(() => {
        done = true;
      });
    await clock.advance(2000);
    expect(done).toBe(false);
    await clock.advance(600);
    await pending;
    expect(done).toBe(true);
    expect(faulty.injected()[0]).toMatchObject({ fault: 'latency', latencyMs: 2500, verb: 'get' });
  });

  it('only hits the kinds it names', async () => {
    const faulty = withFaults(makeMemoryCluster({ clock: makeVirtualClock() }), {
      seed: 1,
      rules: [{ kinds: [{ apiVersion: 'v1', kind: 'Pod' }], error: 'Forbidden' }],
    });
    expect((await faulty.create(cm('x'))())._tag).toBe('Right');
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'default' },
      spec: { containers: [{ name: 'm', image: 'x:1' }] },
    };
    const r = await faulty.create(pod)();
    expect(E.isLeft(r) && r.left.code).toBe(403);
  });

  it('drops watch streams after some events, with or without an error first', async () => {
    const inner = makeMemoryCluster({ clock: makeVirtualClock() });
    for (const n of ['a', 'b', 'c', 'd']) await inner.create(cm(n))();
    const read = async (cluster: ClusterPort): Promise<WatchEvent[]> => {
      const s = await cluster.watch(CM, { namespace: 'default' })();
      if (E.isLeft(s)) throw new Error('watch failed');
      const seen: WatchEvent[] = [];
      for await (const e of s.right) seen.push(e);
      return seen;
    };
    const quiet = withFaults(inner, {
      seed: 1,
      rules: [{ verbs: ['watch'], dropWatch: { afterEvents: 2 } }],
    });
    expect((await read(quiet)).map((e) => e.type)).toEqual(['ADDED', 'ADDED']);
    const loud = withFaults(inner, {
      seed: 1,
      rules: [{ verbs: ['watch'], dropWatch: { afterEvents: 1, error: 'Expired' } }],
    });
    const events = await read(loud);
    expect(events.map((e) => e.type)).toEqual(['ADDED', 'ERROR']);
    const last = events[1];
    expect(last?.type === 'ERROR' && last.error.code).toBe(410);
    expect(loud.injected().map((f) => f.fault)).toEqual(['watch-drop']);
  });

  it('changes rules on the fly', async () => {
    const faulty = withFaults(makeMemoryCluster({ clock: makeVirtualClock() }), { seed: 1, rules: [] });
    expect((await faulty.create(cm('x'))())._tag).toBe('Right');
    faulty.setRules([{ error: 'ServiceUnavailable' }]);
    const r = await faulty.get({ ...CM, namespace: 'default', name: 'x' })();
    expect(E.isLeft(r) && r.left.code).toBe(503);
  });
});
