// The plugins with no status written by kubetasks: pods run on KWOK nodes through the real scheduler, Jobs through
// the real Job controller, training jobs through the real Kubeflow training operator, cleanup by the real garbage
// collector. Each task ends in the phase and error code the simulated kubelet and operators give it.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as E from 'fp-ts/lib/Either.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Manager } from '../../src/app/manager.js';
import { loadTaskExecution } from '../../src/app/inputs.js';
import { systemClock } from '../../src/adapters/clock/system.js';
import { makeKubernetesCluster, type KubernetesCluster } from '../../src/adapters/kubernetes/index.js';
import type { KubeObject } from '../../src/domain/kubernetes.js';
import type { TaskExecution } from '../../src/domain/task.js';
import { builtInRegistry } from '../../src/plugins/index.js';
import { podsWithOurFinalizer, podTask, wallClockConfig } from '../cluster/fixtures.js';
import { eventually, startFullControlPlane, type FullControlPlane } from './control-plane.js';

const NS = 'e2e';
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

let full: FullControlPlane | undefined;
let cluster: KubernetesCluster | undefined;
let manager: Manager | undefined;

beforeAll(async () => {
  full = await startFullControlPlane({ nodes: 10 });
  cluster = makeKubernetesCluster({ kubeconfigPath: full.plane.kubeconfigPath });
  const ns = await cluster.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } })();
  if (E.isLeft(ns)) throw new Error(ns.left.message);
  const registry = builtInRegistry();
  if (E.isLeft(registry)) throw new Error('registry');
  manager = new Manager({
    cluster,
    clock: systemClock,
    registry: registry.right,
    // The GPU nodes are tainted nvidia.com/gpu (as on EKS and GKE); the example PyTorch workers ask for a GPU.
    config: (() => {
      const c = wallClockConfig();
      return {
        ...c,
        plugins: {
          ...c.plugins,
          k8s: { ...c.plugins.k8s, 'add-tolerations-for-extended-resources': ['nvidia.com/gpu'] },
        },
      };
    })(),
    namespace: NS,
  });
  await manager.start();
});

afterAll(async () => {
  await manager?.stop();
  cluster?.close();
  await full?.stop();
});

const list = async (apiVersion: string, kind: string): Promise<KubeObject[]> => {
  const r = await cluster!.list({ apiVersion, kind }, { namespace: NS })();
  if (E.isLeft(r)) throw new Error(r.left.message);
  return [...r.right.items];
};

const podsOfRun = async (run: string): Promise<KubeObject[]> =>
  (await list('v1', 'Pod')).filter((p) => (p.metadata?.name ?? '').startsWith(run));

/**
 * The example task, moved to the e2e namespace and run. The scenario goes in `e2e.kubetasks.dev/scenario`: the
 * plugins keep kubetasks' own `kubetasks.dev/` annotations off pod templates, and the real controllers copy only
 * the templates' annotations to pods (the simulated operators read the scenario off the resource instead).
 */
const example = (file: string, run: string, scenario: string, retries?: number): TaskExecution => {
  const loaded = loadTaskExecution(file, fs.readFileSync(path.join(repoRoot, file), 'utf8'));
  if (E.isLeft(loaded)) throw new Error(`${file} does not decode`);
  const t = loaded.right;
  return {
    ...t,
    task: {
      ...t.task,
      ...(retries === undefined ? {} : { metadata: { ...t.task.metadata, retries } }),
    },
    execution: {
      ...t.execution,
      namespace: NS,
      id: { ...t.execution.id, run },
      annotations: { ...t.execution.annotations, 'e2e.kubetasks.dev/scenario': scenario },
    },
  };
};

const run = async (id: string, task: TaskExecution) => {
  expect(manager!.submit(id, task)).toEqual(E.right(undefined));
  const final = await manager!.awaitFinal(id);
  await manager!.idle();
  return { phase: final.phase, code: final.error?.code };
};

// What each plugin's tests (and `kubetasks run --scenario`, on the simulated kubelet and operators) expect.
const outcomes = [
  ['succeed', 'Success', undefined],
  ['exit:1', 'PermanentFailure', 'Error'],
  ['oom', 'PermanentFailure', 'OOMKilled'],
] as const;

describe('pod plugin on KWOK nodes through the real scheduler', () => {
  it.each(outcomes)('%s ends %s %s, on a KWOK node, leaving no finalizer', async (scenario, phase, code) => {
    const action = `pod-${scenario.replace(/[^a-z0-9]/g, '')}`;
    const t = podTask({ namespace: NS, run: 'pod', action, scenario });
    expect(await run(action, t)).toEqual({ phase, code });
    const pods = await podsOfRun(`pod-${action}`);
    expect(pods.map((p) => (p as { spec?: { nodeName?: string } }).spec?.nodeName)).toEqual([
      expect.stringMatching(/^kwok-node-/),
    ]);
    expect(await podsWithOurFinalizer(cluster!, NS)).toEqual([]);
  });

  it('image-pull-backoff ends PermanentFailure once the grace period is over', async () => {
    const t = podTask({ namespace: NS, run: 'pod', action: 'pull', scenario: 'image-pull-backoff' });
    const got = await run('pull', t);
    expect(got.phase).toBe('PermanentFailure');
    expect(got.code).toMatch(/ImagePullBackOff/);
  });

  it('aborts a pending task; KWOK confirms the delete and no finalizer is left', async () => {
    const t = podTask({ namespace: NS, run: 'pod', action: 'stuck', scenario: 'stuck-pending' });
    manager!.submit('stuck', t);
    await eventually('the stuck pod is bound', async () =>
      (await podsOfRun('pod-stuck')).some((p) => (p as { spec?: { nodeName?: string } }).spec?.nodeName),
    );
    manager!.abort('stuck', 'test');
    expect((await manager!.awaitFinal('stuck')).phase).toBe('Aborted');
    await manager!.idle();
    await eventually('the pod is gone', async () => (await podsOfRun('pod-stuck')).length === 0);
    expect(await podsWithOurFinalizer(cluster!, NS)).toEqual([]);
  });
});

describe('batch-job through the real Job controller', () => {
  it.each([
    ['succeed', 'Success', undefined],
    ['exit:1', 'PermanentFailure', 'BackoffLimitExceeded'],
    ['oom', 'PermanentFailure', 'BackoffLimitExceeded'],
  ] as const)('%s ends %s %s', async (scenario, phase, code) => {
    const runName = `job${scenario.replace(/[^a-z0-9]/g, '')}`;
    expect(await run(runName, example('examples/job/retries.yaml', runName, scenario, 0))).toEqual({
      phase,
      code,
    });
  });

  it('abort deletes the Job and the real garbage collector deletes its pods', async () => {
    manager!.submit('jobabort', example('examples/job/retries.yaml', 'jobabort', 'stuck-pending', 0));
    await eventually('the Job has a pod', async () => (await podsOfRun('jobabort')).length > 0);
    manager!.abort('jobabort', 'test');
    expect((await manager!.awaitFinal('jobabort')).phase).toBe('Aborted');
    await manager!.idle();
    await eventually('the Job is gone', async () =>
      (await list('batch/v1', 'Job')).every((j) => !(j.metadata?.name ?? '').startsWith('jobabort')),
    );
    await eventually('its pods are gone', async () => (await podsOfRun('jobabort')).length === 0);
  });
});

describe.each([
  ['pytorch', 'examples/kubeflow/pytorch.yaml', 'PyTorchJob', 5],
  ['tensorflow', 'examples/kubeflow/tensorflow.yaml', 'TFJob', 4],
  ['mpi', 'examples/kubeflow/mpi.yaml', 'MPIJob', 4],
] as const)('%s through the real training operator', (type, file, kind, podCount) => {
  it.each(outcomes)('%s ends %s %s', async (scenario, phase, code) => {
    const runName = `${type.slice(0, 2)}${scenario.replace(/[^a-z0-9]/g, '')}`;
    expect(await run(runName, example(file, runName, scenario))).toEqual({ phase, code });
  });

  it(`abort deletes the ${kind} and the real garbage collector deletes its pods`, async () => {
    const runName = `${type.slice(0, 2)}abort`;
    manager!.submit(runName, example(file, runName, 'stuck-pending'));
    // Every pod of the example is placed (the PyTorch workers' GPUs only on the GPU nodes, whose taint they must
    // tolerate); the success and failure cases above can end on the master alone.
    await eventually(`all ${podCount} pods are bound to nodes`, async () => {
      const pods = await podsOfRun(runName);
      return (
        pods.length === podCount &&
        pods.every((p) => (p as { spec?: { nodeName?: string } }).spec?.nodeName !== undefined)
      );
    });
    manager!.abort(runName, 'test');
    expect((await manager!.awaitFinal(runName)).phase).toBe('Aborted');
    await manager!.idle();
    await eventually(`the ${kind} is gone`, async () =>
      (await list('kubeflow.org/v1', kind)).every((j) => !(j.metadata?.name ?? '').startsWith(runName)),
    );
    await eventually('its pods are gone', async () => (await podsOfRun(runName)).length === 0);
  });
});
