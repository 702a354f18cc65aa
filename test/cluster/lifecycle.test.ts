// The plugin manager against a real kube-apiserver + etcd, with the simulated kubelet playing the node.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { Manager } from '../../src/app/manager.js';
import { systemClock } from '../../src/adapters/clock/system.js';
import type { Kubelet } from '../../src/adapters/kubelet/index.js';
import { makeKubernetesCluster, type KubernetesCluster } from '../../src/adapters/kubernetes/index.js';
import { builtInRegistry } from '../../src/plugins/index.js';
import { startControlPlane, type ControlPlane } from './control-plane.js';
import { podsWithOurFinalizer, podTask, startFastKubelet, wallClockConfig } from './fixtures.js';

const NS = 'lifecycle';
let plane: ControlPlane | undefined;
let cluster: KubernetesCluster | undefined;
let kubelet: Kubelet | undefined;
let manager: Manager | undefined;

const config = wallClockConfig();

const task = (action: string, scenario: string, retries = 0) =>
  podTask({ namespace: NS, run: 'rc', action, scenario, retries });

beforeAll(async () => {
  plane = await startControlPlane();
  cluster = makeKubernetesCluster({ kubeconfigPath: plane.kubeconfigPath });
  const ns = await cluster.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } })();
  if (E.isLeft(ns)) throw new Error(ns.left.message);
  kubelet = await startFastKubelet(cluster, NS);
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

const ourFinalizers = (): Promise<string[]> => podsWithOurFinalizer(cluster!, NS);

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
