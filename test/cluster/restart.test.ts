// 100 tasks through the plugin manager while kube-apiserver restarts mid-run: right endings, nothing left, no twin.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { Manager } from '../../src/app/manager.js';
import { systemClock } from '../../src/adapters/clock/system.js';
import type { Kubelet } from '../../src/adapters/kubelet/index.js';
import { makeKubernetesCluster, type KubernetesCluster } from '../../src/adapters/kubernetes/index.js';
import type { PhaseInfo } from '../../src/domain/phase-info.js';
import { builtInRegistry } from '../../src/plugins/index.js';
import { startControlPlane, type ControlPlane } from './control-plane.js';
import { podsWithOurFinalizer, podTask, startFastKubelet, wallClockConfig } from './fixtures.js';
import { spyOn, type PortSpy } from './port-spy.js';

const NS = 'restart';
const TASKS = 100;
const BATCH = 10;
const BATCH_GAP_MS = 600;
/** Every fifth task fails with exit code 1 on both of its attempts (retries: 1). */
const failing = (i: number): boolean => i % 5 === 4;
const FINAL_BUDGET_MS = 60_000;

let plane: ControlPlane | undefined;
let cluster: KubernetesCluster | undefined;
let spy: PortSpy | undefined;
let kubelet: Kubelet | undefined;
let manager: Manager | undefined;

// A refused connection is a system failure, as in Flyte: the budget (10 tries, 0.5 s doubling to 3 s, about 25 s in
// all) must outlast the restart (about 10-15 s here), or tasks launched into it fail for good.
const config = wallClockConfig({
  'max-system-failures': 10,
  'system-failure-backoff': { 'base-duration': 500, 'max-duration': 3000, jitter: 0.2 },
});

const idOf = (i: number): string => `t${String(i).padStart(3, '0')}`;

const task = (i: number) =>
  podTask({
    namespace: NS,
    run: 'rs',
    action: idOf(i),
    scenario: failing(i) ? 'exit:1' : 'succeed',
    retries: failing(i) ? 1 : 0,
  });

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const waitFor = async (what: string, cond: () => boolean, budgetMs: number): Promise<void> => {
  const deadline = Date.now() + budgetMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
};

beforeAll(async () => {
  plane = await startControlPlane();
  cluster = makeKubernetesCluster({ kubeconfigPath: plane.kubeconfigPath });
  const ns = await cluster.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } })();
  if (E.isLeft(ns)) throw new Error(ns.left.message);
  kubelet = await startFastKubelet(cluster, NS);
  const registry = builtInRegistry();
  if (E.isLeft(registry)) throw new Error('registry');
  spy = spyOn(cluster);
  manager = new Manager({
    cluster: spy.port,
    clock: systemClock,
    registry: registry.right,
    config,
    namespace: NS,
  });
  await manager.start();
});

afterAll(async () => {
  await manager?.stop();
  await kubelet?.stop();
  cluster?.close();
  await plane?.stop();
});

describe('a kube-apiserver restart in the middle of 100 tasks', () => {
  it('every task ends right, no finalizer is left, no name is created twice', async () => {
    const started = Date.now();
    const finals = new Map<string, PhaseInfo>();
    manager!.subscribe((u) => {
      if (u.final) finals.set(u.taskId, u.phaseInfo);
    });

    const submitting = (async () => {
      for (let i = 0; i < TASKS; i++) {
        expect(manager!.submit(idOf(i), task(i))).toEqual(E.right(undefined));
        if (i % BATCH === BATCH - 1) await sleep(BATCH_GAP_MS);
      }
    })();

    await waitFor('a quarter of the tasks to finish', () => finals.size >= TASKS / 4, 60_000);
    const finishedBeforeRestart = finals.size;
    const restartStarted = Date.now();
    await plane!.restartApiServer();
    const restartMs = Date.now() - restartStarted;
    await submitting;

    const all = await Promise.race([
      Promise.all(Array.from({ length: TASKS }, (_, i) => manager!.awaitFinal(idOf(i)))),
      sleep(FINAL_BUDGET_MS).then(async () => {
        const missing = Array.from({ length: TASKS }, (_, i) => idOf(i)).filter((id) => !finals.has(id));
        const pods = await cluster!.list({ apiVersion: 'v1', kind: 'Pod' }, { namespace: NS })();
        const podLines = E.isLeft(pods)
          ? [pods.left.message]
          : pods.right.items
              .filter((p) => missing.some((id) => p.metadata?.name?.includes(id) === true))
              .map((p) => JSON.stringify({ meta: p.metadata, status: (p as { status?: unknown }).status }));
        throw new Error(
          [
            `not final after ${FINAL_BUDGET_MS} ms: ${missing.join(', ')}`,
            ...missing.map((id) => `${id}: ${JSON.stringify(manager!.state(id))}`),
            ...podLines,
            `errors: ${JSON.stringify(spy!.errors)}`,
          ].join('\n'),
        );
      }),
    ]);
    await manager!.idle();

    console.log(
      `restart: ${finishedBeforeRestart} of ${TASKS} final before the restart, restart took ${restartMs} ms, ` +
        `run took ${Date.now() - started} ms; errors seen by the manager: ${spy!.errors.length} ` +
        JSON.stringify(
          spy!.errors.reduce<Record<string, number>>((acc, e) => {
            const k = `${e.op}:${e.reason}`;
            acc[k] = (acc[k] ?? 0) + 1;
            return acc;
          }, {}),
        ),
    );
    // The restart really fell in the middle of the run.
    expect(finishedBeforeRestart).toBeGreaterThan(0);
    expect(finishedBeforeRestart).toBeLessThan(TASKS);

    all.forEach((final, i) => {
      if (failing(i)) {
        expect({ task: idOf(i), phase: final.phase, code: final.error?.code }).toEqual({
          task: idOf(i),
          phase: 'PermanentFailure',
          code: 'Error',
        });
      } else {
        expect({ task: idOf(i), phase: final.phase, error: final.error }).toEqual({
          task: idOf(i),
          phase: 'Success',
          error: undefined,
        });
      }
    });

    const twice = [...spy!.creates].filter(([, n]) => n > 1);
    expect(twice).toEqual([]);
    // One pod per attempt: 80 single attempts, 20 tasks with two; a system retry would add a (fresh) name.
    const failingCount = Array.from({ length: TASKS }, (_, i) => i).filter(failing).length;
    expect(spy!.creates.size).toBeGreaterThanOrEqual(TASKS + failingCount);

    expect(await podsWithOurFinalizer(cluster!, NS)).toEqual([]);
  });
});
