// The real-cluster adapter for the commands that reach a cluster, imported on first use: its kubeconfig reader
// (@kubernetes/client-node, some 800 modules) was two thirds of every CLI start, `--help` and `render` included.
import type * as E from 'fp-ts/lib/Either.js';
import type { KubernetesCluster, KubernetesClusterOptions } from '../adapters/kubernetes/index.js';

/** `loadKubernetesCluster` of `kubetasks/adapters/kubernetes`, with the adapter loaded when it is first needed. */
export const loadKubernetesCluster = async (
  options: KubernetesClusterOptions = {},
): Promise<E.Either<Error, KubernetesCluster>> =>
  (await import('../adapters/kubernetes/index.js')).loadKubernetesCluster(options);
