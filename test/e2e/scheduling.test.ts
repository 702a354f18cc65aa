// The pod plugin's scheduling constraints as the real kube-scheduler reads them, on the harness's spot-tainted and
// GPU KWOK nodes: GPU tasks land on GPU nodes, interruptible tasks on spot nodes and the others off them, and a task
// no node can take ends the way the pod plugin says an unschedulable pod ends.
import * as E from 'fp-ts/lib/Either.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/adapters/clock/system.js';
import { makeKubernetesCluster, type KubernetesCluster } from '../../src/adapters/kubernetes/index.js';
import { Manager } from '../../src/app/manager.js';
import type { KubeObject } from '../../src/domain/kubernetes.js';
import type { PlatformConfig } from '../../src/domain/platform-config.js';
import type { TaskExecution } from '../../src/domain/task.js';
import { builtInRegistry } from '../../src/plugins/index.js';
import { wallClockConfig } from '../cluster/fixtures.js';
import {
  GPU_ACCELERATOR,
  SPOT_TAINT_KEY,
  startFullControlPlane,
  type FullControlPlane,
} from './control-plane.js';

const NS = 'sched';
/** The spot nodes' label (the harness's fakeNode), which the platform config's node selector requirements name. */
const SPOT_LABEL = 'kubetasks.dev/lifecycle';
/** How long an unschedulable pod may stay pending: short, so the test is quick. */
const PENDING_TIMEOUT_MS = 3000;

let full: FullControlPlane | undefined;
let cluster: KubernetesCluster | undefined;
let manager: Manager | undefined;
/** The nodes by kind, read from the cluster (the harness's labels and taints). */
let gpuNodes: string[] = [];
let spotNodes: string[] = [];

/**
 * A platform config as a GPU cluster with spot nodes would have it (like examples/platform.yaml, with the harness's
 * keys): interruptible tasks tolerate the spot taint and must run on spot nodes, the others must not; GPU requests
 * tolerate the GPU nodes' `nvidia.com/gpu` taint; an unschedulable pod fails after a few seconds, and a system
 * failure is not retried.
 */
const config = (): PlatformConfig => {
  const base = wallClockConfig({ 'max-system-failures': 0 });
  return {
    ...base,
    plugins: {
      ...base.plugins,
      k8s: {
        ...base.plugins.k8s,
        'interruptible-tolerations': [
          { key: SPOT_TAINT_KEY, operator: 'Equal', value: 'true', effect: 'NoSchedule' },
        ],
        'interruptible-node-selector-requirement': { key: SPOT_LABEL, operator: 'In', values: ['spot'] },
        'non-interruptible-node-selector-requirement': { key: SPOT_LABEL, operator: 'DoesNotExist' },
        'add-tolerations-for-extended-resources': ['nvidia.com/gpu'],
        'pod-pending-timeout': PENDING_TIMEOUT_MS,
      },
    },
  };
};

beforeAll(async () => {
  full = await startFullControlPlane({ nodes: 10, trainingOperator: false });
  cluster = makeKubernetesCluster({ kubeconfigPath: full.plane.kubeconfigPath });
  const ns = await cluster.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } })();
  if (E.isLeft(ns)) throw new Error(ns.left.message);
  const nodes = await cluster.list({ apiVersion: 'v1', kind: 'Node' })();
  if (E.isLeft(nodes)) throw new Error(nodes.left.message);
  const named = (p: (n: KubeObject) => boolean): string[] =>
    nodes.right.items.filter(p).map((n) => n.metadata?.name ?? '');
  gpuNodes = named((n) => n.metadata?.labels?.['k8s.amazonaws.com/accelerator'] === GPU_ACCELERATOR);
  spotNodes = named((n) => n.metadata?.labels?.[SPOT_LABEL] === 'spot');
  const registry = builtInRegistry();
  if (E.isLeft(registry)) throw new Error('registry');
  manager = new Manager({
    cluster,
    clock: systemClock,
    registry: registry.right,
    config: config(),
    namespace: NS,
  });
  await manager.start();
});

afterAll(async () => {
  await manager?.stop();
  cluster?.close();
  await full?.stop();
});

const task = (
  action: string,
  o: { readonly interruptible?: boolean; readonly gpus?: number; readonly device?: string } = {},
): TaskExecution => ({
  task: {
    id: { name: action },
    type: 'container',
    metadata: { retries: 0, ...(o.interruptible === undefined ? {} : { interruptible: o.interruptible }) },
    container: {
      image: 'busybox:1.36',
      command: ['true'],
      resources: {
        requests: { cpu: '10m', memory: '16Mi' },
        ...(o.gpus === undefined ? {} : { limits: { gpu: String(o.gpus) } }),
      },
    },
    ...(o.device === undefined ? {} : { extendedResources: { gpuAccelerator: { device: o.device } } }),
  },
  execution: { id: { run: 'sched', action }, namespace: NS },
});

/** Runs the task to its final phase; returns it with the node its pod was bound to. */
const run = async (action: string, t: TaskExecution) => {
  expect(manager!.submit(action, t)).toEqual(E.right(undefined));
  const final = await manager!.awaitFinal(action);
  await manager!.idle();
  const pods = await cluster!.list({ apiVersion: 'v1', kind: 'Pod' }, { namespace: NS })();
  if (E.isLeft(pods)) throw new Error(pods.left.message);
  const pod = pods.right.items.find((p) => (p.metadata?.name ?? '').startsWith(`sched-${action}`));
  return {
    phase: final.phase,
    code: final.error?.code,
    message: final.error?.message ?? '',
    node: (pod as { spec?: { nodeName?: string } } | undefined)?.spec?.nodeName,
  };
};

describe('scheduling constraints on the real scheduler, on spot and GPU KWOK nodes', () => {
  it('the harness has GPU nodes and spot nodes apart', () => {
    expect(gpuNodes).toHaveLength(2);
    expect(spotNodes).toHaveLength(2);
    expect(gpuNodes.filter((n) => spotNodes.includes(n))).toEqual([]);
  });

  it('a GPU task (accelerator T4, one GPU) lands on a GPU node and succeeds', async () => {
    const got = await run('gpu', task('gpu', { gpus: 1, device: 'T4' }));
    expect(got).toMatchObject({ phase: 'Success' });
    expect(gpuNodes).toContain(got.node);
  });

  it('interruptible tasks land on spot nodes', async () => {
    const got = await Promise.all(
      [0, 1, 2].map((i) => run(`spot${i}`, task(`spot${i}`, { interruptible: true }))),
    );
    expect(got.map((g) => g.phase)).toEqual(['Success', 'Success', 'Success']);
    for (const g of got) expect(spotNodes).toContain(g.node);
  });

  it('non-interruptible tasks land on neither spot nor GPU nodes', async () => {
    const got = await Promise.all([0, 1, 2, 3, 4].map((i) => run(`od${i}`, task(`od${i}`))));
    expect(got.map((g) => g.phase)).toEqual(['Success', 'Success', 'Success', 'Success', 'Success']);
    for (const g of got) {
      expect(g.node).toMatch(/^kwok-node-/);
      expect([...spotNodes, ...gpuNodes]).not.toContain(g.node);
    }
  });

  // The pod plugin: PodScheduled=False is Queued with the scheduler's reason and message; past pod-pending-timeout it
  // is a SYSTEM RetryableFailure PodPendingTimeout (docs/phase-mapping.md, pending.unscheduled and pending.timeout),
  // and with no system failures left, PermanentFailure MaxSystemFailuresExceeded naming it.
  it.each([
    ['more GPUs than any node has', 'gpu16', { gpus: 16, device: 'T4' }, /Insufficient nvidia\.com\/gpu/],
    [
      'an interruptible GPU task (no GPU node is a spot node)',
      'spotgpu',
      { interruptible: true, gpus: 1, device: 'T4' },
      /didn't match Pod's node affinity\/selector/,
    ],
  ] as const)(
    "%s: Queued with the scheduler's message, then fails on the pending timeout",
    async (_what, action, o, why) => {
      const queued: string[] = [];
      const unsubscribe = manager!.subscribe((u) => {
        if (u.taskId === action && u.phaseInfo.phase === 'Queued') queued.push(u.phaseInfo.reason ?? '');
      });
      const started = Date.now();
      const got = await run(action, task(action, o));
      unsubscribe();
      // Printed so that docs/testing.md can quote the scheduler's words.
      console.log(`${action}: ${got.message}`);
      expect(got).toMatchObject({ phase: 'PermanentFailure', code: 'MaxSystemFailuresExceeded' });
      expect(got.message).toContain('PodPendingTimeout');
      expect(got.message).toMatch(/Unschedulable:0\/10 nodes are available/);
      expect(got.message).toMatch(why);
      expect(got.node).toBeUndefined();
      expect(queued.some((r) => /^Unschedulable:0\/10 nodes are available/.test(r))).toBe(true);
      expect(Date.now() - started).toBeGreaterThanOrEqual(PENDING_TIMEOUT_MS);
    },
  );
});
