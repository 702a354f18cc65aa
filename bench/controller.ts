// Benchmark: the same N pod tasks through `kubetasks controller` (TaskExecutions) and through the embedded Manager,
// on one real kube-apiserver, in alternating order; API requests per task, throughput, and failover time.
// Run: npm run bench:controller [-- --tasks 1000 --rounds 2 --warmup 100 --replicas 2 --failover true
//        --order alternate|controller-first|manager-first]
// Needs dist-bench/ (npm run bench:build; the npm script builds it): both sides run the tsc output in a process of
// their own, the controller as its CLI (`kubetasks controller`), the Manager as bench/support/manager-process.ts.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import * as E from 'fp-ts/lib/Either.js';
import { makeKubernetesCluster, type KubernetesCluster } from '../src/adapters/kubernetes/index.js';
import type { KubeObject } from '../src/domain/kubernetes.js';
import type { ClusterPort } from '../src/ports/cluster.js';
import { objectOfTask, statusOfObject, TASK_EXECUTION } from '../src/domain/task-execution-resource.js';
import { startControlPlane, type ControlPlane } from '../test/cluster/control-plane.js';
import {
  countsDelta,
  scrapeRequestMetrics,
  subtractCounts,
  type RequestCounts,
} from './support/apiserver-metrics.js';
import { benchTask } from './support/bench-task.js';
import { countingPort } from './support/counting-port.js';
import { startKubeletChild } from './support/kubelet-child.js';
import { cpuSecondsOf, planePids } from './support/process-cpu.js';

const { values } = parseArgs({
  options: {
    tasks: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '2' },
    warmup: { type: 'string', default: '100' },
    /** Controller processes in a throughput run: the leader plus standbys (deploy/ runs 2). */
    replicas: { type: 'string', default: '2' },
    order: { type: 'string', default: 'alternate' },
    /** After the rounds, one more controller run in which the leader is killed (SIGKILL) half-way. */
    failover: { type: 'string', default: 'true' },
    'run-timeout': { type: 'string', default: '900' },
    /** Where the controllers' and the Manager's logs are kept (default: the control plane's data dir, removed). */
    'log-dir': { type: 'string' },
  },
});
const N = Number(values.tasks);
const ROUNDS = Number(values.rounds);
const WARMUP = Number(values.warmup);
const REPLICAS = Number(values.replicas);
const RUN_TIMEOUT_MS = Number(values['run-timeout']) * 1000;

const CLI = path.resolve('dist-bench/src/cli/main.js');
const MANAGER_PROCESS = path.resolve('dist-bench/bench/support/manager-process.js');
const LEASE = 'kubetasks-bench';
const LOG_DIR = values['log-dir'] === undefined ? undefined : path.resolve(values['log-dir']);
if (LOG_DIR !== undefined) fs.mkdirSync(LOG_DIR, { recursive: true });

// One platform config for both sides: deploy/config.yaml's (the pod plugin, our finalizer on every pod), plus
// deleting each pod when its task is done, so both sides end with an empty namespace and the same pod writes.
const CONFIG = `tasks:
  task-plugins:
    enabled: [pod]
plugins:
  k8s:
    inject-finalizer: true
    delete-resource-on-finalize: true
`;

/** Epoch milliseconds with sub-millisecond precision, comparable with a child's. */
const epochNow = (): number => performance.timeOrigin + performance.now();

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const until = async (
  what: string,
  cond: () => boolean | Promise<boolean>,
  ms = RUN_TIMEOUT_MS,
): Promise<void> => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
};

// ---- the controller as a child process: its CLI, with its probes and metrics on free loopback ports ----

interface ControllerChild {
  readonly child: ChildProcess;
  readonly metricsPort: number;
  readonly exited: Promise<number | null>;
  readonly stderr: () => string;
}

const startController = async (
  kubeconfig: string,
  namespace: string,
  config: string,
  logFile: string,
): Promise<ControllerChild> => {
  // Its log (pino at info: a line per phase change, as deployed) goes to a file, as a container's would; the
  // Manager logs the same way.
  const log = fs.openSync(logFile, 'w');
  const child = spawn(
    process.execPath,
    [
      CLI,
      'controller',
      '--kubeconfig',
      kubeconfig,
      '--namespace',
      namespace,
      '--config',
      config,
      '--leader-elect',
      '--lease-name',
      LEASE,
      '--lease-namespace',
      namespace,
      '--health-addr',
      '127.0.0.1:0',
      '--metrics-addr',
      '127.0.0.1:0',
    ],
    { stdio: ['ignore', 'ignore', log], env: { ...process.env, NO_COLOR: '1' } },
  );
  fs.closeSync(log);
  const stderr = (): string => fs.readFileSync(logFile, 'utf8');
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let gone = false;
  void exited.then(() => (gone = true));
  let ports: { healthPort: number; metricsPort: number } | undefined;
  await until(
    'the controller to start',
    () => {
      if (gone) throw new Error(`controller exited:\n${stderr()}`);
      const line = stderr()
        .split('\n')
        .find((l) => l.includes('controller starting'));
      if (line !== undefined) ports = JSON.parse(line) as typeof ports;
      return ports !== undefined;
    },
    120_000,
  );
  const { healthPort, metricsPort } = ports!;
  await until(
    'the controller to be ready',
    async () =>
      (
        await fetch(`http://127.0.0.1:${healthPort}/readyz`, { signal: AbortSignal.timeout(5000) }).catch(
          () => undefined,
        )
      )?.status === 200,
    120_000,
  );
  return { child, metricsPort, exited, stderr };
};

/** The controller's /metrics, as `name{labels}` → value (undefined when it no longer answers). */
const scrapeController = async (c: ControllerChild): Promise<Map<string, number> | undefined> => {
  // A process too busy to answer within seconds is reported as not answering, not waited for.
  const res = await fetch(`http://127.0.0.1:${c.metricsPort}/metrics`, {
    signal: AbortSignal.timeout(5000),
  }).catch(() => undefined);
  const text = res?.status === 200 ? await res.text().catch(() => undefined) : undefined;
  if (text === undefined) return undefined;
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
};

const sumOf = (m: Map<string, number> | undefined, name: string, filter = ''): number =>
  [...(m ?? new Map<string, number>())]
    .filter(([k]) => (k === name || k.startsWith(`${name}{`)) && k.includes(filter))
    .reduce((s, [, v]) => s + v, 0);

const isLeading = async (c: ControllerChild): Promise<boolean> =>
  sumOf(await scrapeController(c), 'kubetasks_leader_election_master_status') === 1;

// ---- the Manager as a child process ----

interface ManagerDone {
  readonly type: 'done';
  /** Epoch milliseconds (performance.timeOrigin + performance.now()). */
  readonly startedAt: number;
  readonly settledAt: number;
  readonly counts: Record<string, number>;
  readonly errors: readonly string[];
}

const startManager = (
  kubeconfig: string,
  namespace: string,
  config: string,
  n: number,
  logFile: string,
): Promise<{ child: ChildProcess; go: () => Promise<ManagerDone> }> =>
  new Promise((resolve, reject) => {
    const log = fs.openSync(logFile, 'w');
    const child = fork(MANAGER_PROCESS, [kubeconfig, namespace, config, String(n)], {
      stdio: ['ignore', 'inherit', log, 'ipc'],
    });
    fs.closeSync(log);
    let done: ((d: ManagerDone) => void) | undefined;
    child.once('exit', (code) => reject(new Error(`manager process exited with ${String(code)}`)));
    child.on('message', (m: { type?: string }) => {
      if (m.type === 'ready')
        resolve({
          child,
          go: () =>
            new Promise((r) => {
              done = r;
              child.send('go');
            }),
        });
      else if (m.type === 'done') done?.(m as ManagerDone);
    });
  });

// ---- following TaskExecutions from the bench's side, as a user would (one watch) ----

interface Follower {
  readonly completed: () => number;
  /** Wall time (performance.now()) of every TaskExecution change seen, in order. */
  readonly changes: number[];
  readonly phases: () => Map<string, string>;
  readonly stop: () => void;
}

const followTaskExecutions = async (cluster: ClusterPort, namespace: string): Promise<Follower> => {
  const done = new Map<string, string>();
  const changes: number[] = [];
  let stopped = false;
  let stream: { stop: () => void } | undefined;
  const listed = await cluster.list(TASK_EXECUTION, { namespace })();
  if (E.isLeft(listed)) throw new Error(listed.left.message);
  let rv = listed.right.resourceVersion;
  const see = (o: KubeObject): void => {
    changes.push(performance.now());
    const s = statusOfObject(o);
    if (s.completionTime !== undefined && s.phase !== undefined) done.set(o.metadata?.name ?? '', s.phase);
  };
  const loop = async (): Promise<void> => {
    while (!stopped) {
      const w = await cluster.watch(TASK_EXECUTION, { namespace, resourceVersion: rv })();
      if (E.isLeft(w)) {
        await sleep(200);
        continue;
      }
      stream = w.right;
      for await (const e of w.right) {
        if (e.type === 'BOOKMARK') rv = e.resourceVersion;
        else if (e.type === 'ERROR') {
          if (e.error.code === 410) {
            const again = await cluster.list(TASK_EXECUTION, { namespace })();
            if (E.isRight(again)) {
              for (const o of again.right.items) see(o);
              rv = again.right.resourceVersion;
            }
          }
          break;
        } else {
          rv = e.object.metadata?.resourceVersion ?? rv;
          see(e.object);
        }
      }
    }
  };
  void loop();
  return {
    completed: () => done.size,
    changes,
    phases: () => done,
    stop: () => {
      stopped = true;
      stream?.stop();
    },
  };
};

// ---- one run ----

type Mode = 'controller' | 'manager';

interface RunResult {
  readonly mode: Mode | 'controller-failover';
  readonly namespace: string;
  readonly tasks: number;
  readonly seconds: number;
  readonly tasksPerSecond: number;
  /** CPU seconds over the run: the controller processes (summed) or the Manager's, kube-apiserver, etcd. */
  readonly cpuSeconds: { readonly subject: number; readonly apiserver: number; readonly etcd: number };
  readonly loadAverage: readonly number[];
  /** apiserver_request_total deltas over the run, all resources, minus the kubelet's and the bench's own. */
  readonly subject: Record<string, number>;
  /** The subject's requests as it counted them itself (Manager: its port; controller: its /metrics). */
  readonly subjectSelfCount: Record<string, number>;
  readonly kubelet: Record<string, number>;
  readonly bench: Record<string, number>;
  readonly failover?: {
    readonly killedAfterCompleted: number;
    readonly killToLeadingMs: number;
    readonly killToFirstStatusWriteMs: number;
    readonly killToFirstChangeSeenMs: number;
  };
  /** Bytes of one TaskExecution as it ended (JSON): whole, its managedFields, its status.state. */
  readonly objectBytes?: { readonly whole: number; readonly managedFields: number; readonly state: number };
  readonly errors: readonly string[];
}

const plain = (m: RequestCounts): Record<string, number> => Object.fromEntries([...m].sort());

const runOnce = async (
  plane: ControlPlane,
  users: { kubelet: string; controller: string; manager: string },
  admin: KubernetesCluster,
  configFile: string,
  mode: Mode,
  namespace: string,
  n: number,
  options: { replicas: number; kill: boolean },
): Promise<RunResult> => {
  const made = await admin.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } })();
  if (E.isLeft(made)) throw new Error(made.left.message);
  const errors: string[] = [];
  // The bench's own requests (creating TaskExecutions, following them, checking for pods) are counted here and
  // taken off the server's count, as the kubelet's are.
  const benchCluster = makeKubernetesCluster({
    kubeconfigPath: plane.kubeconfigPath,
    userAgent: 'kubetasks-bench',
  });
  const bench = countingPort(benchCluster);
  const objects =
    mode === 'controller'
      ? Array.from({ length: n }, (_, i) => objectOfTask(benchTask(namespace, i), `t${i}`))
      : [];
  await sleep(1500);

  const before = await scrapeRequestMetrics(plane);
  const pids = planePids(plane);
  const kubelet = await startKubeletChild(users.kubelet, namespace);

  let seconds: number;
  let subjectPids: number[];
  let subjectSelf = new Map<string, number>();
  let cpu0: { subject: number; apiserver: number; etcd: number };
  let failover: RunResult['failover'];
  let killedCpu = 0;
  const cpuNow = () => ({
    subject: killedCpu + subjectPids.reduce((s, p) => s + cpuSecondsOf(p), 0),
    apiserver: cpuSecondsOf(pids.apiserver),
    etcd: cpuSecondsOf(pids.etcd),
  });
  let cpu1: typeof cpu0;
  // Pods left a minute after the tasks ended are reported (as errors, named), not waited for.
  const podsGone = (): Promise<void> =>
    until(
      'every pod to go',
      async () => {
        const r = await bench.port.list({ apiVersion: 'v1', kind: 'Pod' }, { namespace })();
        return E.isRight(r) && r.right.items.length === 0;
      },
      60_000,
    ).catch((e: unknown) => {
      errors.push(String(e));
    });
  if (mode === 'manager') {
    const m = await startManager(
      users.manager,
      namespace,
      configFile,
      n,
      path.join(LOG_DIR ?? plane.dataDir, `${namespace}-manager.log`),
    );
    subjectPids = [m.child.pid ?? NaN];
    cpu0 = cpuNow();
    const d = await m.go();
    // Done as for the controller: every pod gone (the kubelet lets a deleted pod go a moment after the DELETE).
    await podsGone();
    cpu1 = cpuNow();
    seconds = (epochNow() - d.startedAt) / 1000;
    subjectSelf = new Map(Object.entries(d.counts));
    errors.push(...d.errors);
  } else {
    // The first to start leads; the others stand by, ready (their informers synced), as deploy/'s replicas do.
    const logOf = (i: number): string =>
      path.join(LOG_DIR ?? plane.dataDir, `${namespace}-controller-${i}.log`);
    const leader = await startController(users.controller, namespace, configFile, logOf(0));
    await until('the first controller to lead', () => isLeading(leader), 120_000);
    const standbys: ControllerChild[] = [];
    for (let i = 1; i < options.replicas; i++)
      standbys.push(await startController(users.controller, namespace, configFile, logOf(i)));
    const all = [leader, ...standbys];
    subjectPids = all.map((c) => c.child.pid ?? NaN);
    let failoverAt:
      | { tKill: number; leadingAt: number | undefined; writtenAt: number | undefined; killed: number }
      | undefined;
    const follower = await followTaskExecutions(bench.port, namespace);
    cpu0 = cpuNow();
    const t0 = performance.now();
    await Promise.all(
      objects.map(async (o) => {
        const r = await bench.port.create(o)();
        if (E.isLeft(r)) errors.push(`create ${o.metadata?.name ?? ''}: ${r.left.message}`);
      }),
    );
    if (options.kill) {
      await until('half of the tasks to end', () => follower.completed() >= n / 2);
      const killed = follower.completed();
      const standby = standbys[0];
      if (standby === undefined) throw new Error('--failover needs --replicas 2 or more');
      // Its CPU so far counts; /proc forgets it once it is gone.
      killedCpu = cpuSecondsOf(leader.child.pid ?? NaN);
      subjectPids = subjectPids.filter((p) => p !== leader.child.pid);
      leader.child.kill('SIGKILL');
      const tKill = performance.now();
      let leadingAt: number | undefined;
      let writtenAt: number | undefined;
      // The standby's own metrics, every 20 ms: when it leads, and when its first status write succeeded.
      await until('the standby to write a status', async () => {
        const m = await scrapeController(standby);
        const now = performance.now();
        if (leadingAt === undefined && sumOf(m, 'kubetasks_leader_election_master_status') === 1)
          leadingAt = now;
        if (writtenAt === undefined && sumOf(m, 'kubetasks_taskexecution_status_writes_total', 'success') > 0)
          writtenAt = now;
        return writtenAt !== undefined;
      });
      // The first change the bench saw after the standby led is read once the run is over: the watch delivers it
      // after the write the standby's metrics count (read at once, it was never there yet).
      failoverAt = { tKill, leadingAt, writtenAt, killed };
    }
    await until('every TaskExecution to end', () => follower.completed() >= n);
    if (failoverAt !== undefined) {
      const { tKill, leadingAt, writtenAt, killed } = failoverAt;
      // The first change after the standby led (any change after the kill could still be the old leader's last
      // request in flight; after the standby leads, the old leader is long gone).
      const firstSeen = follower.changes.find((t) => t >= (leadingAt ?? tKill)) ?? NaN;
      failover = {
        killedAfterCompleted: killed,
        killToLeadingMs: Math.round((leadingAt ?? NaN) - tKill),
        killToFirstStatusWriteMs: Math.round((writtenAt ?? NaN) - tKill),
        killToFirstChangeSeenMs: Math.round(firstSeen - tKill),
      };
    }
    // Done means cleaned up, as for the Manager: every pod's finalizer removed and the pod deleted.
    await podsGone();
    seconds = (performance.now() - t0) / 1000;
    cpu1 = cpuNow();
    follower.stop();
    for (const [name, phase] of follower.phases())
      if (phase !== 'Success') errors.push(`${name} ended ${phase}`);
    // The controllers' own count of what they sent: status writes and the task commands' requests by verb.
    for (const c of all) {
      const m = await scrapeController(c);
      if (m === undefined) continue;
      const bump = (k: string, v: number): void => void subjectSelf.set(k, (subjectSelf.get(k) ?? 0) + v);
      bump(
        'PATCH kubetasks.dev/taskexecutions/status',
        sumOf(m, 'kubetasks_taskexecution_status_writes_total'),
      );
      // Which of them carried a state (write-ahead) and which a phase alone.
      for (const op of ['put', 'flush', 'remove'])
        bump(
          `status writes (${op})`,
          sumOf(m, 'kubetasks_taskexecution_status_writes_by_operation_total', `operation="${op}"`),
        );
      for (const verb of ['create', 'patch', 'delete', 'get', 'update'])
        bump(`${verb} (task commands)`, sumOf(m, 'kubetasks_cluster_requests_total', `verb="${verb}"`));
    }
    for (const c of all) if (c.child.exitCode === null) c.child.kill('SIGTERM');
    for (const c of all) {
      const code = await c.exited;
      if (code !== 0 && !(options.kill && c === leader))
        errors.push(`controller exited ${String(code)}: ${c.stderr().slice(-500)}`);
    }
  }
  const report = await kubelet.stop();
  await sleep(1000);
  const after = await scrapeRequestMetrics(plane);
  benchCluster.close();
  // What each TaskExecution write carries, and each watcher receives: one object as it ended (after the count).
  let objectBytes: RunResult['objectBytes'];
  if (mode === 'controller') {
    const one = await admin.get({ ...TASK_EXECUTION, namespace, name: 't0' })();
    if (E.isRight(one))
      objectBytes = {
        whole: JSON.stringify(one.right).length,
        managedFields: JSON.stringify(one.right.metadata?.managedFields ?? []).length,
        state: JSON.stringify(statusOfObject(one.right).state ?? null).length,
      };
  }

  const delta = countsDelta(after.counts, before.counts);
  // The apiserver's own lease updates land in the window too: leases are shown, but are not per task.
  const subject = subtractCounts(subtractCounts(delta, report.counts), bench.counts);
  const left = await admin.list({ apiVersion: 'v1', kind: 'Pod' }, { namespace })();
  if (E.isRight(left) && left.right.items.length > 0)
    errors.push(
      `${left.right.items.length} pods left: ${left.right.items
        .slice(0, 5)
        .map(
          (p) =>
            `${p.metadata?.name ?? ''} deletionTimestamp=${p.metadata?.deletionTimestamp ?? '-'} finalizers=${JSON.stringify(p.metadata?.finalizers ?? [])}`,
        )
        .join('; ')}`,
    );
  return {
    mode: options.kill ? 'controller-failover' : mode,
    namespace,
    tasks: n,
    seconds: +seconds.toFixed(2),
    tasksPerSecond: +(n / seconds).toFixed(1),
    cpuSeconds: {
      subject: +(cpu1.subject - cpu0.subject).toFixed(1),
      apiserver: +(cpu1.apiserver - cpu0.apiserver).toFixed(1),
      etcd: +(cpu1.etcd - cpu0.etcd).toFixed(1),
    },
    loadAverage: os.loadavg().map((l) => +l.toFixed(2)),
    subject: plain(new Map([...subject].filter(([k]) => !k.includes('(non-resource)')))),
    subjectSelfCount: plain(subjectSelf),
    kubelet: plain(report.counts),
    bench: plain(bench.counts),
    ...(failover === undefined ? {} : { failover }),
    ...(objectBytes === undefined ? {} : { objectBytes }),
    errors: errors.slice(0, 20),
  };
};

// ---- summary ----

const WRITE_VERBS = ['POST', 'PUT', 'PATCH', 'DELETE'];
const isTaskResource = (key: string): boolean => {
  const target = key.split(' ')[1] ?? '';
  return target.startsWith('pods') || target.startsWith('kubetasks.dev/taskexecutions');
};
const per = (v: number, n: number): number => +(v / n).toFixed(3);

interface Row {
  readonly run: string;
  readonly tasksPerSecond: number;
  readonly seconds: number;
  readonly writesPerTask: number;
  readonly byVerb: string;
  readonly statusWritesPerTask: number;
  readonly getsPerTask: number;
  readonly listWatch: string;
  readonly cpu: string;
  readonly errors: number;
}

const rowOf = (r: RunResult, label: string): Row => {
  const task = Object.entries(r.subject).filter(([k]) => isTaskResource(k));
  const verbOf = (k: string): string => k.slice(0, k.indexOf(' '));
  const writes = task.filter(([k]) => WRITE_VERBS.includes(verbOf(k)));
  const sum = (xs: Array<[string, number]>): number => xs.reduce((s, [, v]) => s + v, 0);
  return {
    run: label,
    tasksPerSecond: r.tasksPerSecond,
    seconds: r.seconds,
    writesPerTask: per(sum(writes), r.tasks),
    byVerb: writes.map(([k, v]) => `${k} ${per(v, r.tasks)}`).join(', '),
    statusWritesPerTask: per(r.subject['PATCH kubetasks.dev/taskexecutions/status'] ?? 0, r.tasks),
    getsPerTask: per(sum(task.filter(([k]) => verbOf(k) === 'GET')), r.tasks),
    listWatch: `${sum(task.filter(([k]) => verbOf(k) === 'LIST'))}/${sum(task.filter(([k]) => verbOf(k) === 'WATCH'))}`,
    cpu: `${r.cpuSeconds.subject}/${r.cpuSeconds.apiserver}/${r.cpuSeconds.etcd}`,
    errors: r.errors.length,
  };
};

const table = (rows: readonly Row[]): string => {
  const head = [
    'run',
    'tasks/s',
    's',
    'writes/task',
    'status writes/task',
    'GETs/task',
    'LIST/WATCH',
    'CPU s (subject/apiserver/etcd)',
    'errors',
  ];
  const lines = rows.map((r) =>
    [
      r.run,
      r.tasksPerSecond,
      r.seconds,
      r.writesPerTask,
      r.statusWritesPerTask,
      r.getsPerTask,
      r.listWatch,
      r.cpu,
      r.errors,
    ].map(String),
  );
  const out = [head, head.map(() => '---'), ...lines].map((l) => `| ${l.join(' | ')} |`);
  return [...out, '', ...rows.map((r) => `${r.run}: ${r.byVerb}`)].join('\n');
};

const main = async (): Promise<void> => {
  if (!fs.existsSync(CLI) || !fs.existsSync(MANAGER_PROCESS))
    throw new Error('run `npm run bench:build` first (dist-bench/)');
  const started = Date.now();
  const loadBefore = os.loadavg().map((l) => +l.toFixed(2));
  const plane = await startControlPlane({ crdFiles: ['deploy/crd.yaml'] });
  const results: RunResult[] = [];
  let admin: KubernetesCluster | undefined;
  try {
    // Each party under an identity of its own, over its own connections.
    const users = {
      kubelet: (await plane.mintUser('simulated-kubelet', ['system:masters'])).kubeconfigPath,
      controller: (await plane.mintUser('kubetasks-controller', ['system:masters'])).kubeconfigPath,
      manager: (await plane.mintUser('kubetasks-manager', ['system:masters'])).kubeconfigPath,
    };
    const configFile = path.join(plane.dataDir, 'bench-config.yaml');
    fs.writeFileSync(configFile, CONFIG);
    admin = makeKubernetesCluster({ kubeconfigPath: plane.kubeconfigPath });
    const order = (round: number): Mode[] =>
      values.order === 'controller-first' || (values.order === 'alternate' && round % 2 === 0)
        ? ['controller', 'manager']
        : ['manager', 'controller'];
    const go = (mode: Mode, ns: string, n: number, kill = false) =>
      runOnce(plane, users, admin!, configFile, mode, ns, n, {
        replicas: kill ? Math.max(2, REPLICAS) : REPLICAS,
        kill,
      });
    if (WARMUP > 0)
      for (const mode of order(0)) {
        const r = await go(mode, `warmup-${mode}`, WARMUP);
        console.error(
          `warm-up ${mode}: ${r.tasksPerSecond} tasks/s${r.errors.length > 0 ? ` errors: ${r.errors.join('; ')}` : ''}`,
        );
      }
    for (let round = 0; round < ROUNDS; round++)
      for (const mode of order(round)) {
        const r = await go(mode, `${mode}-${round}`, N);
        console.error(`round ${round} ${mode}: ${r.tasksPerSecond} tasks/s (${r.seconds} s)`);
        results.push(r);
      }
    if (values.failover === 'true') {
      const r = await go('controller', 'failover', N, true);
      console.error(`failover: ${JSON.stringify(r.failover)}`);
      results.push(r);
    }
  } finally {
    admin?.close();
    await plane.stop();
  }
  const ratios = Array.from({ length: ROUNDS }, (_, round) => {
    const c = results.find((r) => r.namespace === `controller-${round}`);
    const m = results.find((r) => r.namespace === `manager-${round}`);
    // From the seconds, not the rounded tasks/s.
    return c === undefined || m === undefined ? undefined : +(m.seconds / c.seconds).toFixed(3);
  });
  const rows = results.map((r) => rowOf(r, r.namespace));
  console.log(table(rows));
  console.log(`\nthroughput controller/manager per round: ${ratios.join(', ')}`);
  const f = results.find((r) => r.failover !== undefined)?.failover;
  if (f !== undefined)
    console.log(
      `failover (leader killed after ${f.killedAfterCompleted} of ${N} tasks ended): standby leads after ${f.killToLeadingMs} ms, ` +
        `its first status write ${f.killToFirstStatusWriteMs} ms, first change seen by a client ${f.killToFirstChangeSeenMs} ms after the kill`,
    );
  console.log(
    '\n' +
      JSON.stringify(
        {
          tasks: N,
          rounds: ROUNDS,
          replicas: REPLICAS,
          node: process.version,
          cpus: os.cpus().length,
          loadAverageBefore: loadBefore,
          loadAverageAfter: os.loadavg().map((l) => +l.toFixed(2)),
          wallSeconds: Math.round((Date.now() - started) / 1000),
          throughputRatioControllerOverManager: ratios,
          runs: results,
        },
        null,
        2,
      ),
  );
};

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
