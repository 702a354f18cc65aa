// The real-cluster adapter (`kubetasks/adapters/kubernetes`): the cluster port against a Kubernetes API server.
/**
 * The cluster port against a real API server, configured from a kubeconfig or the pod's service account.
 *
 * @module kubetasks/adapters/kubernetes
 */
import * as E from 'fp-ts/lib/Either.js';
import type { ClusterPort } from '../../ports/cluster.js';
import { makeClusterPort, type WatchSettings } from './cluster.js';
import { loadConnection, type ConnectionSource } from './config.js';
import { makeDiscovery } from './discovery.js';
import {
  DEFAULT_MAX_REQUESTS_IN_FLIGHT,
  makeTransport,
  type TransportOptions,
  type TransportStats,
} from './transport.js';

export { DEFAULT_MAX_REQUESTS_IN_FLIGHT };
export type { ConnectionSource, TransportOptions, TransportStats, WatchSettings };

/**
 * Everything `makeKubernetesCluster` can be told: where the connection settings come from, how HTTP requests
 * behave and how watches are kept alive. Every field is optional; the defaults suit one controller against
 * one cluster.
 */
export interface KubernetesClusterOptions extends ConnectionSource, TransportOptions, WatchSettings {}

/** The port plus what a caller of a real cluster needs to know about the connection. */
export interface KubernetesCluster extends ClusterPort {
  /** The API server URL from the kubeconfig. */
  readonly server: string;
  /** The kubeconfig context in use. */
  readonly contextName: string;
  /** The context's namespace (`default` when it names none): where objects go unless told otherwise. */
  readonly defaultNamespace: string;
  /** Request, retry and connection counters since creation. */
  readonly stats: () => TransportStats & { readonly discoveryRequests: number };
  /** Closes idle keep-alive connections so the process can exit; stop open watches first. */
  readonly close: () => void;
}

/**
 * A cluster port for the API server named by a kubeconfig (file, `$KUBECONFIG`, `~/.kube/config`, or the pod's
 * service account). Throws when the configuration is missing or unusable; nothing is sent until the first call.
 */
export const makeKubernetesCluster = (options: KubernetesClusterOptions = {}): KubernetesCluster => {
  const connection = loadConnection(options);
  const transport = makeTransport(connection, options);
  const discovery = makeDiscovery(transport);
  return {
    ...makeClusterPort(transport, discovery, options),
    server: connection.server,
    contextName: connection.contextName,
    defaultNamespace: connection.namespace,
    stats: () => ({ ...transport.stats(), discoveryRequests: discovery.fetches() }),
    close: transport.close,
  };
};

/** `makeKubernetesCluster` with configuration errors as a Left. */
export const loadKubernetesCluster = (
  options: KubernetesClusterOptions = {},
): E.Either<Error, KubernetesCluster> =>
  E.tryCatch(
    () => makeKubernetesCluster(options),
    (e) => (e instanceof Error ? e : new Error(String(e))),
  );
