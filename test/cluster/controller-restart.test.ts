// A controller leader and a standby on a real kube-apiserver that restarts in the middle of a run: a leader whose
// renew deadline outlasts the outage rides it out, one whose deadline does not steps down (exit 1) and a standby
// takes over once the server is back; either way no TaskExecution is lost or run twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTasks,
  finishedAtLeast,
  firstPodCreateAfter,
  firstWriteAfter,
  holderAt,
  leaseArgs,
  leaseEvents,
  leaseHolders,
  loadAverage,
  nextHolder,
  SHORT_LEASE,
  startControllerEnv,
  startRun,
  type ControllerEnv,
  type LeaseFlags,
} from './controller-run.js';
import { checkRun } from './controller-checks.js';
import { until } from './controller-process.js';

/**
 * A renew deadline longer than the restart (12-21 s measured on a loaded 2-core machine), so the leader keeps its
 * Lease through it, and a lease duration longer still, so the standby, which saw the Lease last change before the
 * restart, does not take it over before the leader's first renewal after it. (With client-go's 10 s renew deadline a
 * longer outage ends the leader's term: it exits 1 and a standby takes over, as after a kill.)
 */
const RIDE_OUT: LeaseFlags = { leaseDuration: 60_000, renewDeadline: 45_000, retryPeriod: 1_000 };

/** The informers' reconnect back-off is capped at 5 s (src/app/informer.ts): the controller sees changes again by then. */
const RECONNECT_CAP_MS = 5_000;

const TASKS = Number(process.env['KUBETASKS_RESTART_TASKS'] ?? 120);
/** The second run only needs the leader change to fall in the middle: half as many. */
const TASKS_STEP_DOWN = Math.round(TASKS / 2);

let env: ControllerEnv | undefined;

beforeAll(async () => {
  env = await startControllerEnv();
});

afterAll(async () => {
  await env?.stop();
});

describe('a controller on a real kube-apiserver that restarts, with exactly deploy/ RBAC', () => {
  it(`kube-apiserver restart in the middle of ${TASKS} TaskExecutions: the leader resumes, nothing lost`, async () => {
    const run = await startRun(env!, {
      ns: 'restart-controller',
      tasks: TASKS,
      args: leaseArgs(RIDE_OUT),
      replicas: 2,
    });
    const began = Date.now();
    // Created before the restart: the test's own creates would fail while the API server is down.
    await createTasks(run);
    await finishedAtLeast(run, Math.floor(run.tasks / 4));
    const leader = await run.replicas.leader();
    expect(leader).toBeDefined();
    const finishedBefore = run.finished.size;
    const downAt = Date.now();
    await env!.plane.restartApiServer();
    const backAt = Date.now();
    const firstWrite = await firstWriteAfter(run, backAt);
    const firstCreate = await firstPodCreateAfter(run, backAt);
    let renewedAt = 0;
    await until(
      'the leader to renew its lease',
      () => {
        renewedAt =
          leaseEvents(run).find((e) => e.at >= backAt && holderAt(e) === leader!.process.identity)?.at ?? 0;
        return Promise.resolve(renewedAt > 0);
      },
      30_000,
    );
    // A create the stopped API server refused is a system failure, and the attempt's next try has a name of its own.
    const { systemRetries } = await checkRun(run, 120_000, { systemRetries: true });
    console.log(
      `kube-apiserver restart (lease ${RIDE_OUT.leaseDuration} ms, renew deadline ${RIDE_OUT.renewDeadline} ms, ` +
        `retry ${RIDE_OUT.retryPeriod} ms): ${finishedBefore} of ${run.tasks} final before it, the API server ` +
        `down and back in ${backAt - downAt} ms; after it was back: the lease renewed after ${renewedAt - backAt} ` +
        `ms, the first status write after ${firstWrite - backAt} ms, the first pod created after ` +
        `${firstCreate - backAt} ms; ${systemRetries.length} system retries; run took ${Date.now() - began} ms; load average ${loadAverage()}`,
    );
    // The restart fell in the middle of the run.
    expect(finishedBefore).toBeGreaterThan(0);
    expect(finishedBefore).toBeLessThan(run.tasks);
    // The leader rode it out: it kept the Lease and nobody else held it, no replica exited.
    expect(leaseHolders(run)).toEqual([leader!.process.identity]);
    expect(run.replicas.all.map((r) => r.exit)).toEqual([undefined, undefined]);
    // It resumed within the informers' reconnect cap of the API server's return (2 s for a loaded machine's lag).
    expect(firstWrite - backAt).toBeLessThanOrEqual(RECONNECT_CAP_MS + 2_000);
    await run.replicas.stop();
    expect(run.replicas.all.map((r) => r.exit)).toEqual([0, 0]);
  });

  it(`an outage longer than the renew deadline in the middle of ${TASKS_STEP_DOWN} TaskExecutions: the leader steps down, a standby takes over, nothing lost`, async () => {
    const run = await startRun(env!, {
      ns: 'restart-step-down',
      tasks: TASKS_STEP_DOWN,
      args: leaseArgs(SHORT_LEASE),
      replicas: 2,
    });
    const began = Date.now();
    await createTasks(run);
    await finishedAtLeast(run, Math.floor(run.tasks / 4));
    const leader = await run.replicas.leader();
    expect(leader).toBeDefined();
    const old = leader!.process.identity;
    const finishedBefore = run.finished.size;
    const downAt = Date.now();
    // Down for longer than the renew deadline (and the lease duration) whatever the start-up takes.
    await env!.plane.restartApiServer({ downMs: SHORT_LEASE.leaseDuration + 1_000 });
    const backAt = Date.now();
    const next = await nextHolder(run, downAt, old);
    const firstWrite = await firstWriteAfter(run, next.at);
    // A create the stopped API server refused is a system failure, and the attempt's next try has a name of its own.
    const { systemRetries } = await checkRun(run, 120_000, { systemRetries: true });
    console.log(
      `kube-apiserver stopped, ${SHORT_LEASE.leaseDuration + 1_000} ms without it, then started (lease ` +
        `${SHORT_LEASE.leaseDuration} ms, renew deadline ${SHORT_LEASE.renewDeadline} ms, retry ` +
        `${SHORT_LEASE.retryPeriod} ms): ${finishedBefore} of ${run.tasks} final before it; the old leader exited ` +
        `${String(leader!.exit)}; from the stop: the server ready for the harness after ${backAt - downAt} ms, a new ` +
        `leader after ${next.at - downAt} ms, its first status write after ${firstWrite - downAt} ms; ` +
        `${systemRetries.length} system retries; run took ${Date.now() - began} ms; load average ${loadAverage()}`,
    );
    expect(finishedBefore).toBeLessThan(run.tasks);
    // The leader could not renew within its deadline: it stopped leading and exited 1, as client-go's controllers do.
    expect(leader!.exit).toBe(1);
    expect(leader!.process.running.stderr()).toContain('leadership lost; exiting');
    // Nobody could take the Lease while the server was down; once it was back, the standby (or the replacement of
    // the old leader) took it at its first read: the lease had not changed for longer than its duration. (The server
    // answers before the harness sees it ready and serving the CRD, so the new leader may come first.)
    expect(next.holder).not.toBe(old);
    expect(next.at).toBeGreaterThan(downAt + SHORT_LEASE.leaseDuration + 1_000);
    // A read the standby sent while the server was starting may get no answer until the election's request timeout
    // (the renew deadline); the next read comes a retry period later (measured: 0.7-8.7 s after the harness saw the
    // server ready, 2 s for a loaded machine's lag).
    expect(next.at - backAt).toBeLessThanOrEqual(SHORT_LEASE.renewDeadline + SHORT_LEASE.retryPeriod + 2_000);
    expect(leaseHolders(run)).toEqual([old, next.holder]);
    await run.replicas.stop();
    // The standby and the old leader's replacement, both ended by SIGTERM.
    expect(run.replicas.all.filter((r) => r !== leader).map((r) => r.exit)).toEqual([0, 0]);
  });
});
