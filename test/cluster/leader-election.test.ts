// Leader election on a real kube-apiserver's Lease: three electors, one cut off, one stopped; never two leaders.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { steadyClock } from '../../src/adapters/clock/system.js';
import { makeKubernetesCluster, type KubernetesCluster } from '../../src/adapters/kubernetes/index.js';
import type { Leadership, LeadershipEnd } from '../../src/app/leadership.js';
import { leaseLeadership } from '../../src/app/lease-leadership.js';
import { LEASE_KIND, readLease } from '../../src/domain/leader-election/lease.js';
import { leaseTimings } from '../../src/domain/leader-election/timings.js';
import { connection } from '../support/connection.js';
import { startControlPlane, type ControlPlane } from './control-plane.js';

const NS = 'leader-election';
const LEASE = { namespace: NS, name: 'kubetasks-controller' };
// Short timings so the test takes seconds, with client-go's proportions (15 : 10 : 2).
const TIMINGS = E.getOrElseW((e: string) => {
  throw new Error(e);
})(leaseTimings({ leaseDuration: 3_000, renewDeadline: 2_000, retryPeriod: 400 }));

let plane: ControlPlane | undefined;
let cluster: KubernetesCluster | undefined;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const waitFor = async <A>(what: string, f: () => A | undefined, budgetMs: number): Promise<A> => {
  const deadline = Date.now() + budgetMs;
  for (;;) {
    const a = f();
    if (a !== undefined) return a;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
};

beforeAll(async () => {
  plane = await startControlPlane();
  cluster = makeKubernetesCluster({ kubeconfigPath: plane.kubeconfigPath });
  const ns = await cluster.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } })();
  if (E.isLeft(ns)) throw new Error(ns.left.message);
});

afterAll(async () => {
  cluster?.close();
  await plane?.stop();
});

describe('leader election on a real Lease', () => {
  it('fails over when the leader is cut off and hands over when it is stopped, never with two leaders', async () => {
    const active = new Set<string>();
    const overlaps: string[] = [];
    const starts: Array<{ readonly who: string; readonly at: number }> = [];
    const electors = ['a', 'b', 'c'].map((who) => {
      const { port, cut } = connection(cluster!);
      const leadership: Leadership = leaseLeadership({
        cluster: port,
        clock: steadyClock,
        lease: LEASE,
        identity: who,
        timings: TIMINGS,
      });
      const stop = new AbortController();
      const ended: Promise<LeadershipEnd> = leadership.run(async (ending) => {
        if (active.size > 0) overlaps.push(`${who} started while ${[...active].join(',')} led`);
        active.add(who);
        starts.push({ who, at: Date.now() });
        await new Promise<void>((resolve) => {
          ending.addEventListener('abort', () => resolve(), { once: true });
        });
        active.delete(who);
      }, stop.signal);
      return { who, leadership, stop, ended, cut };
    });
    const leaderOf = (): (typeof electors)[number] | undefined =>
      electors.find((e) => e.leadership.isLeader());

    const first = await waitFor('a first leader', leaderOf, 30_000);
    // It holds on through several renewals.
    await sleep(2 * TIMINGS.leaseDuration);
    expect(leaderOf()?.who).toBe(first.who);
    expect(starts).toHaveLength(1);
    const lease = await cluster!.get({ ...LEASE_KIND, ...LEASE })();
    if (E.isLeft(lease)) throw new Error(lease.left.message);
    expect(readLease(lease.right).record.holder).toBe(first.who);
    expect(lease.right['spec']).toMatchObject({ leaseDurationSeconds: 3 });

    const cutAt = Date.now();
    first.cut();
    expect(await first.ended).toMatchObject({ _tag: 'Lost' });
    const lostAfter = Date.now() - cutAt;
    const second = await waitFor(
      'a second leader',
      () => (starts.length > 1 ? starts[1] : undefined),
      30_000,
    );
    const failover = second.at - cutAt;
    console.log(`leader cut off: it stopped after ${lostAfter} ms; a standby led after ${failover} ms`);
    expect(lostAfter).toBeLessThanOrEqual(TIMINGS.renewDeadline + 200);
    expect(failover).toBeGreaterThanOrEqual(TIMINGS.leaseDuration - TIMINGS.retryPeriod);
    expect(failover).toBeLessThanOrEqual(TIMINGS.leaseDuration + 2 * TIMINGS.retryPeriod + 1_000);

    const leader = electors.find((e) => e.who === second.who)!;
    const stopAt = Date.now();
    leader.stop.abort();
    expect(await leader.ended).toEqual({ _tag: 'Stopped' });
    const third = await waitFor('a third leader', () => (starts.length > 2 ? starts[2] : undefined), 30_000);
    const handover = third.at - stopAt;
    console.log(`leader stopped: a standby led after ${handover} ms`);
    expect(handover).toBeLessThanOrEqual(TIMINGS.retryPeriod + 1_000);
    expect(third.who).not.toBe(first.who);
    expect(third.who).not.toBe(second.who);

    const last = electors.find((e) => e.who === third.who)!;
    last.stop.abort();
    expect(await last.ended).toEqual({ _tag: 'Stopped' });
    const released = await cluster!.get({ ...LEASE_KIND, ...LEASE })();
    if (E.isLeft(released)) throw new Error(released.left.message);
    expect(readLease(released.right).record).toMatchObject({ holder: '', transitions: 2 });
    expect(overlaps).toEqual([]);
    // The cut-off elector's calls hang forever; its run has ended, so nothing is left waiting on it.
  });
});
