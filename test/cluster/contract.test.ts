// The cluster contract against the Kubernetes adapter and a real kube-apiserver + etcd, on the wall clock.
import { afterAll, beforeAll } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { systemClock } from '../../src/adapters/clock/system.js';
import { makeKubernetesCluster, type KubernetesCluster } from '../../src/adapters/kubernetes/index.js';
import { showApiError } from '../../src/domain/api-error.js';
import {
  clusterContract,
  contractCustomResourceDefinitions,
  contractKinds,
} from '../../src/testing/contract/index.js';
import { startControlPlane, type ControlPlane } from './control-plane.js';

let plane: ControlPlane | undefined;
let cluster: KubernetesCluster | undefined;

beforeAll(async () => {
  plane = await startControlPlane();
  cluster = makeKubernetesCluster({ kubeconfigPath: plane.kubeconfigPath });
  for (const crd of contractCustomResourceDefinitions()) {
    const created = await cluster.create(crd)();
    if (E.isLeft(created)) throw new Error(`installing ${crd.metadata?.name}: ${showApiError(created.left)}`);
  }
  // Established and in discovery: the adapter resolves kinds through discovery, so that is the readiness test.
  const deadline = Date.now() + 30_000;
  for (const kind of contractKinds) {
    for (;;) {
      const served = await cluster.serves(kind)();
      if (E.isRight(served) && served.right) break;
      if (Date.now() > deadline) throw new Error(`${kind.kind} not served within 30 s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  // A fresh apiserver's watch caches start near revision 1 and still hold every event, so nothing is "too old"
  // yet. A restart starts them at the current revision, as on any API server that has been up for a while.
  await plane.restartApiServer();
});

afterAll(async () => {
  cluster?.close();
  await plane?.stop();
});

clusterContract('kubernetes adapter on a real kube-apiserver', () => {
  if (cluster === undefined) return Promise.reject(new Error('the control plane did not start'));
  return Promise.resolve({ cluster, clock: systemClock, cleanup: () => Promise.resolve() });
});
