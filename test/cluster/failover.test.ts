// Three controller replicas on a real kube-apiserver through kill -9 of the leader, twice: every TaskExecution ends
// right, its phase never goes back, no attempt has two pods, nothing is left.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTasks,
  finishedAtLeast,
  firstWriteAfter,
  leaseArgs,
  leaseHolders,
  loadAverage,
  nextHolder,
  SHORT_LEASE,
  startControllerEnv,
  startRun,
  STATUS_DELAY_MS,
  type ControllerEnv,
} from './controller-run.js';
import { checkRun } from './controller-checks.js';

const {
  leaseDuration: LEASE_DURATION_MS,
  renewDeadline: RENEW_DEADLINE_MS,
  retryPeriod: RETRY_PERIOD_MS,
} = SHORT_LEASE;

/** The issue asks for 300; KUBETASKS_FAILOVER_TASKS changes it for a quick local run. */
const TASKS = Number(process.env['KUBETASKS_FAILOVER_TASKS'] ?? 300);

let env: ControllerEnv | undefined;

beforeAll(async () => {
  env = await startControllerEnv();
});

afterAll(async () => {
  await env?.stop();
});

describe('three controller replicas on a real kube-apiserver, with exactly deploy/ RBAC', () => {
  it(`kill -9 of the leader, twice, in the middle of ${TASKS} TaskExecutions: nothing lost, nothing twice`, async () => {
    const run = await startRun(env!, { ns: 'failover-kill', tasks: TASKS, args: leaseArgs(SHORT_LEASE) });
    const began = Date.now();
    const creating = createTasks(run);
    const failovers: Array<{ acquired: number; firstWrite: number }> = [];
    for (const fraction of [1 / 3, 2 / 3]) {
      await finishedAtLeast(run, Math.floor(run.tasks * fraction));
      await run.replicas.settled();
      const leader = await run.replicas.leader();
      expect(leader).toBeDefined();
      const finishedAtKill = run.finished.size;
      const killedAt = Date.now();
      leader!.process.running.child.kill('SIGKILL');
      await leader!.process.running.exited;
      const next = await nextHolder(run, killedAt, leader!.process.identity);
      const firstWrite = await firstWriteAfter(run, next.at);
      failovers.push({ acquired: next.at - killedAt, firstWrite: firstWrite - killedAt });
      // The kill fell in the middle of the run.
      expect(finishedAtKill).toBeLessThan(run.tasks);
      expect(next.holder).not.toBe(leader!.process.identity);
    }
    await creating;
    await checkRun(run, 180_000);
    console.log(
      `kill -9 failover (lease ${LEASE_DURATION_MS} ms, renew deadline ${RENEW_DEADLINE_MS} ms, retry ` +
        `${RETRY_PERIOD_MS} ms): ` +
        failovers
          .map((f) => `new leader after ${f.acquired} ms, its first status write after ${f.firstWrite} ms`)
          .join('; ') +
        `; run took ${Date.now() - began} ms; load average ${loadAverage()}`,
    );
    for (const f of failovers) {
      // A standby takes the lease at most lease duration + retry period after it first saw the last renewal, which
      // came before the kill; 1 s covers the lease writes and watch events of a loaded machine.
      expect(f.acquired).toBeLessThanOrEqual(LEASE_DURATION_MS + RETRY_PERIOD_MS + 1_000);
      // The new leader's first status write then waits for its start (its pod informer's list, the resume of every
      // task from its cache: about 3 s for 300 tasks on a loaded machine, so 4 s), and a phase for the status delay.
      expect(f.firstWrite).toBeLessThanOrEqual(
        LEASE_DURATION_MS + RETRY_PERIOD_MS + 1_000 + 4_000 + STATUS_DELAY_MS,
      );
    }
    // Exactly the two kills changed the leader: no leader lost its lease otherwise (it would have exited 1).
    expect(leaseHolders(run)).toHaveLength(3);
    await run.replicas.stop();
    const killed = run.replicas.all.filter((r) => r.exit === 'SIGKILL');
    expect(killed).toHaveLength(2);
    expect(run.replicas.all.filter((r) => r.exit !== 'SIGKILL').map((r) => r.exit)).toEqual([0, 0, 0]);
  });
});
