// Measuring one batch of tasks through a Manager on a real control plane: throughput, requests per task (the
// manager's own, counted at its port, and every client's, from the API server's counters), CPU, memory, and the
// latency from a pod's terminal status reaching the manager to the task's final PhaseInfo.
import * as os from 'node:os';
import type { TransportStats } from '../../src/adapters/kubernetes/index.js';
import type { Manager } from '../../src/app/manager.js';
import { TASK_ANNOTATION } from '../../src/domain/object-metadata.js';
import type { KubeObject } from '../../src/domain/kubernetes.js';
import type { ClusterPort, WatchEvent, WatchStream } from '../../src/ports/cluster.js';
import type { ControlPlane } from '../../test/cluster/control-plane.js';
import { countsDelta, scrapeRequestMetrics } from './apiserver-metrics.js';
import { countingPort } from './counting-port.js';

/** When the manager's process first saw a pod's terminal status, and when its kubelet says the container ended. */
interface TerminalSeen {
  /** performance.now() as the watch event reached the manager's informer. */
  readonly arrivedAt: number;
  /** Date.now() of the arrival, to compare with `finishedAt` (a wall-clock time). */
  readonly arrivedWall: number;
  /** The first container's `state.terminated.finishedAt` (ms since the epoch; the API keeps whole seconds). */
  readonly finishedAt?: number;
}

/** performance.now() of the first moment the manager's process saw each step of one task's pod. */
interface PodMilestones {
  /** The create call returned. */
  created?: number;
  /** A watch event with spec.nodeName (the scheduler's binding). */
  bound?: number;
  /** A watch event with phase Running (KWOK's pod-start stage). */
  running?: number;
}

/** The manager's port, instrumented: calls counted by verb and resource, terminal pod statuses timestamped. */
export interface ScaleProbe {
  /** Give this to the Manager in place of the cluster. */
  readonly port: ClusterPort;
  /** The manager's calls so far, keyed as the API server counts them (`POST pods`, `PATCH pods`, `WATCH pods`). */
  readonly counts: ReadonlyMap<string, number>;
  /** By task id (the pod's kubetasks.dev/task-id annotation): the first watch event with a terminal pod phase. */
  readonly terminal: ReadonlyMap<string, TerminalSeen>;
  /** By task id: when the pod was created, bound and running, as seen from the manager's process. */
  readonly milestones: ReadonlyMap<string, Readonly<PodMilestones>>;
}

const podPhase = (o: KubeObject): string | undefined => (o as { status?: { phase?: string } }).status?.phase;

const finishedAtOf = (o: KubeObject): number | undefined => {
  const statuses = (
    o as { status?: { containerStatuses?: { state?: { terminated?: { finishedAt?: string } } }[] } }
  ).status?.containerStatuses;
  const at = statuses?.[0]?.state?.terminated?.finishedAt;
  return at === undefined ? undefined : Date.parse(at);
};

/**
 * Wraps a port for the manager. The watch and list wrappers read each object as it leaves the adapter and before
 * the manager's informer takes it, so the latency measured from it is the manager's own (queueing, its step, its
 * emission), not the network's or the API server's.
 */
export const makeScaleProbe = (inner: ClusterPort): ScaleProbe => {
  const counting = countingPort(inner);
  const terminal = new Map<string, TerminalSeen>();
  const milestones = new Map<string, PodMilestones>();
  const milestonesOf = (id: string): PodMilestones => {
    const found = milestones.get(id);
    if (found !== undefined) return found;
    const fresh: PodMilestones = {};
    milestones.set(id, fresh);
    return fresh;
  };
  const see = (e: WatchEvent): void => {
    if (e.type !== 'ADDED' && e.type !== 'MODIFIED') return;
    if (e.object.kind !== undefined && e.object.kind !== 'Pod') return;
    const id = e.object.metadata?.annotations?.[TASK_ANNOTATION];
    if (id === undefined) return;
    const phase = podPhase(e.object);
    const ms = milestonesOf(id);
    const now = performance.now();
    if (ms.bound === undefined && (e.object as { spec?: { nodeName?: string } }).spec?.nodeName !== undefined)
      ms.bound = now;
    if (ms.running === undefined && phase === 'Running') ms.running = now;
    if ((phase !== 'Succeeded' && phase !== 'Failed') || terminal.has(id)) return;
    const finishedAt = finishedAtOf(e.object);
    terminal.set(id, {
      arrivedAt: performance.now(),
      arrivedWall: Date.now(),
      ...(finishedAt === undefined || Number.isNaN(finishedAt) ? {} : { finishedAt }),
    });
  };
  const wrap = (s: WatchStream): WatchStream => ({
    stop: s.stop,
    [Symbol.asyncIterator]: () => {
      const it = s[Symbol.asyncIterator]();
      return {
        next: () =>
          it.next().then((r) => {
            if (r.done !== true) see(r.value);
            return r;
          }),
        return: (value?: unknown) =>
          it.return === undefined
            ? Promise.resolve({ done: true as const, value: undefined })
            : it.return(value),
      };
    },
  });
  const port: ClusterPort = {
    ...counting.port,
    create: (obj) => () =>
      counting.port
        .create(obj)()
        .then((r) => {
          const id = obj.metadata?.annotations?.[TASK_ANNOTATION];
          if (r._tag === 'Right' && id !== undefined) milestonesOf(id).created ??= performance.now();
          return r;
        }),
    // A re-LIST (after a watch expired) can be where the manager first sees a terminal pod: counted the same way.
    list: (g, sel) => () =>
      counting.port
        .list(g, sel)()
        .then((r) => {
          if (r._tag === 'Right') for (const object of r.right.items) see({ type: 'ADDED', object });
          return r;
        }),
    watch: (g, o) => () =>
      counting.port
        .watch(g, o)()
        .then((r) => (r._tag === 'Right' ? { _tag: 'Right' as const, right: wrap(r.right) } : r)),
  };
  return { port, counts: counting.counts, terminal, milestones };
};

/** What one measured batch gives; every figure is over the span from the first submit to the last final. */
export interface ScaleReport {
  readonly tasks: number;
  readonly phases: Readonly<Record<string, number>>;
  readonly seconds: number;
  readonly tasksPerSecond: number;
  /** Completions between the 10th and the 90th percentile of final times, divided by that span. */
  readonly steadyTasksPerSecond: number;
  /** Seconds from the first submit to the first final PhaseInfo (the pipeline filling). */
  readonly firstFinalSeconds: number;
  readonly latencyMs: {
    /** Terminal pod status reaching the manager's informer → final PhaseInfo. */
    readonly fromWatchEvent: { samples: number; p50: number; p99: number; max: number };
    /**
     * The container's finishedAt → final PhaseInfo. finishedAt is stored in whole seconds (truncated), so this
     * overstates by 0-1 s; it includes the API server, etcd and the watch's delivery.
     */
    readonly fromFinishedAt: { samples: number; p50: number; p99: number; max: number };
  };
  /**
   * Where a task's time goes, p50 / p99 in ms, each step as the manager's process saw it: submit → create
   * returned (the manager's queue of writes), → bound by the scheduler, → Running (KWOK), → terminal (KWOK's
   * stage), → final PhaseInfo.
   */
  readonly stepsMs: Readonly<Record<string, { p50: number; p99: number }>>;
  /** Final PhaseInfos per tenth of the run's wall time: how even the throughput was. */
  readonly finalsPerTenth: readonly number[];
  readonly cpu: { userSeconds: number; systemSeconds: number; msPerTask: number; shareOfOneCore: number };
  readonly memory: {
    rssBeforeMiB: number;
    peakRssMiB: number;
    peakHeapUsedMiB: number;
    heapAfterMiB: number;
  };
  /** The manager's calls per task, counted at its port (retries excluded; see `transport`). */
  readonly managerCallsPerTask: Readonly<Record<string, number>>;
  /** Every client's requests per task, from apiserver_request_total (scheduler, KWOK, controllers included). */
  readonly apiserverRequestsPerTask: Readonly<Record<string, number>>;
  readonly apiserverRequestsTotalPerTask: number;
  /** Non-2xx answers of the API server during the run, by `VERB resource code`. */
  readonly apiserverErrors: Readonly<Record<string, number>>;
  /** The manager's HTTP traffic (its adapter's counters), when given. */
  readonly transport?: {
    requests: number;
    retries: number;
    connectionsOpened: number;
    peakRequestsInFlight: number;
  };
  readonly loadAverage: { before: readonly number[]; after: readonly number[] };
}

export interface ScaleRunOptions {
  readonly plane: ControlPlane;
  readonly probe: ScaleProbe;
  readonly manager: Manager;
  readonly ids: readonly string[];
  /** Submits one task; throws if the manager refuses it. */
  readonly submit: (id: string) => void;
  /** The manager's adapter's counters (KubernetesCluster.stats). */
  readonly transportStats?: () => TransportStats;
}

const round = (x: number, digits = 2): number => Number(x.toFixed(digits));
const mib = (bytes: number): number => Math.round(bytes / 2 ** 20);

const percentiles = (xs: number[]): { samples: number; p50: number; p99: number; max: number } => {
  xs.sort((a, b) => a - b);
  const at = (p: number): number => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? NaN;
  return { samples: xs.length, p50: round(at(0.5), 1), p99: round(at(0.99), 1), max: round(at(1), 1) };
};

const perTask = (counts: ReadonlyMap<string, number>, n: number): Record<string, number> =>
  Object.fromEntries(
    [...counts]
      .filter(([, v]) => v > 0)
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([k, v]) => [k, round(v / n, 3)]),
  );

/**
 * Submits every task at once, waits for every final PhaseInfo and for the manager to go idle (its last writes,
 * such as the finalizer's removal, are counted), and reports. The API server is scraped just before the first
 * submit and after idle, so the manager's start-up LIST and WATCH are not in the figures.
 */
export const measureScaleRun = async (o: ScaleRunOptions): Promise<ScaleReport> => {
  const n = o.ids.length;
  const finalAt = new Map<string, number>();
  const finalWall = new Map<string, number>();
  const phases = new Map<string, number>();
  const unsubscribe = o.manager.subscribe((u) => {
    if (!u.final || finalAt.has(u.taskId)) return;
    finalAt.set(u.taskId, performance.now());
    finalWall.set(u.taskId, Date.now());
    phases.set(u.phaseInfo.phase, (phases.get(u.phaseInfo.phase) ?? 0) + 1);
  });
  const loadBefore = os.loadavg().map((x) => round(x));
  const metricsBefore = await scrapeRequestMetrics(o.plane);
  const callsBefore = new Map(o.probe.counts);
  const transportBefore = o.transportStats?.();
  const rssBefore = process.memoryUsage.rss();
  let peakRss = rssBefore;
  let peakHeap = process.memoryUsage().heapUsed;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 200);

  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  for (const id of o.ids) o.submit(id);
  await Promise.all(o.ids.map((id) => o.manager.awaitFinal(id)));
  const t1 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  await o.manager.idle();
  clearInterval(sampler);
  unsubscribe();
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);
  const metricsAfter = await scrapeRequestMetrics(o.plane);
  const transportAfter = o.transportStats?.();
  const loadAfter = os.loadavg().map((x) => round(x));

  const seconds = (t1 - t0) / 1000;
  const finals = [...finalAt.values()].sort((a, b) => a - b);
  const lo = Math.floor(0.1 * finals.length);
  const hi = Math.max(lo, Math.floor(0.9 * finals.length) - 1);
  const steadySpan = ((finals[hi] ?? 0) - (finals[lo] ?? 0)) / 1000;
  const fromEvent: number[] = [];
  const fromFinished: number[] = [];
  for (const id of o.ids) {
    const seen = o.probe.terminal.get(id);
    const f = finalAt.get(id);
    const fw = finalWall.get(id);
    if (seen === undefined || f === undefined || fw === undefined) continue;
    fromEvent.push(f - seen.arrivedAt);
    if (seen.finishedAt !== undefined) fromFinished.push(fw - seen.finishedAt);
  }
  const steps: Record<string, number[]> = {
    'submit->created': [],
    'created->bound': [],
    'bound->running': [],
    'running->terminal': [],
    'terminal->final': [],
  };
  for (const id of o.ids) {
    const ms = o.probe.milestones.get(id);
    const term = o.probe.terminal.get(id)?.arrivedAt;
    const f = finalAt.get(id);
    const push = (k: string, a: number | undefined, b: number | undefined): void => {
      if (a !== undefined && b !== undefined) steps[k]?.push(b - a);
    };
    push('submit->created', t0, ms?.created);
    push('created->bound', ms?.created, ms?.bound);
    push('bound->running', ms?.bound, ms?.running);
    push('running->terminal', ms?.running, term);
    push('terminal->final', term, f);
  }
  const stepsMs = Object.fromEntries(
    Object.entries(steps).map(([k, xs]) => {
      const p = percentiles(xs);
      return [k, { p50: Math.round(p.p50), p99: Math.round(p.p99) }];
    }),
  );
  const finalsPerTenth = Array.from({ length: 10 }, () => 0);
  for (const f of finals) finalsPerTenth[Math.min(9, Math.floor(((f - t0) / (t1 - t0)) * 10))]! += 1;
  const calls = countsDelta(o.probe.counts, callsBefore);
  const requests = countsDelta(metricsAfter.counts, metricsBefore.counts);
  // The scrape before is counted in the scrape after; it is the bench's, not any component's.
  const scrapes = (requests.get('GET (non-resource)') ?? 0) - 1;
  if (scrapes > 0) requests.set('GET (non-resource)', scrapes);
  else requests.delete('GET (non-resource)');
  const errors = new Map(
    [...countsDelta(metricsAfter.countsByCode, metricsBefore.countsByCode)].filter(
      ([k]) => !/ 2\d\d$/.test(k),
    ),
  );
  const userSeconds = cpu.user / 1e6;
  const systemSeconds = cpu.system / 1e6;
  return {
    tasks: n,
    phases: Object.fromEntries(phases),
    seconds: round(seconds, 1),
    tasksPerSecond: round(n / seconds, 1),
    steadyTasksPerSecond: steadySpan > 0 ? round((hi - lo) / steadySpan, 1) : NaN,
    firstFinalSeconds: round(((finals[0] ?? t0) - t0) / 1000, 1),
    latencyMs: { fromWatchEvent: percentiles(fromEvent), fromFinishedAt: percentiles(fromFinished) },
    stepsMs,
    finalsPerTenth,
    cpu: {
      userSeconds: round(userSeconds, 1),
      systemSeconds: round(systemSeconds, 1),
      msPerTask: round(((userSeconds + systemSeconds) * 1000) / n, 2),
      shareOfOneCore: round((userSeconds + systemSeconds) / seconds),
    },
    memory: {
      rssBeforeMiB: mib(rssBefore),
      peakRssMiB: mib(peakRss),
      peakHeapUsedMiB: mib(peakHeap),
      heapAfterMiB: mib(m.heapUsed),
    },
    managerCallsPerTask: perTask(calls, n),
    apiserverRequestsPerTask: perTask(requests, n),
    apiserverRequestsTotalPerTask: round([...requests.values()].reduce((s, v) => s + v, 0) / n, 2),
    apiserverErrors: Object.fromEntries(errors),
    ...(transportBefore === undefined || transportAfter === undefined
      ? {}
      : {
          transport: {
            requests: transportAfter.requests - transportBefore.requests,
            retries: transportAfter.retries - transportBefore.retries,
            connectionsOpened: transportAfter.connectionsOpened - transportBefore.connectionsOpened,
            peakRequestsInFlight: transportAfter.peakRequestsInFlight,
          },
        }),
    loadAverage: { before: loadBefore, after: loadAfter },
  };
};

/** A few lines for a log: the headline figures first, then the whole report as JSON. */
export const formatScaleReport = (label: string, r: ScaleReport): string =>
  [
    `${label}: ${r.tasks} tasks in ${r.seconds} s: ${r.tasksPerSecond} tasks/s overall, ${r.steadyTasksPerSecond} steady (10th-90th percentile of finals); phases ${JSON.stringify(r.phases)}`,
    `${label}: latency terminal status at the manager -> final PhaseInfo p50 ${r.latencyMs.fromWatchEvent.p50} ms, p99 ${r.latencyMs.fromWatchEvent.p99} ms; manager CPU ${r.cpu.msPerTask} ms/task, peak RSS ${r.memory.peakRssMiB} MiB`,
    `${label}: steps p50/p99 ms ${Object.entries(r.stepsMs)
      .map(([k, v]) => `${k} ${v.p50}/${v.p99}`)
      .join(', ')}; finals per tenth of the run ${r.finalsPerTenth.join(' ')}`,
    `${label}: manager calls per task ${JSON.stringify(r.managerCallsPerTask)}; API server requests per task (all clients) ${r.apiserverRequestsTotalPerTask}`,
    JSON.stringify(r, null, 2),
  ].join('\n');
