// The plugin manager against a real kube-apiserver + etcd, with the simulated kubelet playing the node.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { Manager } from '../../src/app/manager.js';
import { systemClock } from '../../src/adapters/clock/system.js';
import { startKubelet, type Kubelet } from '../../src/adapters/kubelet/index.js';
import { makeKubernetesCluster, type KubernetesCluster } from '../../src/adapters/kubernetes/index.js';
import { defaultPlatformConfig, type PlatformConfig } from '../../src/domain/platform-config.js';
import type { TaskExecution } from '../../src/domain/task.js';
import { builtInRegistry } from '../../src/plugins/index.js';
import { startControlPlane, type ControlPlane } from './control-plane.js';

const NS = 'lifecycle';
let plane: ControlPlane | undefined;
let cluster: KubernetesCluster | undefined;
let kubelet: Kubelet | undefined;
let manager: Manager | undefined;

const config: PlatformConfig = {
  ...defaultPlatformConfig,
  plugins: {
    k8s: {
      ...defaultPlatformConfig.plugins.k8s,
      'inject-finalizer': true,
      // Wall-clock time here: keep the grace periods short.
      'image-pull-backoff-grace-period': 3000,
    },
  },
  executor: {
    ...defaultPlatformConfig.executor,
    'resync-period': 1000,
    'system-failure-backoff': { 'base-duration': 200, 'max-duration': 1000, jitter: 0.2 },
  },
};

const task = (action: string, scenario: string, retries = 0): TaskExecution => ({
  task: {
    id: { name: action },
    type: 'container',
    metadata: { retries },
    container: {
      image: 'busybox:1.36',
      command: ['true'],
      resources: { requests: { cpu: '10m', memory: '16Mi' } },
    },
  },
  execution: {
    id: { run: 'rc', action },
    namespace: NS,
    annotations: { 'kubetasks.dev/scenario': scenario },
  },
});

beforeAll(async () => {
  plane = await startControlPlane();
  cluster = makeKubernetesCluster({ kubeconfigPath: plane.kubeconfigPath });
  const ns = await cluster.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } })();
  if (E.isLeft(ns)) throw new Error(ns.left.message);
  kubelet = startKubelet({
    cluster,
    clock: systemClock,
    namespace: NS,
    durations: { pendingMs: 200, runMs: 300, initMs: 100 },
    backoffMs: 500,
    terminationMs: 100,
  });
  await kubelet.ready();
  const registry = builtInRegistry();
  if (E.isLeft(registry)) throw new Error('registry');
  manager = new Manager({ cluster, clock: systemClock, registry: registry.right, config, namespace: NS });
  await manager.start();
});

afterAll(async () => {
  await manager?.stop();
  await kubelet?.stop();
  cluster?.close();
  await plane?.stop();
});

const ourFinalizers = async (): Promise<string[]> => {
  const r = await cluster!.list({ apiVersion: 'v1', kind: 'Pod' }, { namespace: NS })();
  if (E.isLeft(r)) throw new Error(r.left.message);
  return r.right.items
    .filter((p) => p.metadata?.finalizers?.includes('kubetasks.dev/resource') === true)
    .map((p) => p.metadata?.name ?? '');
};

describe('plugin manager on a real kube-apiserver', () => {
  it.each([
    ['ok', 'succeed', 0, 'Success', undefined],
    ['fails', 'exit:2', 1, 'PermanentFailure', 'Error'],
    ['oom', 'oom', 0, 'PermanentFailure', 'OOMKilled'],
    ['pull', 'image-pull-backoff', 0, 'PermanentFailure', 'ContainersNotReady|ImagePullBackOff'],
  ] as const)('%s: %s ends %s %s, leaving no finalizer', async (action, scenario, retries, phase, code) => {
    expect(manager!.submit(action, task(action, scenario, retries))).toEqual(E.right(undefined));
    const final = await manager!.awaitFinal(action);
    await manager!.idle();
    expect(final.phase).toBe(phase);
    if (code !== undefined) expect(final.error?.code).toBe(code);
    expect(await ourFinalizers()).toEqual([]);
  });

  it('aborts a running task and deletes its pod', async () => {
    manager!.submit('stuck', task('stuck', 'stuck-pending'));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    manager!.abort('stuck', 'test');
    const final = await manager!.awaitFinal('stuck');
    await manager!.idle();
    expect(final.phase).toBe('Aborted');
    expect(await ourFinalizers()).toEqual([]);
  });
});
