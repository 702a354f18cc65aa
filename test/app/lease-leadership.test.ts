// Leader election on a Lease in the in-memory cluster, on a virtual clock: failover when the leader is cut off,
// handover on stop, never two leaders, metrics.
import { afterEach, describe, expect, it } from 'vitest';
import { makeVirtualClock, type VirtualClock } from '../../src/adapters/clock/virtual.js';
import { makeMemoryCluster, type MemoryCluster } from '../../src/adapters/memory/cluster.js';
import { LEASE_KIND, readLease } from '../../src/domain/leader-election/lease.js';
import type { Leadership, LeadershipEnd } from '../../src/app/leadership.js';
import { LEADER_GAUGE, leaseLeadership, TRANSITIONS_COUNTER } from '../../src/app/lease-leadership.js';
import { connection } from '../support/connection.js';
import type { MetricLabels, Metrics } from '../../src/ports/metrics.js';

const LEASE = { namespace: 'kube-system', name: 'kubetasks-controller' };

/** Who leads, checked the moment any elector starts: never two at once. */
interface Stage {
  readonly active: Set<string>;
  readonly starts: Array<{ readonly who: string; readonly at: number }>;
  readonly overlaps: string[];
}

const recordingMetrics = (): Metrics & {
  readonly gauges: Map<string, number>;
  readonly counters: Map<string, number>;
} => {
  const gauges = new Map<string, number>();
  const counters = new Map<string, number>();
  const key = (name: string, labels?: MetricLabels): string => `${name}${JSON.stringify(labels ?? {})}`;
  return {
    gauges,
    counters,
    increment: (name, labels, by = 1) => {
      counters.set(key(name, labels), (counters.get(key(name, labels)) ?? 0) + by);
    },
    setGauge: (name, value, labels) => {
      gauges.set(key(name, labels), value);
    },
    observe: () => undefined,
  };
};

interface Elector {
  readonly who: string;
  readonly leadership: Leadership;
  readonly stop: AbortController;
  readonly ended: Promise<LeadershipEnd>;
  readonly cut: () => void;
  readonly metrics: ReturnType<typeof recordingMetrics>;
}

let clock: VirtualClock | undefined;
let cluster: MemoryCluster | undefined;
afterEach(() => {
  clock?.dispose();
  cluster?.close();
});

const world = (): { clock: VirtualClock; cluster: MemoryCluster; stage: Stage } => {
  clock = makeVirtualClock();
  cluster = makeMemoryCluster({ clock });
  return { clock, cluster, stage: { active: new Set(), starts: [], overlaps: [] } };
};

const elect = (w: { clock: VirtualClock; cluster: MemoryCluster; stage: Stage }, who: string): Elector => {
  const { port, cut } = connection(w.cluster);
  const metrics = recordingMetrics();
  const leadership = leaseLeadership({ cluster: port, clock: w.clock, lease: LEASE, identity: who, metrics });
  const stop = new AbortController();
  const ended = leadership.run(async (ending) => {
    if (w.stage.active.size > 0)
      w.stage.overlaps.push(`${who} started while ${[...w.stage.active].join(',')} led`);
    w.stage.active.add(who);
    w.stage.starts.push({ who, at: w.clock.now() });
    await new Promise<void>((resolve) => {
      ending.addEventListener('abort', () => resolve(), { once: true });
    });
    w.stage.active.delete(who);
  }, stop.signal);
  return { who, leadership, stop, ended, cut, metrics };
};

const leaseHolder = async (c: MemoryCluster): Promise<string> => {
  const r = await c.get({ ...LEASE_KIND, ...LEASE })();
  return r._tag === 'Right' ? readLease(r.right).record.holder : '<absent>';
};

describe('leaseLeadership on the in-memory cluster', () => {
  it('one of three leads; cut off, it stops at its renew deadline and a standby leads a lease duration later', async () => {
    const w = world();
    const electors = ['a', 'b', 'c'].map((who) => elect(w, who));
    await w.clock.advance(100);
    const leaders = electors.filter((e) => e.leadership.isLeader());
    expect(leaders.map((e) => e.who)).toHaveLength(1);
    const first = leaders[0]!;
    expect(await leaseHolder(w.cluster)).toBe(first.who);
    expect(first.metrics.gauges.get(`${LEADER_GAUGE}{"name":"kubetasks-controller"}`)).toBe(1);
    expect(first.metrics.counters.get(`${TRANSITIONS_COUNTER}{"name":"kubetasks-controller"}`)).toBe(1);

    // It keeps the lease while it can renew.
    await w.clock.advance(60_000);
    expect(first.leadership.isLeader()).toBe(true);
    expect(w.stage.starts).toHaveLength(1);

    // Cut off from the API server: it cannot renew, so it stops within its renew deadline (10 s after the last
    // renewal it sent), and only then, once the lease has stood unchanged for 15 s, does another take it.
    const cutAt = w.clock.now();
    first.cut();
    await w.clock.advance(10_000);
    expect(first.leadership.isLeader()).toBe(false);
    expect(await first.ended).toEqual({
      _tag: 'Lost',
      reason: 'the lease was not renewed within the renew deadline',
    });
    expect(first.metrics.gauges.get(`${LEADER_GAUGE}{"name":"kubetasks-controller"}`)).toBe(0);
    await w.clock.advance(10_000);
    const second = electors.filter((e) => e.leadership.isLeader());
    expect(second).toHaveLength(1);
    const takeover = w.stage.starts[1]!.at - cutAt;
    // The last renewal was at most a retry period before the cut; the standby saw it within a retry period and
    // waited a lease duration: under lease duration + retry period after the cut.
    expect(takeover).toBeGreaterThanOrEqual(15_000 - 2_000);
    expect(takeover).toBeLessThanOrEqual(15_000 + 2_000);
    expect(w.stage.overlaps).toEqual([]);

    // Stopped, the new leader releases; the last standby leads within about a retry period.
    const leader = second[0]!;
    const stopAt = w.clock.now();
    leader.stop.abort();
    await w.clock.advance(2_100);
    expect(await leader.ended).toEqual({ _tag: 'Stopped' });
    const third = electors.filter((e) => e.leadership.isLeader());
    expect(third).toHaveLength(1);
    expect(third[0]!.who).not.toBe(leader.who);
    expect(w.stage.starts[2]!.at - stopAt).toBeLessThanOrEqual(2_000 + 50);
    expect(await leaseHolder(w.cluster)).toBe(third[0]!.who);
    expect(w.stage.overlaps).toEqual([]);

    third[0]!.stop.abort();
    await w.clock.advance(100);
    expect(await third[0]!.ended).toEqual({ _tag: 'Stopped' });
    expect(await leaseHolder(w.cluster)).toBe('');
    const lease = await w.cluster.get({ ...LEASE_KIND, ...LEASE })();
    expect(lease._tag === 'Right' && readLease(lease.right).record.transitions).toBe(2);
  });

  it('a stopping leader keeps the lease until its work has returned', async () => {
    const w = world();
    const clk = w.clock;
    const stopA = new AbortController();
    let windDownDone = false;
    const a = leaseLeadership({ cluster: w.cluster, clock: clk, lease: LEASE, identity: 'a' });
    const endedA = a.run(async (ending) => {
      await new Promise<void>((resolve) => {
        ending.addEventListener('abort', () => resolve(), { once: true });
      });
      // Winding down takes longer than a lease duration; the lease is renewed meanwhile.
      await clk.sleep(40_000)();
      windDownDone = true;
    }, stopA.signal);
    await clk.advance(100);
    const b = elect({ ...w }, 'b');
    await clk.advance(1_000);
    stopA.abort();
    await clk.advance(39_000);
    expect(b.leadership.isLeader()).toBe(false);
    expect(windDownDone).toBe(false);
    await clk.advance(2_000 + 2_100);
    expect(windDownDone).toBe(true);
    expect(await endedA).toEqual({ _tag: 'Stopped' });
    expect(b.leadership.isLeader()).toBe(true);
  });

  it('a lead that throws releases the lease and rejects with the error', async () => {
    const w = world();
    const a = leaseLeadership({ cluster: w.cluster, clock: w.clock, lease: LEASE, identity: 'a' });
    const ended = a.run(() => Promise.reject(new Error('boom')), new AbortController().signal);
    const settled = ended.then(
      () => 'resolved',
      (e: unknown) => (e instanceof Error ? e.message : 'other'),
    );
    await w.clock.advance(100);
    expect(await settled).toBe('boom');
    expect(await leaseHolder(w.cluster)).toBe('');
  });

  it('keeps labels others put on the Lease', async () => {
    const w = world();
    await w.cluster.create({
      ...LEASE_KIND,
      metadata: { ...LEASE, labels: { team: 'x' } },
      spec: {},
    })();
    const a = leaseLeadership({ cluster: w.cluster, clock: w.clock, lease: LEASE, identity: 'a' });
    const stop = new AbortController();
    const ended = a.run(
      (ending) =>
        new Promise<void>((resolve) => {
          ending.addEventListener('abort', () => resolve(), { once: true });
        }),
      stop.signal,
    );
    await w.clock.advance(5_000);
    expect(a.isLeader()).toBe(true);
    const lease = await w.cluster.get({ ...LEASE_KIND, ...LEASE })();
    expect(lease._tag === 'Right' && lease.right.metadata?.labels).toEqual({ team: 'x' });
    stop.abort();
    await w.clock.advance(100);
    expect(await ended).toEqual({ _tag: 'Stopped' });
  });

  it('a stop before the election starts ends it at once', async () => {
    const w = world();
    const stop = new AbortController();
    stop.abort();
    const a = leaseLeadership({ cluster: w.cluster, clock: w.clock, lease: LEASE, identity: 'a' });
    expect(await a.run(() => Promise.resolve(), stop.signal)).toEqual({ _tag: 'Stopped' });
    expect(await leaseHolder(w.cluster)).toBe('<absent>');
  });
});
