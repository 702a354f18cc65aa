// Three controller replicas on a real kube-apiserver through SIGTERM of the leader, twice: the leader releases the
// Lease and exits 0, a standby leads within about a retry period, and no TaskExecution is lost or run twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Recorded } from './watch-recorder.js';
import {
  createTasks,
  finishedAtLeast,
  firstWriteAfter,
  holderAt,
  leaseArgs,
  leaseAt,
  leaseEvents,
  leaseHolders,
  loadAverage,
  nextHolder,
  SHORT_LEASE,
  startControllerEnv,
  startRun,
  STATUS_DELAY_MS,
  type ControllerEnv,
  type Run,
} from './controller-run.js';
import { checkRun } from './controller-checks.js';
import { until } from './controller-process.js';

const { leaseDuration: LEASE_DURATION_MS, retryPeriod: RETRY_PERIOD_MS } = SHORT_LEASE;

/** Fewer than the failover test's 300: a handover costs seconds, not a lease duration. */
const TASKS = Number(process.env['KUBETASKS_HANDOVER_TASKS'] ?? 120);

let env: ControllerEnv | undefined;

beforeAll(async () => {
  env = await startControllerEnv();
});

afterAll(async () => {
  await env?.stop();
});

/** The release of the Lease by `holder` (an event naming nobody, right after one naming it), at or after `since`. */
const releaseBy = async (
  run: Run,
  since: number,
  holder: string,
): Promise<{ before: Recorded; release: Recorded }> => {
  let found: { before: Recorded; release: Recorded } | undefined;
  await until(
    `${holder} to release the lease`,
    () => {
      const events = leaseEvents(run);
      const i = events.findIndex(
        (e, k) => e.at >= since && holderAt(e) === '' && holderAt(events[k - 1]!) === holder,
      );
      if (i > 0) found = { before: events[i - 1]!, release: events[i]! };
      return Promise.resolve(found !== undefined);
    },
    30_000,
  );
  return found!;
};

interface Handover {
  /** SIGTERM to the old leader's exit. */
  readonly exited: number;
  /** SIGTERM to the Lease showing no holder. */
  readonly released: number;
  /** SIGTERM to a standby holding the Lease. */
  readonly acquired: number;
  /** SIGTERM to the new leader's first status write. */
  readonly firstWrite: number;
}

describe('three controller replicas on a real kube-apiserver, with exactly deploy/ RBAC', () => {
  it(`SIGTERM of the leader, twice, in the middle of ${TASKS} TaskExecutions: a standby leads at once, nothing lost`, async () => {
    const run = await startRun(env!, { ns: 'handover', tasks: TASKS, args: leaseArgs(SHORT_LEASE) });
    const began = Date.now();
    const creating = createTasks(run);
    const handovers: Handover[] = [];
    for (const fraction of [1 / 3, 2 / 3]) {
      await finishedAtLeast(run, Math.floor(run.tasks * fraction));
      await run.replicas.settled();
      const leader = await run.replicas.leader();
      expect(leader).toBeDefined();
      const old = leader!.process.identity;
      const finishedAtTerm = run.finished.size;
      const termAt = Date.now();
      leader!.process.running.child.kill('SIGTERM');
      const code = await leader!.process.running.exited;
      const exitedAt = Date.now();
      // A graceful stop: exit code 0, and the Lease released as client-go's ReleaseOnCancel writes it (no holder,
      // a 1 s duration, the transitions kept), then taken by a standby (the transitions one more).
      expect({ code, stderr: code === 0 ? '' : leader!.process.running.stderr() }).toEqual({
        code: 0,
        stderr: '',
      });
      const { before, release } = await releaseBy(run, termAt, old);
      const next = await nextHolder(run, termAt, old);
      expect(next.holder).not.toBe('');
      expect(release.at).toBeLessThanOrEqual(next.at);
      const [held, freed, taken] = [leaseAt(before), leaseAt(release), leaseAt(next.event)];
      expect({ duration: freed.leaseDuration, transitions: freed.transitions }).toEqual({
        duration: { _tag: 'Some', value: 1_000 },
        transitions: held.transitions,
      });
      expect(taken.transitions).toBe(held.transitions + 1);
      // Nobody held it between the release and the new holder (the old leader renewed nothing after releasing).
      const between = leaseEvents(run).filter(
        (e) => e.at >= release.at && e.at <= next.at && e !== next.event,
      );
      expect(between.map(holderAt).filter((h) => h !== '')).toEqual([]);
      const firstWrite = await firstWriteAfter(run, next.at);
      handovers.push({
        exited: exitedAt - termAt,
        released: release.at - termAt,
        acquired: next.at - termAt,
        firstWrite: firstWrite - termAt,
      });
      // The stop fell in the middle of the run.
      expect(finishedAtTerm).toBeLessThan(run.tasks);
      // A standby polls the Lease every retry period: it sees the release at its next poll and takes the Lease
      // (1.5 s covers the Lease write and the watch events on a loaded machine). Well under the lease duration
      // that a kill -9 costs.
      expect(next.at - release.at).toBeLessThanOrEqual(RETRY_PERIOD_MS + 1_500);
    }
    await creating;
    await checkRun(run, 120_000);
    console.log(
      `SIGTERM handover (lease ${LEASE_DURATION_MS} ms, retry ${RETRY_PERIOD_MS} ms): ` +
        handovers
          .map(
            (h) =>
              `lease released after ${h.released} ms, old leader exited after ${h.exited} ms, new leader after ` +
              `${h.acquired} ms (${h.acquired - h.released} ms after the release), its first status write after ` +
              `${h.firstWrite} ms`,
          )
          .join('; ') +
        `; run took ${Date.now() - began} ms; load average ${loadAverage()}`,
    );
    for (const h of handovers) {
      // SIGTERM to a new leader: the old leader's stop (its work aborted, the phases waiting out the status delay
      // written), its release, and a standby's next poll; well under the lease duration a kill -9 costs.
      expect(h.acquired).toBeLessThan(LEASE_DURATION_MS / 2);
      // Then the new leader's start (its pod informer's list, the resume of every task from its cache: up to 4.4 s
      // measured at load average 17, so 6 s), and a phase for the status delay.
      expect(h.firstWrite - h.acquired).toBeLessThanOrEqual(6_000 + STATUS_DELAY_MS);
    }
    // Exactly the two handovers changed the leader: no leader lost its lease otherwise (it would have exited 1).
    expect(leaseHolders(run)).toHaveLength(3);
    await run.replicas.stop();
    // Three replicas and the two that replaced the stopped leaders, every one ended by SIGTERM with exit 0.
    expect(run.replicas.all.map((r) => r.exit)).toEqual([0, 0, 0, 0, 0]);
  });
});
