// Leader election on a coordination.k8s.io/v1 Lease: the thin interpreter of the election machine over the cluster port.
import * as E from 'fp-ts/lib/Either.js';
import * as O from 'fp-ts/lib/Option.js';
import type { KubeObject } from '../domain/kubernetes.js';
import { LEASE_KIND, leaseObject, readLease } from '../domain/leader-election/lease.js';
import type {
  ElectionCommand,
  ElectionEnd,
  ElectionObservation,
  ElectionResult,
  ElectionState,
  WriteOutcome,
} from '../domain/leader-election/protocol.js';
import { isLeading, start, step, type ElectionConfig } from '../domain/leader-election/step.js';
import { defaultLeaseTimings, type LeaseTimings } from '../domain/leader-election/timings.js';
import type { CancelTimer, Clock } from '../ports/clock.js';
import { isAlreadyExists, isConflict, isNotFound, showApiError, type ApiError } from '../domain/api-error.js';
import type { ClusterPort } from '../ports/cluster.js';
import { silentLogger, type Logger } from '../ports/logger.js';
import { noopMetrics, type Metrics } from '../ports/metrics.js';
import type { Leadership, LeadershipEnd } from './leadership.js';

/** Gauge: 1 while this process leads the lease, else 0 (controller-runtime's `leader_election_master_status`). */
export const LEADER_GAUGE = 'kubetasks_leader_election_master_status';
/** Counter: times this process took the lease (summed over replicas: the lease's transitions). */
export const TRANSITIONS_COUNTER = 'kubetasks_leader_election_transitions_total';

/** What `leaseLeadership` needs. */
export interface LeaseLeadershipOptions {
  /** Only get, create and update of the Lease are used. */
  readonly cluster: Pick<ClusterPort, 'get' | 'create' | 'update'>;
  /**
   * Time for the election: only differences of its `now()` are compared, so it must not jump: `steadyClock` from
   * `kubetasks/adapters/clock` in production (a virtual clock in tests), not the wall clock.
   */
  readonly clock: Clock;
  /** The Lease (created if absent). */
  readonly lease: { readonly namespace: string; readonly name: string };
  /** Unique to this process: a restarted process must not reuse its predecessor's (hostname plus a random suffix). */
  readonly identity: string;
  /** Default: client-go's 15 s / 10 s / 2 s. */
  readonly timings?: LeaseTimings;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
}

const writeOutcome = (e: E.Either<ApiError, KubeObject>): WriteOutcome =>
  E.isRight(e)
    ? { _tag: 'Written', resourceVersion: e.right.metadata?.resourceVersion ?? '' }
    : isConflict(e.left) || isAlreadyExists(e.left) || isNotFound(e.left)
      ? { _tag: 'Conflict' }
      : { _tag: 'Failed', reason: showApiError(e.left) };

/**
 * Leadership through a Lease, with client-go's semantics (see docs/leader-election.md). `run` campaigns until this
 * process leads, runs `lead` while it does, and ends when leadership is lost (`Lost`: the lease was not renewed
 * within the renew deadline, or someone else holds it) or when `stop` aborts (`Stopped`: the work is aborted,
 * the lease kept renewed until `lead` has returned, then released so a standby takes over within a retry period).
 * It resolves only after `lead` has returned; if `lead` throws, the lease is released and `run` rejects with it.
 */
export const leaseLeadership = (options: LeaseLeadershipOptions): Leadership => {
  const { cluster, clock } = options;
  const timings = options.timings ?? defaultLeaseTimings;
  const config: ElectionConfig = { identity: options.identity, timings };
  const metrics = options.metrics ?? noopMetrics;
  const labels = { name: options.lease.name };
  const ref = { ...LEASE_KIND, namespace: options.lease.namespace, name: options.lease.name };
  const log = (options.logger ?? silentLogger).child({
    component: 'leader-election',
    lease: `${options.lease.namespace}/${options.lease.name}`,
    identity: options.identity,
  });
  let current: ElectionState | undefined;
  metrics.setGauge(LEADER_GAUGE, 0, labels);

  const isLeader = (): boolean => {
    const s = current;
    // The deadline is checked here too, so work that asks before each write stops even if the timer is late.
    return (
      s !== undefined &&
      isLeading(s) &&
      s._tag === 'Running' &&
      s.role._tag === 'Leader' &&
      clock.now() < s.role.renewedAt + timings.renewDeadline
    );
  };

  const run: Leadership['run'] = (lead, stop) =>
    new Promise<LeadershipEnd>((resolve, reject) => {
      if (stop.aborted) {
        resolve({ _tag: 'Stopped' });
        return;
      }
      let state: ElectionState = { _tag: 'Ended', end: { _tag: 'Stopped' } };
      let cancelTimer: CancelTimer | undefined;
      let ending: AbortController | undefined;
      let work: Promise<void> | undefined;
      let failure: { readonly error: unknown } | undefined;
      let finished = false;
      // The last Lease object seen, so an update keeps what others put on it (labels, annotations).
      let last: O.Option<KubeObject> = O.none;
      // Observations are handled one at a time, in arrival order, even when one arrives while another is handled.
      const mailbox: ElectionObservation[] = [];
      let handling = false;

      const feed = (o: ElectionObservation): void => {
        mailbox.push(o);
        if (handling) return;
        handling = true;
        try {
          for (let next = mailbox.shift(); next !== undefined; next = mailbox.shift()) {
            if (finished) continue;
            apply(step(config, state, next, clock.now()));
          }
        } finally {
          handling = false;
        }
      };

      const onStop = (): void => {
        feed({ _tag: 'StopRequested' });
      };

      const finish = (end: ElectionEnd): void => {
        finished = true;
        cancelTimer?.();
        stop.removeEventListener('abort', onStop);
        if (end._tag === 'Lost') log.warn('leader election ended: leadership lost', { reason: end.reason });
        else log.info('leader election ended');
        void (work ?? Promise.resolve()).then(() => {
          if (failure !== undefined)
            reject(failure.error instanceof Error ? failure.error : new Error(String(failure.error)));
          else resolve(end);
        });
      };

      const exec = (c: ElectionCommand): void => {
        switch (c._tag) {
          case 'GetLease':
            void cluster
              .get(ref)()
              .then(
                (r): ElectionObservation => {
                  if (E.isRight(r)) {
                    last = O.some(r.right);
                    return { _tag: 'LeaseRead', seq: c.seq, lease: O.some(readLease(r.right)) };
                  }
                  return isNotFound(r.left)
                    ? { _tag: 'LeaseRead', seq: c.seq, lease: O.none }
                    : { _tag: 'ReadFailed', seq: c.seq, reason: showApiError(r.left) };
                },
                (e: unknown): ElectionObservation => ({ _tag: 'ReadFailed', seq: c.seq, reason: String(e) }),
              )
              .then(feed);
            return;
          case 'CreateLease':
          case 'UpdateLease': {
            const body =
              c._tag === 'CreateLease'
                ? leaseObject(options.lease, c.record, O.none)
                : leaseObject(
                    options.lease,
                    c.record,
                    O.some(c.resourceVersion),
                    O.filter((o: KubeObject) => o.metadata?.resourceVersion === c.resourceVersion)(last),
                  );
            const call = c._tag === 'CreateLease' ? cluster.create(body) : cluster.update(body);
            void call()
              .then(
                (r): ElectionObservation => {
                  if (E.isRight(r)) last = O.some(r.right);
                  else log.debug('lease write refused', { error: showApiError(r.left) });
                  return { _tag: 'WriteAnswered', seq: c.seq, outcome: writeOutcome(r) };
                },
                (e: unknown): ElectionObservation => ({
                  _tag: 'WriteAnswered',
                  seq: c.seq,
                  outcome: { _tag: 'Failed', reason: String(e) },
                }),
              )
              .then(feed);
            if (c._tag === 'UpdateLease' && c.intent === 'Release') log.info('releasing the lease');
            return;
          }
          case 'StartLeading': {
            const controller = new AbortController();
            ending = controller;
            metrics.setGauge(LEADER_GAUGE, 1, labels);
            metrics.increment(TRANSITIONS_COUNTER, labels);
            log.info('leadership acquired');
            work = Promise.resolve()
              .then(() => lead(controller.signal))
              .then(
                () => undefined,
                (error: unknown) => {
                  failure = { error };
                },
              )
              .then(() => {
                feed({ _tag: 'WorkStopped' });
              });
            return;
          }
          case 'StopLeading':
            metrics.setGauge(LEADER_GAUGE, 0, labels);
            log.info('leadership ended, stopping the work', { reason: c.reason });
            ending?.abort();
            return;
          case 'SetTimer':
            cancelTimer?.();
            cancelTimer = clock.setTimer(Math.max(0, c.at - clock.now()), () => {
              feed({ _tag: 'TimerFired' });
            });
            return;
        }
      };

      const apply = (r: ElectionResult): void => {
        state = r.state;
        current = r.state;
        for (const c of r.commands) exec(c);
        if (state._tag === 'Ended' && !finished) finish(state.end);
      };

      stop.addEventListener('abort', onStop, { once: true });
      log.info('campaigning for the lease');
      handling = true;
      try {
        apply(start(config, clock.now()));
      } finally {
        handling = false;
      }
      // Anything that arrived during the first step (an abort, say) is handled now.
      const pending = mailbox.shift();
      if (pending !== undefined) feed(pending);
    });

  return { run, isLeader };
};
