// Benchmark: N pod tasks through the full lifecycle on a real kube-apiserver, against raw client-node doing the same.
// Run: npm run bench:apiserver [-- --tasks 1000 --rounds 2 --warmup 100 --baseline-agent shared|per-request
//        --finalizer true|false --baseline-finalizer true --max-in-flight 64|none
//        --baseline-max-in-flight none|64]
// Profile one side: node --cpu-prof --import tsx bench/apiserver-lifecycle.ts --only framework
import * as https from 'node:https';
import * as os from 'node:os';
import { parseArgs } from 'node:util';
import * as E from 'fp-ts/lib/Either.js';
import {
  CoreV1Api,
  KubeConfig,
  ServerConfiguration,
  Watch,
  createConfiguration,
  type RequestContext,
  type ResponseContext,
  type V1Pod,
} from '@kubernetes/client-node';
import { MANAGED_LABEL, Manager, TASK_ANNOTATION } from '../src/app/manager.js';
import { systemClock } from '../src/adapters/clock/system.js';
import {
  DEFAULT_MAX_REQUESTS_IN_FLIGHT,
  makeKubernetesCluster,
  type KubernetesCluster,
} from '../src/adapters/kubernetes/index.js';
import type { KubeObject } from '../src/domain/kubernetes.js';
import { isSettled, objectNameFor } from '../src/domain/lifecycle/step.js';
import { addObjectMetadata } from '../src/domain/object-metadata.js';
import { defaultPlatformConfig, type PlatformConfig } from '../src/domain/platform-config.js';
import { fromPlugins } from '../src/domain/registry.js';
import { podPlugin } from '../src/plugins/pod/plugin.js';
import { startControlPlane, type ControlPlane } from '../test/cluster/control-plane.js';
import {
  countsDelta,
  forResource,
  scrapeRequestMetrics,
  subtractCounts,
  type RequestCounts,
} from './support/apiserver-metrics.js';
import { benchTask } from './support/bench-task.js';
import { countingPort } from './support/counting-port.js';
import { cpuSecondsOf, planePids } from './support/process-cpu.js';
import { startKubeletChild } from './support/kubelet-child.js';

const { values } = parseArgs({
  options: {
    tasks: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '1' },
    warmup: { type: 'string', default: '100' },
    'baseline-agent': { type: 'string', default: 'shared' },
    order: { type: 'string', default: 'alternate' },
    /** Run one mode only (for profiling with node --cpu-prof). */
    only: { type: 'string' },
    'run-timeout': { type: 'string', default: '600' },
    /** The manager puts our finalizer on its pods (inject-finalizer); `false` is the production default. */
    finalizer: { type: 'string', default: 'true' },
    /** The baseline puts our finalizer on its pods too, then removes the finalizer and deletes each pod. */
    'baseline-finalizer': { type: 'string', default: 'false' },
    /** Plain requests in flight at once for the manager's adapter: a number, or `none`. Default: the adapter's. */
    'max-in-flight': { type: 'string' },
    /**
     * The same for the raw client: a number, or `none`. Default `none`, client-node's own behaviour, so that by
     * default each side runs as it ships.
     */
    'baseline-max-in-flight': { type: 'string' },
  },
});
const N = Number(values.tasks);
const ROUNDS = Number(values.rounds);
const WARMUP = Number(values.warmup);
const sharedAgent = values['baseline-agent'] !== 'per-request';
const baselineFinalizer = values['baseline-finalizer'] === 'true';
const frameworkFinalizer = values.finalizer !== 'false';
// A number, or undefined for no cap.
const inFlightCap = (given: string | undefined, byDefault: number | undefined): number | undefined =>
  given === 'none' ? undefined : given === undefined ? byDefault : Number(given);
const maxInFlight = inFlightCap(values['max-in-flight'], DEFAULT_MAX_REQUESTS_IN_FLIGHT);
const baselineMaxInFlight = inFlightCap(values['baseline-max-in-flight'], undefined);

/** At most `limit` calls at once, the rest in order: --baseline-max-in-flight. */
const limiter = (limit: number | undefined): (<A>(f: () => Promise<A>) => Promise<A>) => {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async <A>(f: () => Promise<A>): Promise<A> => {
    if (limit !== undefined && active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    else active++;
    try {
      return await f();
    } finally {
      const next = waiting.shift();
      if (next === undefined) active--;
      else next();
    }
  };
};

// Production defaults, except the settings the aim is about: our finalizer on every pod (unless --finalizer false),
// and the pod deleted when the task is done (the baseline deletes its pods too, so both runs end with an empty
// namespace).
const config: PlatformConfig = {
  ...defaultPlatformConfig,
  plugins: {
    k8s: {
      ...defaultPlatformConfig.plugins.k8s,
      'inject-finalizer': frameworkFinalizer,
      'delete-resource-on-finalize': true,
    },
  },
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const RUN_TIMEOUT_MS = Number(values['run-timeout']) * 1000;
/** A run that stalls fails loudly instead of hanging the bench. */
const within = <A>(what: string, p: Promise<A>): Promise<A> => {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`${what}: not done within ${RUN_TIMEOUT_MS / 1000} s`));
    }, RUN_TIMEOUT_MS);
  });
  return Promise.race([p, deadline]).finally(() => {
    clearTimeout(timer);
  });
};

/**
 * The pod the framework would create for task i, built by the same pure plugin code before the clock starts, with
 * the same labels and annotations, and our finalizer only with --baseline-finalizer: the same bytes, no framework.
 */
const baselinePod = (namespace: string, i: number): KubeObject => {
  const t = benchTask(namespace, i);
  const ctx = {
    task: t,
    config: {
      ...config,
      plugins: { k8s: { ...config.plugins.k8s, 'inject-finalizer': baselineFinalizer } },
    },
  };
  const built = podPlugin.buildResource(ctx);
  if (E.isLeft(built)) throw new Error(built.left.message);
  const o = addObjectMetadata(ctx, podPlugin.properties, built.right);
  return {
    ...o,
    metadata: {
      ...o.metadata,
      name: objectNameFor(t, 0, 0),
      namespace,
      labels: { ...o.metadata?.labels, [MANAGED_LABEL]: 'true' },
      annotations: { ...o.metadata?.annotations, [TASK_ANNOTATION]: `t${i}` },
    },
  };
};

// ---- process CPU of the control plane (its pid file is written by the harness) ----

interface CpuSample {
  readonly self: number;
  readonly apiserver: number;
  readonly etcd: number;
}
const sampleCpu = (plane: ControlPlane): CpuSample => {
  const pids = planePids(plane);
  const u = process.cpuUsage();
  return {
    self: (u.user + u.system) / 1e6,
    apiserver: cpuSecondsOf(pids.apiserver),
    etcd: cpuSecondsOf(pids.etcd),
  };
};
const cpuDelta = (a: CpuSample, b: CpuSample): CpuSample => ({
  self: +(b.self - a.self).toFixed(1),
  apiserver: +(b.apiserver - a.apiserver).toFixed(1),
  etcd: +(b.etcd - a.etcd).toFixed(1),
});

// ---- one run ----

interface RunResult {
  readonly mode: 'framework' | 'baseline';
  readonly namespace: string;
  readonly tasks: number;
  readonly seconds: number;
  readonly tasksPerSecond: number;
  /** Watches the API server dropped and the client resumed. */
  readonly watchRestarts: { readonly client: number; readonly kubelet: number };
  /** CPU seconds: this process (manager or raw client), the kubelet's process, kube-apiserver, etcd. */
  readonly cpuSeconds: CpuSample & { readonly kubelet: number };
  readonly loadAverage: readonly number[];
  /** apiserver_request_total delta for pods over the run (start-up, informers and watches included). */
  readonly server: Record<string, number>;
  /** The same by HTTP status code. */
  readonly serverByCode: Record<string, number>;
  /** Time the API server spent on those requests (apiserver_request_duration_seconds_sum; a WATCH's whole life). */
  readonly serverSeconds: Record<string, number>;
  /** The simulated kubelet's requests, counted at its own port. */
  readonly kubelet: Record<string, number>;
  /** server − kubelet: the manager's (or the raw client's) requests, as the API server counted them. */
  readonly client: Record<string, number>;
  /** The manager's (or raw client's) requests counted on our side, to check the attribution. */
  readonly clientSelfCount: Record<string, number>;
  /** Requests to other resources meanwhile (the API server's own loops, leases): not ours. */
  readonly otherResources: Record<string, number>;
  readonly adapterStats: Record<string, unknown>;
  readonly errors: readonly string[];
}

const plain = (m: RequestCounts): Record<string, number> => Object.fromEntries([...m].sort());

const runOnce = async (
  plane: ControlPlane,
  kubeletKubeconfig: string,
  admin: KubernetesCluster,
  mode: 'framework' | 'baseline',
  namespace: string,
  n: number,
): Promise<RunResult> => {
  const made = await admin.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } })();
  if (E.isLeft(made)) throw new Error(made.left.message);
  const errors: string[] = [];
  let watchRestarts = 0;
  const pods = mode === 'baseline' ? Array.from({ length: n }, (_, i) => baselinePod(namespace, i)) : [];
  // A quiet moment, so requests of the previous run (a watch ending, a late retry) land before the first scrape.
  await sleep(1500);

  const before = await scrapeRequestMetrics(plane);
  const cpu0 = sampleCpu(plane);
  const kubelet = await startKubeletChild(kubeletKubeconfig, namespace);

  let seconds: number;
  let clientSelfCount: Map<string, number>;
  let adapterStats: Record<string, unknown> = {};
  if (mode === 'framework') {
    const managerCluster = makeKubernetesCluster({
      kubeconfigPath: plane.kubeconfigPath,
      userAgent: 'kubetasks-bench-manager',
      maxRequestsInFlight: maxInFlight ?? Number.POSITIVE_INFINITY,
    });
    const counted = countingPort(managerCluster);
    // Pod tasks only: the registry holds just the pod plugin, so its one watched kind is Pod.
    const registry = fromPlugins([podPlugin]);
    if (E.isLeft(registry)) throw new Error('registry');
    const manager = new Manager({
      cluster: counted.port,
      clock: systemClock,
      registry: registry.right,
      config,
      namespace,
    });
    await manager.start();
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const r = manager.submit(`t${i}`, benchTask(namespace, i));
      if (E.isLeft(r)) errors.push(`submit t${i}: ${r.left._tag}`);
    }
    const finals = await within(
      'framework run',
      Promise.all(Array.from({ length: n }, (_, i) => manager.awaitFinal(`t${i}`))),
    );
    for (const [i, f] of finals.entries()) if (f.phase !== 'Success') errors.push(`t${i} ended ${f.phase}`);
    // Done means cleaned up: pod deleted, finalizer removed, the pod's deletion observed.
    for (;;) {
      let open = 0;
      for (let i = 0; i < n; i++) {
        const s = manager.state(`t${i}`);
        if (s === undefined || !isSettled(s)) open++;
      }
      if (open === 0) break;
      await sleep(20);
    }
    seconds = (performance.now() - t0) / 1000;
    await manager.stop();
    clientSelfCount = counted.counts;
    adapterStats = { manager: managerCluster.stats() };
    managerCluster.close();
  } else {
    const kc = new KubeConfig();
    kc.loadFromFile(plane.kubeconfigPath);
    const selfCount = new Map<string, number>();
    const bump = (key: string): void => void selfCount.set(key, (selfCount.get(key) ?? 0) + 1);
    // client-node 1.x builds a new https.Agent per request (no keep-alive); the shared agent gives the baseline the
    // same connection pool the adapter uses, so the comparison is framework against no framework, not pool against
    // no pool.
    const agent = new https.Agent({
      keepAlive: true,
      keepAliveMsecs: 30_000,
      maxFreeSockets: 32,
      scheduling: 'lifo',
      ca: plane.caPem,
      cert: plane.adminCertPem,
      key: plane.adminKeyPem,
    });
    const useAgent = {
      pre: (ctx: RequestContext) => {
        ctx.setAgent(agent);
        return Promise.resolve(ctx);
      },
      post: (res: ResponseContext) => Promise.resolve(res),
    };
    const core = new CoreV1Api(
      createConfiguration({
        baseServer: new ServerConfiguration(plane.server, {}),
        authMethods: { default: kc },
        ...(sharedAgent ? { promiseMiddleware: [useAgent] } : {}),
      }),
    );
    const names = new Set(pods.map((p) => p.metadata?.name ?? ''));
    const deleting = new Set<string>();
    const gone = new Set<string>();
    let allGone: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => {
      allGone = resolve;
    });
    const limited = limiter(baselineMaxInFlight);
    const retrying = async (what: string, call: () => Promise<unknown>, attempt = 0): Promise<void> => {
      try {
        await limited(call);
      } catch (e) {
        const code = (e as { code?: number }).code;
        if (code === 404) return;
        if (attempt < 5) {
          await sleep(200);
          await retrying(what, call, attempt + 1);
        } else errors.push(`${what}: ${String(e)}`);
      }
    };
    const del = async (name: string): Promise<void> => {
      // The finalizer goes first, as the manager does it: a JSON Patch (client-node's default patch type), then the
      // DELETE that removes the finished pod at once.
      if (baselineFinalizer)
        await retrying(`unfinalize ${name}`, () => {
          bump('PATCH pods');
          return core.patchNamespacedPod({
            name,
            namespace,
            body: [{ op: 'remove', path: '/metadata/finalizers' }],
          });
        });
      await retrying(`delete ${name}`, () => {
        bump('DELETE pods');
        return core.deleteNamespacedPod({ name, namespace });
      });
    };
    // One watch for the whole run: the cheapest honest way to learn that pods finished and are gone. It must resume
    // like any real client: the API server drops a watcher that reads too slowly ("Forcing watcher close due to
    // unresponsiveness") and client-node does not reconnect by itself. Resume from the last resourceVersion; on 410
    // re-list (a pod whose create returned and that is no longer listed is gone).
    const created = new Set<string>();
    let lastRv: string | undefined;
    let done = false;
    let current: AbortController | undefined;
    const onPod = (type: string, name: string, phase: string | undefined): void => {
      if (!names.has(name)) return;
      if (type === 'DELETED') {
        gone.add(name);
        if (gone.size === names.size) {
          done = true;
          allGone();
        }
        return;
      }
      if ((phase === 'Succeeded' || phase === 'Failed') && !deleting.has(name)) {
        deleting.add(name);
        if (phase === 'Failed') errors.push(`${name} Failed`);
        void del(name);
      }
    };
    const relist = async (): Promise<void> => {
      bump('LIST pods');
      const list = await core.listNamespacedPod({ namespace });
      const listed = new Set(list.items.map((p) => p.metadata?.name ?? ''));
      for (const name of created) if (!listed.has(name) && !gone.has(name)) onPod('DELETED', name, undefined);
      for (const p of list.items) onPod('MODIFIED', p.metadata?.name ?? '', p.status?.phase);
      lastRv = list.metadata?.resourceVersion;
    };
    const watchFrom = async (): Promise<void> => {
      if (done) return;
      if (lastRv === undefined && created.size > 0) await relist();
      bump('WATCH pods');
      current = await new Watch(kc).watch(
        `/api/v1/namespaces/${namespace}/pods`,
        lastRv === undefined ? {} : { resourceVersion: lastRv },
        (type: string, obj: V1Pod & { code?: number }) => {
          if (type === 'ERROR') {
            if (obj.code === 410) lastRv = undefined;
            return;
          }
          lastRv = obj.metadata?.resourceVersion ?? lastRv;
          onPod(type, obj.metadata?.name ?? '', obj.status?.phase);
        },
        (err: unknown) => {
          if (done) return;
          watchRestarts++;
          if ((err as { statusCode?: number } | null)?.statusCode === 410) lastRv = undefined;
          setTimeout(() => {
            watchFrom().catch((e: unknown) => errors.push(`watch: ${String(e)}`));
          }, 100);
        },
      );
    };
    await watchFrom();
    const t0 = performance.now();
    await Promise.all(
      pods.map(async (p) => {
        bump('POST pods');
        try {
          await limited(() => core.createNamespacedPod({ namespace, body: p as unknown as V1Pod }));
          created.add(p.metadata?.name ?? '');
        } catch (e) {
          errors.push(`create ${p.metadata?.name ?? ''}: ${String(e)}`);
        }
      }),
    );
    await within(`baseline run (${gone.size} of ${names.size} pods gone)`, finished);
    seconds = (performance.now() - t0) / 1000;
    current?.abort();
    agent.destroy();
    clientSelfCount = selfCount;
  }
  const report = await kubelet.stop();
  const kubeletCounts = report.counts;
  adapterStats = { ...adapterStats, kubelet: report.stats };
  const cpu1 = sampleCpu(plane);
  // apiserver_request_total counts a WATCH when it ends: give the server a moment to see the closed streams.
  await sleep(1000);
  const after = await scrapeRequestMetrics(plane);

  const delta = countsDelta(after.counts, before.counts);
  const podsDelta = forResource(delta, 'pods');
  const kubeletPods = forResource(kubeletCounts, 'pods');
  const other = new Map([...delta].filter(([k]) => !podsDelta.has(k)));

  // Every pod must be gone. Ones still there are described, and looked at again a little later: under heavy load a
  // delete can outlive its request (the API server answers 504 after 60 s and goes on).
  const leftOver = async (): Promise<KubeObject[]> => {
    const r = await admin.list({ apiVersion: 'v1', kind: 'Pod' }, { namespace })();
    return E.isRight(r) ? [...r.right.items] : [];
  };
  const left = await leftOver();
  if (left.length > 0) {
    const describe = (p: KubeObject): string => {
      const status = p['status'] as { phase?: string } | undefined;
      return `${p.metadata?.name ?? ''} phase=${status?.phase ?? '?'} deletionTimestamp=${p.metadata?.deletionTimestamp ?? '-'} finalizers=${JSON.stringify(p.metadata?.finalizers ?? [])}`;
    };
    errors.push(`${left.length} pods left in ${namespace}: ${left.slice(0, 5).map(describe).join('; ')}`);
    await sleep(15_000);
    const later = await leftOver();
    errors.push(`15 s later ${later.length} left: ${later.slice(0, 5).map(describe).join('; ')}`);
  }

  return {
    mode,
    namespace,
    tasks: n,
    seconds: +seconds.toFixed(2),
    tasksPerSecond: Math.round(n / seconds),
    watchRestarts: {
      client: mode === 'baseline' ? watchRestarts : (clientSelfCount.get('WATCH pods') ?? 1) - 1,
      kubelet: (kubeletCounts.get('WATCH pods') ?? 1) - 1,
    },
    cpuSeconds: { ...cpuDelta(cpu0, cpu1), kubelet: +report.cpuSeconds.toFixed(1) },
    loadAverage: os.loadavg().map((l) => +l.toFixed(2)),
    server: plain(podsDelta),
    serverByCode: plain(forResource(countsDelta(after.countsByCode, before.countsByCode), 'pods')),
    serverSeconds: Object.fromEntries(
      [...forResource(countsDelta(after.seconds, before.seconds), 'pods')]
        .sort()
        .map(([k, v]) => [k, +v.toFixed(2)]),
    ),
    kubelet: plain(kubeletPods),
    client: plain(subtractCounts(podsDelta, kubeletPods)),
    clientSelfCount: plain(forResource(clientSelfCount, 'pods')),
    otherResources: plain(other),
    adapterStats,
    errors: errors.slice(0, 20),
  };
};

// ---- summary ----

const verbs = ['POST', 'PATCH', 'PUT', 'DELETE', 'GET', 'LIST', 'WATCH'] as const;
const byVerb = (counts: Record<string, number>): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(counts)) {
    const verb = k.slice(0, k.indexOf(' '));
    out[verb] = (out[verb] ?? 0) + v;
  }
  return out;
};
const perTask = (counts: Record<string, number>, n: number): Record<string, number> =>
  Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, +(v / n).toFixed(3)]));
const writesOf = (counts: Record<string, number>): number =>
  verbs
    .filter((v) => v !== 'GET' && v !== 'LIST' && v !== 'WATCH')
    .reduce((s, v) => s + (byVerb(counts)[v] ?? 0), 0);

const summarize = (r: RunResult): Record<string, unknown> => ({
  mode: r.mode,
  tasksPerSecond: r.tasksPerSecond,
  seconds: r.seconds,
  cpuSeconds: r.cpuSeconds,
  clientPerTaskByVerb: perTask(byVerb(r.client), r.tasks),
  clientWritesPerTask: +(writesOf(r.client) / r.tasks).toFixed(3),
  clientListWatch: { LIST: byVerb(r.client)['LIST'] ?? 0, WATCH: byVerb(r.client)['WATCH'] ?? 0 },
  kubeletPerTaskByVerb: perTask(byVerb(r.kubelet), r.tasks),
  watchRestarts: r.watchRestarts,
  attributionAgrees: JSON.stringify(r.client) === JSON.stringify(r.clientSelfCount),
  errors: r.errors.length,
});

const main = async (): Promise<void> => {
  const started = Date.now();
  const plane = await startControlPlane();
  const results: RunResult[] = [];
  let admin: KubernetesCluster | undefined;
  try {
    // The kubelet runs as its own identity (and user agent) over its own connections.
    const kubeletUser = await plane.mintUser('simulated-kubelet', ['system:masters']);
    admin = makeKubernetesCluster({ kubeconfigPath: plane.kubeconfigPath });
    const order = (round: number): Array<'framework' | 'baseline'> =>
      values.only === 'framework' || values.only === 'baseline'
        ? [values.only]
        : values.order === 'framework-first' || (values.order === 'alternate' && round % 2 === 1)
          ? ['framework', 'baseline']
          : ['baseline', 'framework'];
    if (WARMUP > 0) {
      for (const mode of order(0)) {
        const r = await runOnce(plane, kubeletUser.kubeconfigPath, admin, mode, `warmup-${mode}`, WARMUP);
        console.error(`warm-up ${mode}: ${r.tasksPerSecond} tasks/s`);
      }
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (const mode of order(round)) {
        const r = await runOnce(plane, kubeletUser.kubeconfigPath, admin, mode, `${mode}-${round}`, N);
        console.error(`round ${round} ${mode}: ${r.tasksPerSecond} tasks/s (${r.seconds} s)`);
        results.push(r);
      }
    }
  } finally {
    admin?.close();
    await plane.stop();
  }
  const pairs = Array.from({ length: ROUNDS }, (_, round) => {
    const [a, b] = results.slice(2 * round, 2 * round + 2);
    const fw = [a, b].find((r) => r?.mode === 'framework');
    const base = [a, b].find((r) => r?.mode === 'baseline');
    return fw === undefined || base === undefined
      ? undefined
      : +(fw.tasksPerSecond / base.tasksPerSecond).toFixed(3);
  });
  console.log(
    JSON.stringify(
      {
        tasks: N,
        rounds: ROUNDS,
        baselineAgent: sharedAgent ? 'shared keep-alive' : 'client-node default (new agent per request)',
        frameworkFinalizer,
        baselineFinalizer,
        maxInFlight: maxInFlight ?? 'no limit',
        baselineMaxInFlight: baselineMaxInFlight ?? 'no limit',
        node: process.version,
        cpus: os.cpus().length,
        kubernetes: plane.version,
        wallSeconds: Math.round((Date.now() - started) / 1000),
        summary: results.map(summarize),
        throughputRatioFrameworkOverBaseline: pairs,
        runs: results,
      },
      null,
      2,
    ),
  );
};

void main();
