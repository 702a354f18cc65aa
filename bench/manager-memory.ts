// Benchmark: N concurrent pod tasks through the full lifecycle on the in-memory cluster with the simulated kubelet.
// Run: npm run bench:manager [-- --tasks 10000 --finalizer true --store memory|file|file-nosync|none]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as E from 'fp-ts/lib/Either.js';
import { Manager } from '../src/app/manager.js';
import { makeVirtualClock } from '../src/adapters/clock/index.js';
import { startKubelet } from '../src/adapters/kubelet/index.js';
import { makeMemoryCluster } from '../src/adapters/memory/index.js';
import { makeFileStateStore, makeMemoryStateStore } from '../src/adapters/state-store/index.js';
import type { KubeObject } from '../src/domain/kubernetes.js';
import { defaultPlatformConfig } from '../src/domain/platform-config.js';
import type { TaskExecution } from '../src/domain/task.js';
import { builtInRegistry } from '../src/plugins/index.js';
import type { ClusterPort } from '../src/ports/cluster.js';

const { values } = parseArgs({
  options: {
    tasks: { type: 'string', default: '10000' },
    finalizer: { type: 'string', default: 'true' },
    store: { type: 'string', default: 'memory' },
  },
});
const N = Number(values.tasks);
// The file stores write one file per task into a fresh directory, removed at exit.
const storeDir = values.store.startsWith('file')
  ? mkdtempSync(join(tmpdir(), 'kubetasks-bench-'))
  : undefined;
if (storeDir !== undefined) process.on('exit', () => rmSync(storeDir, { recursive: true, force: true }));
const store =
  values.store === 'memory'
    ? makeMemoryStateStore()
    : storeDir === undefined
      ? undefined
      : makeFileStateStore(storeDir, { fsync: values.store !== 'file-nosync' });
const finalizer = values.finalizer === 'true';

const clock = makeVirtualClock({ auto: true });
const cluster = makeMemoryCluster({ clock, namespaces: ['bench'], watchHistory: 4 * N + 1000 });

// What the manager sends, by verb.
const calls = new Map<string, number>();
const bump = (verb: string): void => void calls.set(verb, (calls.get(verb) ?? 0) + 1);
const managerPort: ClusterPort = {
  ...cluster,
  get: (r) => (bump('get'), cluster.get(r)),
  list: (g, s) => (bump('list'), cluster.list(g, s)),
  watch: (g, o) => (bump('watch'), cluster.watch(g, o)),
  create: (o) => (bump('create'), cluster.create(o)),
  update: (o) => (bump('update'), cluster.update(o)),
  patch: (r, p) => (bump('patch'), cluster.patch(r, p)),
  delete: (r, o) => (bump('delete'), cluster.delete(r, o)),
};

// When the kubelet sent each pod's terminal status (wall clock, taken before the write is issued).
const terminalWrite = new Map<string, number>();
const phaseIn = (body: unknown): string | undefined =>
  (body as { status?: { phase?: string } } | undefined)?.status?.phase;
const record = (name: string, phase: string | undefined): void => {
  if ((phase === 'Succeeded' || phase === 'Failed') && !terminalWrite.has(name))
    terminalWrite.set(name, performance.now());
};
const kubeletPort: ClusterPort = {
  ...cluster,
  updateStatus: (o: KubeObject) => (record(o.metadata?.name ?? '', phaseIn(o)), cluster.updateStatus(o)),
  patchStatus: (r, p) => (record(r.name, phaseIn(p.body)), cluster.patchStatus(r, p)),
};

const task = (i: number): TaskExecution => ({
  task: {
    id: { name: 'bench' },
    type: 'container',
    container: {
      image: 'busybox:1.36',
      command: ['true'],
      resources: { requests: { cpu: '10m', memory: '16Mi' } },
    },
  },
  execution: { id: { run: 'bench', action: `t${i}` }, namespace: 'bench' },
});

const main = async (): Promise<void> => {
  const kubelet = startKubelet({
    cluster: kubeletPort,
    clock,
    durations: { pendingMs: 1000, runMs: 1000, initMs: 0 },
  });
  await kubelet.ready();
  const registry = builtInRegistry();
  if (E.isLeft(registry)) throw new Error('registry');
  const config = {
    ...defaultPlatformConfig,
    plugins: { k8s: { ...defaultPlatformConfig.plugins.k8s, 'inject-finalizer': finalizer } },
  };
  const manager = new Manager({
    cluster: managerPort,
    clock,
    registry: registry.right,
    config,
    ...(store === undefined ? {} : { store }),
  });
  const finalAt = new Map<string, number>();
  manager.subscribe((u) => {
    if (u.final) finalAt.set(u.taskId, performance.now());
  });
  await manager.start();
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < N; i++) manager.submit(`t${i}`, task(i));
  await Promise.all(Array.from({ length: N }, (_, i) => manager.awaitFinal(`t${i}`)));
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  await manager.idle();
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);

  const latencies: number[] = [];
  for (let i = 0; i < N; i++) {
    const w = terminalWrite.get(`bench-t${i}-0`);
    const f = finalAt.get(`t${i}`);
    if (w !== undefined && f !== undefined) latencies.push(f - w);
  }
  latencies.sort((a, b) => a - b);
  const pct = (p: number): number =>
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
  const perTask = Object.fromEntries([...calls].sort().map(([v, n]) => [v, +(n / N).toFixed(3)]));
  const writes = ['create', 'update', 'patch', 'delete'].reduce((s, v) => s + (calls.get(v) ?? 0), 0) / N;
  console.log(
    JSON.stringify(
      {
        tasks: N,
        finalizer,
        seconds: +elapsed.toFixed(2),
        tasksPerSecond: Math.round(N / elapsed),
        // CPU time of this process over the same span: the figure to compare on a busy machine.
        cpuSeconds: +cpuSeconds.toFixed(2),
        tasksPerCpuSecond: Math.round(N / cpuSeconds),
        latencyMs: {
          samples: latencies.length,
          p50: +pct(50).toFixed(2),
          p99: +pct(99).toFixed(2),
          max: +pct(100).toFixed(2),
        },
        peakRssMiB: Math.round(peakRss / 2 ** 20),
        callsPerTask: perTask,
        writesPerTask: +writes.toFixed(3),
        callsTotal: Object.fromEntries(calls),
      },
      null,
      2,
    ),
  );
  await manager.stop();
  await kubelet.stop();
  cluster.close();
  clock.dispose();
};

void main();
