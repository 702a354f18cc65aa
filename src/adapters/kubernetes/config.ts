// Kubeconfig loading through @kubernetes/client-node, reduced to what a request needs: server, TLS material, headers.
import * as fs from 'node:fs';
import type * as http from 'node:http';
import type * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';

/** Where the connection settings come from. At most one of `kubeconfig`, `kubeconfigPath` and `inCluster`. */
export interface ConnectionSource {
  /** A kubeconfig file. Default: `$KUBECONFIG` (a path list, merged), then `~/.kube/config`, then in-cluster. */
  readonly kubeconfigPath?: string;
  /** Kubeconfig YAML text, for callers that hold it in memory. */
  readonly kubeconfig?: string;
  /** The context to use instead of the file's current-context. */
  readonly context?: string;
  /** Use the pod's service account (KUBERNETES_SERVICE_HOST/PORT and /var/run/secrets/kubernetes.io/serviceaccount). */
  readonly inCluster?: boolean;
}

/** The TLS options and headers one request needs, as Node's https module takes them. */
export interface RequestAuth {
  readonly tls: Pick<
    https.RequestOptions,
    'ca' | 'cert' | 'key' | 'pfx' | 'passphrase' | 'rejectUnauthorized' | 'servername'
  >;
  readonly headers: Readonly<Record<string, string>>;
  /** `user:password` for basic auth. */
  readonly basicAuth?: string;
  /** Set only when the cluster goes through a proxy (`proxy-url`): client-node's agent for it. */
  readonly proxyAgent?: http.Agent;
}

export interface Connection {
  /** `https://host:port` plus any path prefix, without a trailing slash. */
  readonly server: string;
  readonly contextName: string;
  /** The context's namespace, or `default`. */
  readonly namespace: string;
  /**
   * Auth for the next request. Asked per request so rotating credentials (service-account token files, exec
   * plugins, OIDC refresh) stay current; client-node caches them internally.
   */
  readonly authorize: () => Promise<RequestAuth>;
}

const serviceAccountDir = '/var/run/secrets/kubernetes.io/serviceaccount';

const exists = (file: string): boolean => {
  try {
    fs.accessSync(file);
    return true;
  } catch {
    return false;
  }
};

const loadInCluster = (kc: KubeConfig): void => {
  if (
    (process.env['KUBERNETES_SERVICE_HOST'] ?? '') === '' ||
    (process.env['KUBERNETES_SERVICE_PORT'] ?? '') === ''
  )
    throw new Error('in-cluster config: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set');
  if (!exists(path.join(serviceAccountDir, 'token')))
    throw new Error(`in-cluster config: no service account token in ${serviceAccountDir}`);
  kc.loadFromCluster();
};

// client-node's loadFromDefault ends in a silent http://localhost:8080 fallback; a missing config is an error here.
const loadDefault = (kc: KubeConfig): void => {
  const fromEnv = (process.env['KUBECONFIG'] ?? '').split(path.delimiter).filter((f) => f !== '');
  if (fromEnv.length > 0) {
    kc.loadFromDefault();
    return;
  }
  const home = path.join(os.homedir(), '.kube', 'config');
  if (exists(home)) {
    kc.loadFromFile(home);
    return;
  }
  if (exists(path.join(serviceAccountDir, 'token'))) {
    loadInCluster(kc);
    return;
  }
  throw new Error(`no kubeconfig: KUBECONFIG is unset, ${home} does not exist and this is not a pod`);
};

/** Loads and checks the configuration; throws a readable Error when it is missing or inconsistent. */
export const loadConnection = (source: ConnectionSource): Connection => {
  const given = [
    source.kubeconfig,
    source.kubeconfigPath,
    source.inCluster === true ? true : undefined,
  ].filter((x) => x !== undefined);
  if (given.length > 1) throw new Error('give at most one of kubeconfig, kubeconfigPath and inCluster');
  const kc = new KubeConfig();
  if (source.kubeconfig !== undefined) kc.loadFromString(source.kubeconfig);
  else if (source.kubeconfigPath !== undefined) kc.loadFromFile(source.kubeconfigPath);
  else if (source.inCluster === true) loadInCluster(kc);
  else loadDefault(kc);

  if (source.context !== undefined) {
    if (kc.getContextObject(source.context) === null)
      throw new Error(`kubeconfig has no context "${source.context}"`);
    kc.setCurrentContext(source.context);
  }
  const contextName = kc.getCurrentContext();
  const context = kc.getContextObject(contextName);
  if (context === null) throw new Error(`kubeconfig: current context "${contextName}" not found`);
  const cluster = kc.getCurrentCluster();
  if (cluster === null)
    throw new Error(`kubeconfig: cluster "${context.cluster}" of context "${contextName}" not found`);
  if (kc.getCurrentUser() === null)
    throw new Error(`kubeconfig: user "${context.user}" of context "${contextName}" not found`);
  const server = cluster.server.replace(/\/+$/, '');
  if (!/^https?:\/\//.test(server))
    throw new Error(`kubeconfig: server "${cluster.server}" is not an http(s) URL`);
  // client-node's own rule: plain HTTP only when the kubeconfig explicitly gives up on TLS verification.
  if (server.startsWith('http:') && !cluster.skipTLSVerify)
    throw new Error('HTTP protocol is not allowed when skipTLSVerify is not set or false');
  const viaProxy = cluster.proxyUrl !== undefined && cluster.proxyUrl !== '';

  const authorize = async (): Promise<RequestAuth> => {
    const opts: https.RequestOptions = {};
    await kc.applyToHTTPSOptions(opts);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(opts.headers ?? {})) {
      if (typeof v === 'string' || typeof v === 'number') headers[k] = String(v);
      else if (Array.isArray(v)) headers[k] = v.join(', ');
    }
    const tls: RequestAuth['tls'] = {
      ...(opts.ca === undefined ? {} : { ca: opts.ca }),
      ...(opts.cert === undefined ? {} : { cert: opts.cert }),
      ...(opts.key === undefined ? {} : { key: opts.key }),
      ...(opts.pfx === undefined ? {} : { pfx: opts.pfx }),
      ...(opts.passphrase === undefined ? {} : { passphrase: opts.passphrase }),
      ...(opts.rejectUnauthorized === undefined ? {} : { rejectUnauthorized: opts.rejectUnauthorized }),
      ...(opts.servername === undefined ? {} : { servername: opts.servername }),
    };
    // applyToHTTPSOptions builds a fresh agent every call (client-node 1.x's socket leak); only a proxy agent is
    // worth keeping, everything else goes through the adapter's keep-alive pools.
    const agent = opts.agent;
    return {
      tls,
      headers,
      ...(opts.auth === undefined || opts.auth === null ? {} : { basicAuth: opts.auth }),
      ...(viaProxy && typeof agent === 'object' ? { proxyAgent: agent } : {}),
    };
  };

  return {
    server,
    contextName,
    namespace:
      context.namespace === undefined || context.namespace === '' ? 'default' : context.namespace.trim(),
    authorize,
  };
};
