// Two controllers whose leadership overlaps on the in-memory cluster: the old one slow, its writes landing at random
// points among the new one's, then stopped or killed; nothing is created twice and no task is lost.
import { describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import * as E from 'fp-ts/lib/Either.js';
import { Controller } from '../../src/app/controller.js';
import type { Leadership, LeadershipEnd } from '../../src/app/leadership.js';
import { makeVirtualClock, type VirtualClock } from '../../src/adapters/clock/index.js';
import { startKubelet } from '../../src/adapters/kubelet/index.js';
import {
  makeMemoryCluster,
  taskExecutionKind,
  withFaults,
  type FaultRule,
  type FaultyCluster,
  type MemoryCluster,
} from '../../src/adapters/memory/index.js';
import type { ApiError } from '../../src/domain/api-error.js';
import type { KubeObject } from '../../src/domain/kubernetes.js';
import type { Phase } from '../../src/domain/phase.js';
import { objectOfTask, statusOfObject, TASK_EXECUTION } from '../../src/domain/task-execution-resource.js';
import { progressKey, type TaskExecutionStatus } from '../../src/domain/task-execution-status.js';
import { builtInRegistry } from '../../src/plugins/index.js';
import type { ClusterPort } from '../../src/ports/cluster.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import { arbRules } from './fault-arbitraries.js';
import { connection } from '../support/connection.js';
import { configWith, counting, leakedFinalizers, NAMESPACE, podTask } from './harness.js';

const registry = builtInRegistry();
if (E.isLeft(registry)) throw new Error('registry');

/** Finalizers on; a task's last pod kept once it is done (the default), pods of retried attempts deleted. */
const config = configWith(true);

/** What each scenario ends with (the kubelet decides; retries do not change these outcomes). */
const natural: Readonly<Record<string, Phase>> = {
  succeed: 'Success',
  'exit:1': 'PermanentFailure',
  oom: 'PermanentFailure',
  preempted: 'PermanentFailure',
};

interface Plan {
  readonly scenario: string;
  readonly retries: number;
  /** Virtual ms after the start at which its TaskExecution is created. */
  readonly createAt: number;
}

/** One moment in the overlap at which some of the old leader's held writes go out. */
interface Release {
  /** Virtual ms after the new leader took over. */
  readonly at: number;
  readonly count: number;
}

interface Overlap {
  /** When the old leader becomes slow: its writes are held from then on (before or after the takeover). */
  readonly slowAt: number;
  /** When the new leader starts leading (the old one still believes it leads). */
  readonly takeoverAt: number;
  /** How long both lead: then the old one stops. */
  readonly window: number;
  /** When, within the window, held writes of the old leader go out, and how many. */
  readonly releases: ReadonlyArray<Release>;
  /**
   * How the old leader ends: `stopped`, its leading ends and its held writes still go out (a slow network);
   * `killed`, the process dies and its held writes never leave it.
   */
  readonly end: 'stopped' | 'killed';
}

const arbPlan: fc.Arbitrary<Plan> = fc.record({
  scenario: fc.constantFrom(...Object.keys(natural)),
  retries: fc.integer({ min: 0, max: 2 }),
  createAt: fc.integer({ min: 0, max: 6000 }),
});

const arbOverlap: fc.Arbitrary<Overlap> = fc.record({
  slowAt: fc.integer({ min: 0, max: 10_000 }),
  takeoverAt: fc.integer({ min: 0, max: 10_000 }),
  window: fc.integer({ min: 0, max: 15_000 }),
  releases: fc.array(
    fc.record({ at: fc.integer({ min: 0, max: 15_000 }), count: fc.integer({ min: 1, max: 4 }) }),
    { maxLength: 6 },
  ),
  end: fc.constantFrom('stopped' as const, 'killed' as const),
});

const arbPlans = fc.array(arbPlan, { minLength: 1, maxLength: 4 });

/** Each run drives a world for up to half an hour of virtual time: a share of the global count. */
const runs = Math.max(10, Math.round((fc.readConfigureGlobal().numRuns ?? 100) / 5));

const STEP = 250;
const HORIZON = 10 * 60_000;

// -------------------------------------------------------------------------------------
// leadership by hand, and a slow process
// -------------------------------------------------------------------------------------

/** Leadership the test hands out and takes back: two of these may both say "leading" at once. */
interface HandLeadership {
  readonly leadership: Leadership;
  readonly grant: () => void;
  readonly revoke: () => void;
}

const byHand = (): HandLeadership => {
  let leading = false;
  let grant = (): void => undefined;
  const granted = new Promise<void>((resolve) => {
    grant = resolve;
  });
  const revoked = new AbortController();
  return {
    grant: () => grant(),
    revoke: () => revoked.abort(),
    leadership: {
      isLeader: () => leading,
      run: async (lead, stop): Promise<LeadershipEnd> => {
        await Promise.race([
          granted,
          new Promise<void>((resolve) => stop.addEventListener('abort', () => resolve())),
          new Promise<void>((resolve) => revoked.signal.addEventListener('abort', () => resolve())),
        ]);
        if (stop.aborted || revoked.signal.aborted) return { _tag: 'Stopped' };
        const ending = new AbortController();
        const end = (): void => ending.abort();
        stop.addEventListener('abort', end);
        revoked.signal.addEventListener('abort', end);
        leading = true;
        try {
          await lead(ending.signal);
        } finally {
          leading = false;
        }
        return revoked.signal.aborted ? { _tag: 'Lost', reason: 'revoked' } : { _tag: 'Stopped' };
      },
    },
  };
};

/**
 * A process whose writes can be held back (it is slow, or paused) and let out a few at a time, in the order it
 * sent them; `drop` is the process dying: held writes never leave it, and nothing more is sent or answered.
 */
interface SlowProcess {
  readonly port: ClusterPort;
  readonly hold: () => void;
  readonly release: (n: number) => void;
  readonly open: () => void;
  readonly drop: () => void;
  readonly held: () => number;
}

const slowProcess = (inner: ClusterPort): SlowProcess => {
  const conn = connection(inner);
  let holding = false;
  let dropped = false;
  const queue: Array<() => void> = [];
  const write =
    <A extends ReadonlyArray<unknown>, B>(f: (...args: A) => TE.TaskEither<ApiError, B>) =>
    (...args: A): TE.TaskEither<ApiError, B> =>
    () => {
      if (dropped) return new Promise(() => undefined);
      if (!holding) return f(...args)();
      return new Promise<void>((resolve) => queue.push(resolve)).then(() => f(...args)());
    };
  const p = conn.port;
  return {
    port: {
      ...p,
      create: write(p.create),
      update: write(p.update),
      patch: write(p.patch),
      delete: write(p.delete),
      updateStatus: write(p.updateStatus),
      patchStatus: write(p.patchStatus),
      bind: write(p.bind),
    },
    hold: () => void (holding = true),
    release: (n) => {
      for (const go of queue.splice(0, n)) go();
    },
    open: () => {
      holding = false;
      for (const go of queue.splice(0)) go();
    },
    drop: () => {
      dropped = true;
      queue.splice(0);
      conn.cut();
    },
    held: () => queue.length,
  };
};

// -------------------------------------------------------------------------------------
// the world
// -------------------------------------------------------------------------------------

interface Replica {
  readonly controller: Controller;
  readonly hand: HandLeadership;
  readonly stop: AbortController;
  readonly done: Promise<LeadershipEnd>;
}

const replica = (clock: VirtualClock, cluster: ClusterPort, seed: number): Replica => {
  const hand = byHand();
  let n = seed;
  const controller = new Controller({
    cluster,
    clock,
    registry: registry.right,
    config,
    leadership: hand.leadership,
    statusDelay: 500,
    sweepPeriod: 5000,
    random: () => (n++ % 10) / 10,
  });
  const stop = new AbortController();
  return { controller, hand, stop, done: controller.run(stop.signal) };
};

/** Every status each TaskExecution showed, in the order the cluster stored them. */
const statusHistory = async (
  memory: MemoryCluster,
): Promise<{ readonly history: Map<string, TaskExecutionStatus[]>; readonly stop: () => void }> => {
  const w = await memory.watch(TASK_EXECUTION, { namespace: NAMESPACE })();
  if (E.isLeft(w)) throw new Error(w.left.message);
  const history = new Map<string, TaskExecutionStatus[]>();
  void (async () => {
    for await (const e of w.right) {
      if (e.type !== 'ADDED' && e.type !== 'MODIFIED') continue;
      const name = e.object.metadata?.name ?? '';
      history.set(name, [...(history.get(name) ?? []), statusOfObject(e.object)]);
    }
  })();
  return { history, stop: () => w.right.stop() };
};

const listPods = async (cluster: ClusterPort): Promise<ReadonlyArray<KubeObject>> => {
  const r = await cluster.list({ apiVersion: 'v1', kind: 'Pod' }, { namespace: NAMESPACE })();
  if (E.isLeft(r)) throw new Error(r.left.message);
  return r.right.items;
};

const statusOf = async (cluster: ClusterPort, name: string): Promise<TaskExecutionStatus | undefined> => {
  const r = await cluster.get({ ...TASK_EXECUTION, namespace: NAMESPACE, name })();
  return E.isRight(r) ? statusOfObject(r.right) : undefined;
};

const compare = (a: readonly number[], b: readonly number[]): number => {
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
};

interface Faults {
  readonly seed: number;
  readonly rules: ReadonlyArray<FaultRule>;
  /** Virtual ms after which the faults stop, so everything can settle. */
  readonly until: number;
}

/** Lets virtual time pass (as the run's clock does) until `cond` holds or the horizon is reached. */
const until = async (clock: VirtualClock, cond: () => Promise<boolean>): Promise<boolean> => {
  for (let t = 0; t <= HORIZON; t += STEP) {
    if (await cond()) return true;
    await clock.advance(STEP);
  }
  return cond();
};

/**
 * One run: two controllers, the overlap, then the laws. The clock moves only when the run advances it, so the
 * generated moments are moments of the cluster's time.
 */
const runOverlap = async (plans: ReadonlyArray<Plan>, o: Overlap, faults?: Faults): Promise<void> => {
  const clock = makeVirtualClock();
  const memory = makeMemoryCluster({ clock, namespaces: [NAMESPACE], kinds: [taskExecutionKind] });
  const kubelet = startKubelet({ cluster: memory, clock });
  await kubelet.ready();
  const faulty: FaultyCluster | undefined =
    faults === undefined ? undefined : withFaults(memory, { seed: faults.seed, rules: faults.rules, clock });
  // Both controllers' calls are counted on their way to the cluster: a create counted twice for one name made a
  // second object (a create answered AlreadyExists is not counted).
  const shared = counting(faulty ?? memory);
  const { history, stop: stopHistory } = await statusHistory(memory);
  // The old leader's creates counted apart, to tell which process made a name twice.
  const oldCalls = counting(shared);
  const slow = slowProcess(oldCalls);
  const old = replica(clock, slow.port, 0);
  const next = replica(clock, connection(shared).port, 3);
  let stuck = false;
  old.hand.grant();
  const names = plans.map((_, i) => `te${i}`);
  const created = new Set<number>();
  const releases = o.releases.filter((r) => r.at <= o.window).sort((a, b) => a.at - b.at);
  const endAt = o.takeoverAt + o.window;
  let ended = false;
  let took = false;
  try {
    // The overlap, as generated; then until every TaskExecution shows its outcome.
    const allFinal = async (): Promise<boolean> => {
      if (!ended || created.size < plans.length) return false;
      for (const name of names)
        if ((await statusOf(memory, name))?.completionTime === undefined) return false;
      return true;
    };
    for (let now = 0; now <= HORIZON && !(await allFinal()); now += STEP) {
      if (faults !== undefined && now >= faults.until) faulty?.setRules([]);
      for (const [i, p] of plans.entries()) {
        if (p.createAt <= now && !created.has(i)) {
          created.add(i);
          const te = podTask(`a${i}`, p.scenario, {}, p.retries);
          expect(E.isRight(await memory.create(objectOfTask(te, names[i]))())).toBe(true);
        }
      }
      if (!ended && o.slowAt <= now) slow.hold();
      if (!took && o.takeoverAt <= now) {
        took = true;
        next.hand.grant();
      }
      while (took && releases.length > 0 && o.takeoverAt + releases[0]!.at <= now)
        slow.release(releases.shift()!.count);
      if (!ended && endAt <= now) {
        ended = true;
        if (o.end === 'killed') slow.drop();
        else slow.open();
        old.hand.revoke();
      }
      await clock.advance(STEP);
    }
    faulty?.setRules([]);
    expect(await allFinal(), 'every TaskExecution shows its outcome within the horizon').toBe(true);
    for (const [i, p] of plans.entries()) {
      const name = names[i]!;
      const status = await statusOf(memory, name);
      // Under API faults a task may also run out of its system-failure budget, and must then say so.
      const systemFailure =
        faults !== undefined && status?.phase === 'PermanentFailure' && status.error?.kind === 'SYSTEM';
      expect(
        systemFailure ? natural[p.scenario] : status?.phase,
        `${name} ${JSON.stringify(p)} ended ${JSON.stringify(status)}`,
      ).toBe(natural[p.scenario]);
      // The status never went backwards, and its outcome, once shown, never changed.
      const seen = history.get(name) ?? [];
      for (let k = 1; k < seen.length; k++) {
        const [before, after] = [seen[k - 1]!, seen[k]!];
        expect(
          compare(progressKey(after), progressKey(before)),
          `${name} went back: ${JSON.stringify(before)} then ${JSON.stringify(after)}`,
        ).toBeGreaterThanOrEqual(0);
        if (before.completionTime !== undefined) expect(after.phase).toBe(before.phase);
      }
    }
    // Deleting the TaskExecutions (under the new leader alone) cleans up everything the two of them created.
    for (const name of names) {
      const r = await memory.delete({ ...TASK_EXECUTION, namespace: NAMESPACE, name })();
      expect(E.isRight(r)).toBe(true);
    }
    const clean = await until(clock, async () => {
      const left = await memory.list(TASK_EXECUTION, { namespace: NAMESPACE })();
      return E.isRight(left) && left.right.items.length === 0 && (await listPods(memory)).length === 0;
    });
    expect(clean, 'every TaskExecution and pod gone after the deletions').toBe(true);
    // Neither controller created a name twice: of two creates of one name, the second answered AlreadyExists.
    // The one exception the overlap allows (docs/deploying.md): a create the old leader sent landed after the new
    // one deleted that object (a retried attempt's pod), and made it again; deleting the task removes it too.
    const twice = [...shared.creates].filter(([, n]) => n > 1);
    expect(twice.filter(([name, n]) => n > 2 || (oldCalls.creates.get(name) ?? 0) !== 1)).toEqual([]);
    expect(await leakedFinalizers(memory)).toEqual([]);
  } finally {
    stopHistory();
    slow.drop();
    next.stop.abort();
    old.stop.abort();
    // Stopping takes time too: an in-flight call held by a fault, a back-off, the last status writes all wait on
    // the clock, which moves only when the run advances it (found by seed 1866917520: the stop waited for ever).
    let stopped = false;
    const done = next.done.finally(() => {
      stopped = true;
    });
    for (let t = 0; !stopped && t <= HORIZON; t += STEP) await clock.advance(STEP);
    stuck = !stopped;
    if (stopped) await done;
    await kubelet.stop();
    memory.close();
    clock.dispose();
  }
  expect(stuck, 'the new leader stops within the horizon once asked').toBe(false);
};

describe('two controllers whose leadership overlaps', () => {
  test.prop([arbPlans, arbOverlap], {
    numRuns: runs,
    examples: [
      // Found by this property: both led from 250 ms; the old leader's state writes landed first, so the new
      // leader's were refused and it fenced te2 and te3 for good; when the old one was killed, nobody ran them
      // (pods Failed with their finalizers, statuses stuck at RetryableFailure and Initializing). Once the new
      // leader took fenced tasks up again, the same case found te1's outcome stored in its state by the old
      // leader, which was killed before it wrote the status: resumed finished, nothing showed it.
      [
        [
          { scenario: 'oom', retries: 0, createAt: 4123 },
          { scenario: 'succeed', retries: 2, createAt: 783 },
          { scenario: 'preempted', retries: 2, createAt: 746 },
          { scenario: 'exit:1', retries: 1, createAt: 1076 },
        ],
        {
          slowAt: 6222,
          takeoverAt: 1,
          window: 2814,
          releases: [
            { at: 13, count: 3 },
            { at: 8, count: 4 },
            { at: 0, count: 3 },
          ],
          end: 'killed',
        },
      ],
      // Found by this property once the first was fixed: the stopped old leader's store refused a write, and its
      // stopped work queue took the task up again at once, for ever (the process hung in a loop of promises).
      [
        [{ scenario: 'exit:1', retries: 2, createAt: 5472 }],
        {
          slowAt: 8,
          takeoverAt: 1175,
          window: 14_999,
          releases: [
            { at: 4681, count: 1 },
            { at: 2204, count: 4 },
            { at: 11_639, count: 4 },
          ],
          end: 'stopped',
        },
      ],
      // Found by the soak: the old leader's create of te0's first attempt landed after the new leader had deleted
      // that pod to retry; once te0 was done and forgotten, nothing owned the copy, which kept our finalizer.
      [
        [
          { scenario: 'exit:1', retries: 1, createAt: 0 },
          { scenario: 'succeed', retries: 0, createAt: 0 },
        ],
        { slowAt: 0, takeoverAt: 0, window: 4751, releases: [{ at: 1, count: 1 }], end: 'stopped' },
      ],
      [
        [{ scenario: 'exit:1', retries: 1, createAt: 0 }],
        { slowAt: 0, takeoverAt: 0, window: 4751, releases: [{ at: 1, count: 1 }], end: 'stopped' },
      ],
    ],
  })(
    'create nothing twice and lose no task; no status goes backwards; no pod or finalizer is left',
    async (plans, overlap) => {
      await runOverlap(plans, overlap);
    },
  );

  test.prop([arbPlans, arbOverlap, fc.integer(), arbRules, fc.integer({ min: 0, max: 60_000 })], {
    numRuns: runs,
    examples: [
      // Found by the soak: te0 first came to the new leader's view with a state the old leader had stored after
      // the new one started leading; taking it for a resumed task, nobody ran it (its status stayed Started).
      [
        [{ scenario: 'succeed', retries: 0, createAt: 501 }],
        { slowAt: 0, takeoverAt: 0, window: 501, releases: [], end: 'stopped' },
        851084258,
        [
          { verbs: ['create', 'patch', 'delete'], probability: 0.02, error: 'TooManyRequests' },
          { probability: 0.02, latencyMs: [0, 1] },
          { verbs: ['watch'], dropWatch: { probability: 0.030987229663878683, error: 'Expired' } },
        ],
        1,
      ],
    ],
  })('the same under random API faults, once they stop', async (plans, overlap, seed, rules, until) => {
    await runOverlap(plans, overlap, { seed, rules, until });
  });
});
