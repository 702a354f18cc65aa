// The side-by-side suites' cluster: a full control plane, a real and a simulated namespace, and the simulated kubelet.
import * as E from 'fp-ts/lib/Either.js';
import { systemClock } from '../../src/adapters/clock/system.js';
import { startKubelet, type Kubelet } from '../../src/adapters/kubelet/index.js';
import { makeKubernetesCluster, type KubernetesCluster } from '../../src/adapters/kubernetes/index.js';
import {
  startFullControlPlane,
  type FullControlPlane,
  type FullControlPlaneOptions,
} from './control-plane.js';

/** The simulated kubelet schedules only pods naming this scheduler, so the real scheduler leaves them alone. */
export const SIM_SCHEDULER = 'kubetasks-sim';

export interface SideBySideOptions {
  /** The namespace the real scheduler, KWOK and (where started) the real controllers run in. */
  readonly real: string;
  /** The namespace the simulated kubelet (and whatever simulated operators a suite adds) run in. */
  readonly sim: string;
  readonly plane: FullControlPlaneOptions;
  /** The simulated kubelet's pending and running durations, for pods whose annotations do not set them. */
  readonly pendingMs: number;
  readonly runMs: number;
}

/** A running side-by-side cluster; `stop` stops the kubelet, closes the client and stops the control plane. */
export interface SideBySide {
  readonly full: FullControlPlane;
  readonly cluster: KubernetesCluster;
  readonly kubelet: Kubelet;
  readonly stop: () => Promise<void>;
}

/**
 * Starts the control plane, creates both namespaces and starts the simulated kubelet on `sim` (no node of its own:
 * it takes only pods naming SIM_SCHEDULER); resolves once the kubelet is ready. A failed start stops what it began.
 */
export const startSideBySide = async (o: SideBySideOptions): Promise<SideBySide> => {
  const full = await startFullControlPlane(o.plane);
  const cluster = makeKubernetesCluster({ kubeconfigPath: full.plane.kubeconfigPath });
  let kubelet: Kubelet | undefined;
  const stop = async (): Promise<void> => {
    await kubelet?.stop();
    cluster.close();
    await full.stop();
  };
  try {
    for (const name of [o.real, o.sim]) {
      const ns = await cluster.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })();
      if (E.isLeft(ns)) throw new Error(ns.left.message);
    }
    kubelet = startKubelet({
      cluster,
      clock: systemClock,
      namespace: o.sim,
      schedulerName: SIM_SCHEDULER,
      registerNode: false,
      durations: { pendingMs: o.pendingMs, runMs: o.runMs, initMs: 100 },
      backoffMs: 1000,
      terminationMs: 100,
    });
    await kubelet.ready();
    return { full, cluster, kubelet, stop };
  } catch (e) {
    await stop();
    throw e;
  }
};
