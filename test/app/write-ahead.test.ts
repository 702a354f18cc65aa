// Write-ahead and failed reconciles: a state the store refused runs no command; a throw is caught and retried.
import { afterEach, describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { makeMemoryStateStore } from '../../src/adapters/state-store/memory.js';
import { silentLogger } from '../../src/ports/logger.js';
import type { Metrics } from '../../src/ports/metrics.js';
import type { StateStore } from '../../src/ports/state-store.js';
import { makeWorld, podTask, type World } from './harness.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

/** Counts `kubetasks_reconcile_total` by result. */
const reconcileCounter = (): { readonly metrics: Metrics; readonly byResult: Map<string, number> } => {
  const byResult = new Map<string, number>();
  return {
    byResult,
    metrics: {
      increment: (name, labels) => {
        if (name !== 'kubetasks_reconcile_total') return;
        const r = labels?.['result'] ?? '';
        byResult.set(r, (byResult.get(r) ?? 0) + 1);
      },
      setGauge: () => undefined,
      observe: () => undefined,
    },
  };
};

describe('write-ahead', () => {
  it('a step whose state the store refused sends nothing; once the store is back it runs, once', async () => {
    const inner = makeMemoryStateStore();
    let down = true;
    const store: StateStore = {
      ...inner,
      put: (r) => (down ? TE.left({ _tag: 'StateStoreError', message: 'the disk is full' }) : inner.put(r)),
    };
    const { metrics, byResult } = reconcileCounter();
    world = await makeWorld(undefined, { store, metrics });
    const w = world;
    expect(w.manager.submit('t', podTask('a', 'succeed'))).toEqual(E.right(undefined));
    await w.clock.advance(30_000);
    // Nothing was created while the state could not be stored, and nothing was reported.
    expect(w.cluster.calls.get('create') ?? 0).toBe(0);
    expect(w.updates).toEqual([]);
    expect(byResult.get('store_failed')).toBeGreaterThanOrEqual(2);
    expect(byResult.get('success') ?? 0).toBe(0);
    down = false;
    const final = await w.manager.awaitFinal('t');
    await w.manager.idle();
    expect(final.phase).toBe('Success');
    expect(w.cluster.calls.get('create')).toBe(1);
    expect(byResult.get('success')).toBeGreaterThan(0);
  });

  it('a state is deferrable only when its step changes nothing in the cluster: every write follows a durable put', async () => {
    const inner = makeMemoryStateStore();
    const events: string[] = [];
    const store: StateStore = {
      ...inner,
      put: (r) => {
        // Cluster writes since the last put came from that put's step.
        events.push(`put:${r.deferrable === true ? 'deferrable' : 'durable'}`);
        return inner.put(r);
      },
    };
    world = await makeWorld(undefined, { store });
    const w = world;
    // The manager's creates, deletes and patches (the kubelet writes through its own port).
    w.cluster.beforeWrite = () => events.push('write');
    w.manager.submit('t', podTask('a', 'succeed'));
    await w.manager.awaitFinal('t');
    await w.manager.idle();
    expect(events).toContain('put:deferrable');
    expect(events.filter((e) => e.startsWith('write')).length).toBeGreaterThan(0);
    events.forEach((e, i) => {
      if (e.startsWith('write'))
        expect(
          events
            .slice(0, i)
            .filter((x) => x.startsWith('put'))
            .at(-1),
        ).toBe('put:durable');
    });
  });

  it('a reconcile that throws is logged, counted and retried; the other tasks keep running', async () => {
    const { metrics, byResult } = reconcileCounter();
    const errors: string[] = [];
    world = await makeWorld(undefined, {
      metrics,
      logger: { ...silentLogger, error: (message) => void errors.push(message) },
    });
    const w = world;
    let thrown = 0;
    // A subscriber that throws once, on the first phase of task `bad`: the reconcile that emitted it fails.
    w.manager.subscribe((u) => {
      if (u.taskId === 'bad' && thrown === 0) {
        thrown++;
        throw new Error('subscriber bug');
      }
    });
    w.manager.submit('bad', podTask('bad', 'succeed'));
    w.manager.submit('good', podTask('good', 'succeed'));
    const [bad, good] = await Promise.all([w.manager.awaitFinal('bad'), w.manager.awaitFinal('good')]);
    await w.manager.idle();
    expect(thrown).toBe(1);
    expect([bad.phase, good.phase]).toEqual(['Success', 'Success']);
    expect(byResult.get('error')).toBe(1);
    expect(errors).toContain('reconcile failed');
  });
});
