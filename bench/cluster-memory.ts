// Benchmark of the in-memory cluster: operations per second, watch fan-out and memory per stored pod.
//
// Run with `npm run bench:cluster` (compiles src and bench with tsc, then runs dist-bench/bench/cluster-memory.js).
// Prints a Markdown table.
import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import { makeVirtualClock } from '../src/adapters/clock/index.js';
import { makeMemoryCluster, type MemoryCluster } from '../src/adapters/memory/index.js';
import type { KubeObject } from '../src/domain/kubernetes.js';
import type { ApiError } from '../src/domain/api-error.js';
import type { WatchStream } from '../src/ports/cluster.js';

const POD = { apiVersion: 'v1', kind: 'Pod' } as const;
const OBJECTS = Number(process.env['BENCH_OBJECTS'] ?? 10_000);
const WATCHERS = Number(process.env['BENCH_WATCHERS'] ?? 100);
const LARGE = Number(process.env['BENCH_LARGE'] ?? 100_000);

const ok = async <A>(t: TE.TaskEither<ApiError, A>): Promise<A> => {
  const r = await t();
  if (E.isLeft(r)) throw new Error(`${r.left.reason}: ${r.left.message}`);
  return r.right;
};

/** A pod shaped like the ones a task plugin creates: labels, annotations, env, resources. */
const pod = (i: number, namespace = 'bench'): KubeObject => ({
  ...POD,
  metadata: {
    name: `task-${i}`,
    namespace,
    labels: { 'app.kubernetes.io/managed-by': 'kubetasks', 'kubetasks.dev/execution': `exec-${i % 97}` },
    annotations: { 'kubetasks.dev/task': `project/domain/task-${i}` },
  },
  spec: {
    restartPolicy: 'Never',
    containers: [
      {
        name: 'main',
        image: 'ghcr.io/example/trainer:v1',
        args: ['python', '-m', 'app', '--input', `s3://bucket/inputs/${i}`],
        env: [
          { name: 'KUBETASKS_EXECUTION', value: `exec-${i}` },
          { name: 'KUBETASKS_ATTEMPT', value: '0' },
        ],
        resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } },
      },
    ],
  },
});

const ref = (i: number, namespace = 'bench') => ({ ...POD, namespace, name: `task-${i}` });

const fresh = (): MemoryCluster =>
  makeMemoryCluster({ clock: makeVirtualClock(), namespaces: ['bench'], garbageCollector: false });

interface Row {
  readonly what: string;
  readonly n: number;
  readonly ms: number;
}

const rows: Row[] = [];

const timed = async (what: string, n: number, f: (i: number) => Promise<unknown>): Promise<void> => {
  const start = performance.now();
  for (let i = 0; i < n; i++) await f(i);
  rows.push({ what, n, ms: performance.now() - start });
};

const gc = (): void => {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g === undefined) throw new Error('run with node --expose-gc');
  g();
  g();
};

/** Reads a stream until it has seen `n` events; resolves with the time of the last. */
const consume = async (s: WatchStream, n: number): Promise<number> => {
  let seen = 0;
  for await (const _ of s) {
    seen++;
    if (seen === n) break;
  }
  return performance.now();
};

const operations = async (): Promise<void> => {
  const cluster = fresh();
  await timed(`create (pods, ${OBJECTS} stored at the end)`, OBJECTS, (i) => ok(cluster.create(pod(i))));
  await timed('get', OBJECTS, (i) => ok(cluster.get(ref((i * 7919) % OBJECTS))));
  await timed('patch (merge, a label)', OBJECTS, (i) =>
    ok(cluster.patch(ref(i), { type: 'merge', body: { metadata: { labels: { step: String(i) } } } })),
  );
  await timed('patchStatus (strategic, conditions + containerStatuses)', OBJECTS, (i) =>
    ok(
      cluster.patchStatus(ref(i), {
        type: 'strategic',
        body: {
          status: {
            phase: 'Running',
            conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' }],
            containerStatuses: [
              {
                name: 'main',
                image: 'ghcr.io/example/trainer:v1',
                imageID: '',
                ready: true,
                restartCount: 0,
                state: { running: { startedAt: '2026-01-01T00:00:00Z' } },
              },
            ],
          },
        },
      }),
    ),
  );
  await timed('list (one namespace, label selector, 1/97 match)', 100, () =>
    ok(cluster.list(POD, { namespace: 'bench', labelSelector: 'kubetasks.dev/execution=exec-5' })),
  );
  await timed('delete (unbound pods: removed at once)', OBJECTS, (i) => ok(cluster.delete(ref(i))));
  cluster.close();
};

const fanOut = async (): Promise<void> => {
  const cluster = fresh();
  for (let i = 0; i < OBJECTS; i++) await ok(cluster.create(pod(i)));
  const from = cluster.resourceVersion();
  const streams = await Promise.all(
    Array.from({ length: WATCHERS }, () =>
      ok(cluster.watch(POD, { namespace: 'bench', resourceVersion: from })),
    ),
  );
  const writes = OBJECTS;
  const start = performance.now();
  const done = Promise.all(streams.map((s) => consume(s, writes)));
  for (let i = 0; i < writes; i++) {
    await ok(cluster.patch(ref(i), { type: 'merge', body: { metadata: { labels: { step: String(i) } } } }));
  }
  const ends = await done;
  const ms = Math.max(...ends) - start;
  rows.push({
    what: `watch fan-out: ${writes} patches to ${WATCHERS} watchers (events delivered)`,
    n: writes * WATCHERS,
    ms,
  });
  rows.push({ what: `  the same, counted as writes`, n: writes, ms });
  for (const s of streams) s.stop();
  cluster.close();
};

const memory = async (
  n: number,
): Promise<{ perPod: number; createMs: number; getUs: number; listMs: number }> => {
  gc();
  const before = process.memoryUsage().heapUsed;
  const cluster = fresh();
  const start = performance.now();
  // Ten namespaces, so a namespaced list reads a tenth of the store.
  for (let i = 0; i < 10; i++)
    await ok(cluster.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `ns-${i}` } }));
  for (let i = 0; i < n; i++) await ok(cluster.create(pod(i, `ns-${i % 10}`)));
  const createMs = performance.now() - start;
  gc();
  const after = process.memoryUsage().heapUsed;
  const g0 = performance.now();
  for (let i = 0; i < 10_000; i++) await ok(cluster.get(ref((i * 7919) % n, `ns-${((i * 7919) % n) % 10}`)));
  const getUs = ((performance.now() - g0) / 10_000) * 1000;
  const l0 = performance.now();
  const listed = await ok(cluster.list(POD, { namespace: 'ns-3' }));
  const listMs = performance.now() - l0;
  if (listed.items.length !== n / 10) throw new Error('list size');
  cluster.close();
  return { perPod: (after - before) / n, createMs, getUs, listMs };
};

const main = async (): Promise<void> => {
  await operations();
  await fanOut();
  const small = await memory(OBJECTS);
  const large = await memory(LARGE);
  const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');
  console.log(`Node ${process.version}, ${OBJECTS} objects, ${WATCHERS} watchers\n`);
  console.log('| operation | count | time (ms) | per second |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const r of rows)
    console.log(`| ${r.what} | ${fmt(r.n)} | ${fmt(r.ms)} | ${fmt((r.n / r.ms) * 1000)} |`);
  console.log('\n| store | heap per stored pod | create all (ms) | get (µs) | list one namespace (ms) |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const [n, m] of [
    [OBJECTS, small],
    [LARGE, large],
  ] as const) {
    console.log(
      `| ${fmt(n)} pods | ${(m.perPod / 1024).toFixed(1)} KiB | ${fmt(m.createMs)} | ${m.getUs.toFixed(1)} | ${m.listMs.toFixed(1)} |`,
    );
  }
};

await main();
