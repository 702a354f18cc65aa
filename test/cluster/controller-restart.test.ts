// A controller leader and a standby on a real kube-apiserver that restarts in the middle of 120 TaskExecutions: the
// leader rides it out, resumes once the API server is back, and no TaskExecution is lost or run twice.
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
});
