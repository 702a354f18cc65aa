// Fault injection around any cluster port: Status errors, latency and dropped watches, driven by a seed so runs replay.
import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { GroupVersionKind } from '../../domain/kubernetes.js';
import type { Clock } from '../../ports/clock.js';
import { codeOfReason, statusError, type ApiError, type StatusReason } from '../../domain/api-error.js';
import type { ClusterPort, WatchStream } from '../../ports/cluster.js';
import { systemClock } from '../clock/system.js';
import { makePrng } from './prng.js';
import { makeWatchStream } from './watch.js';

/** The port's calls, by name. */
export type FaultVerb =
  | 'get'
  | 'list'
  | 'create'
  | 'update'
  | 'patch'
  | 'delete'
  | 'updateStatus'
  | 'patchStatus'
  | 'watch'
  | 'bind'
  | 'discover'
  | 'serves';

/**
 * Every operation of the cluster port a fault rule can target, for a test that wants to draw one at random or
 * cover them all.
 */
export const faultVerbs: ReadonlyArray<FaultVerb> = [
  'get',
  'list',
  'create',
  'update',
  'patch',
  'delete',
  'updateStatus',
  'patchStatus',
  'watch',
  'bind',
  'discover',
  'serves',
];

/** An error to inject: a full ApiError, or a reason (the message then says it was injected). */
export type InjectedError = ApiError | StatusReason;

/** One kind of trouble, for the calls it matches. A call may match several rules; they apply in order. */
export interface FaultRule {
  /** Which calls; all when absent. */
  readonly verbs?: ReadonlyArray<FaultVerb>;
  /** Only calls about these kinds; all when absent. */
  readonly kinds?: ReadonlyArray<GroupVersionKind>;
  /** Chance that a matching call is affected, from 0 to 1. Default 1. */
  readonly probability?: number;
  /** Only the first `times` affected calls; unlimited when absent. */
  readonly times?: number;
  /** Fail the call with this error. */
  readonly error?: InjectedError;
  /**
   * `before` (default): the call never reaches the cluster. `after`: it does, and its effect stays, but the
   * caller sees the error, as when a response is lost after the write.
   */
  readonly when?: 'before' | 'after';
  /** Delay the call by this many milliseconds (or a uniform draw from [min, max]), on the clock. */
  readonly latencyMs?: number | readonly [number, number];
  /**
   * Cut watch streams: after `afterEvents` events, or with `probability` at each event. The stream ends, as when
   * the connection closes; with `error` an ERROR event comes first (e.g. `Expired` to force a re-list).
   */
  readonly dropWatch?: {
    readonly afterEvents?: number;
    readonly probability?: number;
    readonly error?: InjectedError;
  };
}

/** What was injected, in order: two runs with the same seed and calls give the same log. */
export interface FaultRecord {
  readonly seq: number;
  readonly verb: FaultVerb;
  readonly kind: string;
  readonly name?: string;
  readonly fault: 'error-before' | 'error-after' | 'latency' | 'watch-drop';
  readonly reason?: StatusReason;
  readonly latencyMs?: number;
}

/**
 * What `withFaults` injects and how it draws: the same seed and rules give the same faults on the same calls,
 * so a failing run can be replayed.
 */
export interface FaultOptions {
  /** Seed of the generator behind every probability and latency draw. */
  readonly seed: number;
  /** What to inject where. A call may match several rules; each that matches applies, in order. */
  readonly rules: ReadonlyArray<FaultRule>;
  /** Clock for latency. Default: the system clock. */
  readonly clock?: Clock;
}

/** A cluster port with faults, and the record of what was injected. */
export interface FaultyCluster extends ClusterPort {
  /**
   * Every fault injected so far, oldest first: what a test asserts on to know the faults it meant to exercise
   * were hit.
   */
  readonly injected: () => ReadonlyArray<FaultRecord>;
  /** Replaces the rules (the generator keeps its state). */
  readonly setRules: (rules: ReadonlyArray<FaultRule>) => void;
}

const toError = (e: InjectedError, verb: FaultVerb): ApiError =>
  typeof e === 'string'
    ? statusError(
        e,
        `injected ${e} (${codeOfReason[e]}) on ${verb}`,
        e === 'TooManyRequests' ? { retryAfterSeconds: 1 } : undefined,
      )
    : e;

/**
 * Wraps any cluster port (in-memory or real) so that calls fail, slow down or lose their watches as the rules
 * say. Every random choice comes from one seeded generator, drawn in call order, so a failing run replays
 * exactly from its seed as long as the calls come in the same order (as they do under a virtual clock).
 */
export const withFaults = (inner: ClusterPort, options: FaultOptions): FaultyCluster => {
  const prng = makePrng(options.seed);
  const clock = options.clock ?? systemClock;
  let rules = [...options.rules];
  let used = rules.map(() => 0);
  let seq = 0;
  const log: FaultRecord[] = [];

  const matches = (r: FaultRule, verb: FaultVerb, gvk: GroupVersionKind): boolean =>
    (r.verbs === undefined || r.verbs.includes(verb)) &&
    (r.kinds === undefined || r.kinds.some((k) => k.apiVersion === gvk.apiVersion && k.kind === gvk.kind));

  // Draws for every matching rule, affected or not, so the sequence depends only on the calls made.
  const decide = (
    verb: FaultVerb,
    gvk: GroupVersionKind,
  ): Array<{ readonly rule: FaultRule; readonly latency: number }> => {
    const out: Array<{ rule: FaultRule; latency: number }> = [];
    rules.forEach((r, i) => {
      if (!matches(r, verb, gvk)) return;
      const roll = prng.next();
      const latencyRoll = prng.next();
      if (r.times !== undefined && (used[i] ?? 0) >= r.times) return;
      if (roll >= (r.probability ?? 1)) return;
      used[i] = (used[i] ?? 0) + 1;
      const l = r.latencyMs;
      const latency =
        l === undefined ? 0 : typeof l === 'number' ? l : Math.round(l[0] + latencyRoll * (l[1] - l[0]));
      out.push({ rule: r, latency });
    });
    return out;
  };

  const record = (r: Omit<FaultRecord, 'seq'>): void => {
    log.push({ seq: seq, ...r });
  };

  const wrap =
    <A>(
      verb: FaultVerb,
      gvk: GroupVersionKind,
      name: string | undefined,
      call: TE.TaskEither<ApiError, A>,
    ): TE.TaskEither<ApiError, A> =>
    async () => {
      seq++;
      const kind = `${gvk.apiVersion}/${gvk.kind}`;
      const at = { verb, kind, ...(name === undefined ? {} : { name }) };
      const hits = decide(verb, gvk);
      for (const { latency } of hits) {
        if (latency > 0) {
          record({ ...at, fault: 'latency', latencyMs: latency });
          await clock.sleep(latency)();
        }
      }
      const before = hits.find((h) => h.rule.error !== undefined && (h.rule.when ?? 'before') === 'before');
      if (before?.rule.error !== undefined) {
        const err = toError(before.rule.error, verb);
        record({ ...at, fault: 'error-before', reason: err.reason });
        return E.left(err);
      }
      const result = await call();
      const after = hits.find((h) => h.rule.error !== undefined && h.rule.when === 'after');
      if (after?.rule.error !== undefined) {
        const err = toError(after.rule.error, verb);
        record({ ...at, fault: 'error-after', reason: err.reason });
        return E.left(err);
      }
      const drops = hits.filter((h) => h.rule.dropWatch !== undefined);
      if (verb === 'watch' && drops.length > 0 && E.isRight(result)) {
        return E.right(
          cutting(
            result.right as WatchStream,
            drops.map((d) => d.rule),
            at,
          ) as A,
        );
      }
      return result;
    };

  const cutting = (
    upstream: WatchStream,
    dropRules: ReadonlyArray<FaultRule>,
    at: { verb: FaultVerb; kind: string },
  ): WatchStream => {
    const { stream, sink } = makeWatchStream(() => {
      upstream.stop();
    });
    void (async () => {
      let n = 0;
      for await (const event of upstream) {
        if (sink.ended()) return;
        for (const r of dropRules) {
          const d = r.dropWatch;
          if (d === undefined) continue;
          const roll = prng.next();
          const byCount = d.afterEvents !== undefined && n >= d.afterEvents;
          const byChance = d.probability !== undefined && roll < d.probability;
          if (byCount || byChance) {
            const err = d.error === undefined ? undefined : toError(d.error, 'watch');
            log.push({
              seq,
              ...at,
              fault: 'watch-drop',
              ...(err === undefined ? {} : { reason: err.reason }),
            });
            if (err !== undefined) sink.push({ type: 'ERROR', error: err });
            sink.end();
            return;
          }
        }
        sink.push(event);
        n++;
      }
      sink.end();
    })();
    return stream;
  };

  return {
    get: (ref) => wrap('get', ref, ref.name, inner.get(ref)),
    list: (gvk, sel) => wrap('list', gvk, undefined, inner.list(gvk, sel)),
    create: (o) => wrap('create', o, o.metadata?.name, inner.create(o)),
    update: (o) => wrap('update', o, o.metadata?.name, inner.update(o)),
    patch: (ref, p) => wrap('patch', ref, ref.name, inner.patch(ref, p)),
    delete: (ref, opts) => wrap('delete', ref, ref.name, inner.delete(ref, opts)),
    updateStatus: (o) => wrap('updateStatus', o, o.metadata?.name, inner.updateStatus(o)),
    patchStatus: (ref, p) => wrap('patchStatus', ref, ref.name, inner.patchStatus(ref, p)),
    watch: (gvk, opts) => wrap('watch', gvk, undefined, inner.watch(gvk, opts)),
    bind: (ref, node) => wrap('bind', { apiVersion: 'v1', kind: 'Pod' }, ref.name, inner.bind(ref, node)),
    discover: (gvk) => wrap('discover', gvk, undefined, inner.discover(gvk)),
    serves: (gvk) => wrap('serves', gvk, undefined, inner.serves(gvk)),
    injected: () => [...log],
    setRules: (next) => {
      rules = [...next];
      used = rules.map(() => 0);
    },
  };
};
