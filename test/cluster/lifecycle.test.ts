// The plugin manager against a real kube-apiserver + etcd, with the simulated kubelet playing the node.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { Manager } from '../../src/app/manager.js';
import { isSettled } from '../../src/domain/lifecycle/step.js';
import { systemClock } from '../../src/adapters/clock/system.js';
import type { Kubelet } from '../../src/adapters/kubelet/index.js';
import { makeKubernetesCluster, type KubernetesCluster } from '../../src/adapters/kubernetes/index.js';
import { builtInRegistry } from '../../src/plugins/index.js';
import type { ClusterPort } from '../../src/ports/cluster.js';
import { abortingRegistry, STOPPED_LABEL, type AbortKind } from '../support/abort-plugins.js';
import { startControlPlane, type ControlPlane } from './control-plane.js';
import { podsWithOurFinalizer, podTask, startFastKubelet, wallClockConfig } from './fixtures.js';

const NS = 'lifecycle';
/** The abort-behaviour tests' namespace, with its own kubelet and one manager per case. */
const ABORT_NS = 'lifecycle-abort';
let abortKubelet: Kubelet | undefined;
/** The delete-on-finalize test's namespace, with its own kubelet and manager (as the bench runs it). */
const DELETE_NS = 'lifecycle-delete';
let deleteKubelet: Kubelet | undefined;
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
  const abortNs = await cluster.create({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: ABORT_NS },
  })();
  if (E.isLeft(abortNs)) throw new Error(abortNs.left.message);
  abortKubelet = await startFastKubelet(cluster, ABORT_NS);
  const deleteNs = await cluster.create({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: DELETE_NS },
  })();
  if (E.isLeft(deleteNs)) throw new Error(deleteNs.left.message);
  deleteKubelet = await startFastKubelet(cluster, DELETE_NS);
  const registry = builtInRegistry();
  if (E.isLeft(registry)) throw new Error('registry');
  manager = new Manager({ cluster, clock: systemClock, registry: registry.right, config, namespace: NS });
  await manager.start();
});

afterAll(async () => {
  await manager?.stop();
  await kubelet?.stop();
  await abortKubelet?.stop();
  await deleteKubelet?.stop();
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

  it.each([
    ['patch', false, 'true', true],
    ['update', false, 'true', true],
    ['bad-patch', false, undefined, true],
    ['bad-patch', true, undefined, false],
  ] as const)(
    "abort by the plugin's %s (deleteOnError=%s): label %s, pod kept: %s",
    async (kind: AbortKind, deleteOnError, label, kept) => {
      const m = new Manager({
        cluster: cluster!,
        clock: systemClock,
        registry: abortingRegistry(kind, deleteOnError),
        config: wallClockConfig({ 'max-system-failures': 2 }),
        namespace: ABORT_NS,
      });
      await m.start();
      try {
        const action = `${kind}-${String(deleteOnError)}`;
        m.submit(action, podTask({ namespace: ABORT_NS, run: 'ab', action, scenario: 'stuck-pending' }));
        await new Promise((resolve) => setTimeout(resolve, 1500));
        m.abort(action, 'test');
        expect((await m.awaitFinal(action)).phase).toBe('Aborted');
        await m.idle();
        // A delete (the kubelet confirms it) takes a moment; give it the time a wrong one would need.
        await new Promise((resolve) => setTimeout(resolve, 1000));
        const pod = await cluster!.get({
          apiVersion: 'v1',
          kind: 'Pod',
          namespace: ABORT_NS,
          name: `ab-${action}-0`,
        })();
        expect(E.isRight(pod)).toBe(kept);
        if (E.isRight(pod)) expect(pod.right.metadata?.labels?.[STOPPED_LABEL]).toBe(label);
        expect(await podsWithOurFinalizer(cluster!, ABORT_NS)).toEqual([]);
      } finally {
        await m.stop();
      }
    },
  );
});

describe('delete-resource-on-finalize on a real kube-apiserver', () => {
  it('settled means the pods are gone: stopped the moment every task settles (as the bench does), none is left', async () => {
    const registry = builtInRegistry();
    if (E.isLeft(registry)) throw new Error('registry');
    const own = makeKubernetesCluster({ kubeconfigPath: plane!.kubeconfigPath });
    // DELETEs wait in the client before they go, as they did behind the bench's cap of 64 requests in flight with
    // 1,000 tasks (3 pods were left, Succeeded, without our finalizer or deletionTimestamp); once the process has
    // exited, nothing more goes.
    let exited = false;
    const port: ClusterPort = {
      ...own,
      delete: (ref, opts) => () =>
        new Promise((resolve) => setTimeout(resolve, 300)).then(() =>
          exited ? new Promise<never>(() => undefined) : own.delete(ref, opts)(),
        ),
    };
    const m = new Manager({
      cluster: port,
      clock: systemClock,
      registry: registry.right,
      config: {
        ...config,
        plugins: { ...config.plugins, k8s: { ...config.plugins.k8s, 'delete-resource-on-finalize': true } },
      },
      namespace: DELETE_NS,
    });
    await m.start();
    const ids = Array.from({ length: 10 }, (_, i) => `d${i}`);
    for (const id of ids) {
      const t = podTask({ namespace: DELETE_NS, run: 'rd', action: id, scenario: 'succeed' });
      expect(m.submit(id, t)).toEqual(E.right(undefined));
    }
    const allSettled = (): boolean =>
      ids.every((id) => {
        const s = m.state(id);
        return s !== undefined && isSettled(s);
      });
    while (!allSettled()) await new Promise((resolve) => setTimeout(resolve, 20));
    const pods = async (): Promise<unknown> => {
      const r = await cluster!.list({ apiVersion: 'v1', kind: 'Pod' }, { namespace: DELETE_NS })();
      return E.isRight(r) && r.right.items.map((p) => p.metadata?.name);
    };
    expect(await pods()).toEqual([]);
    await m.stop();
    exited = true;
    own.close();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await pods()).toEqual([]);
  });
});
