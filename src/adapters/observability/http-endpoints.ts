// The controller's HTTP endpoints on node:http: /healthz and /readyz (probes) and /metrics (prom-client).
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** An address as the controller's flags take it: `:8081` (every interface), `127.0.0.1:0` (a free port). */
export interface ListenAddress {
  readonly host: string | undefined;
  readonly port: number;
}

/** Parses `[host]:port`; undefined when it is not one. */
export const parseListenAddress = (s: string): ListenAddress | undefined => {
  const i = s.lastIndexOf(':');
  if (i < 0) return undefined;
  const host = s.slice(0, i).replace(/^\[(.*)\]$/u, '$1');
  const portText = s.slice(i + 1);
  const port = Number(portText);
  if (!/^\d+$/u.test(portText) || port > 65535) return undefined;
  return { host: host === '' ? undefined : host, port };
};

/** What the endpoints serve, and where. */
export interface EndpointOptions {
  /** Where /healthz and /readyz are served. */
  readonly health: ListenAddress;
  /** Where /metrics is served; the same address as `health` serves all three from one server. */
  readonly metrics: ListenAddress;
  /** The liveness check behind /healthz (the controller's loop runs). */
  readonly healthy: () => boolean;
  /** The readiness check behind /readyz (the controller's cache has synced). */
  readonly ready: () => boolean;
  readonly registry: Registry;
}

/** The running servers: the ports they bound (useful with port 0), and how to close them. */
export interface Endpoints {
  readonly healthPort: number;
  readonly metricsPort: number;
  /** Stops listening and closes open connections. */
  readonly close: () => Promise<void>;
}

const listen = (server: http.Server, at: ListenAddress): Promise<number> =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(at.port, at.host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });

const close = (server: http.Server): Promise<void> =>
  new Promise((resolve) => {
    server.close(() => {
      resolve();
    });
    server.closeAllConnections();
  });

/**
 * Serves the probes and the metrics, as controller-runtime does: 200 `ok` while the check holds, 500 with the
 * failed check's name otherwise; /metrics in Prometheus' text format. Anything else is 404.
 */
export const serveEndpoints = async (o: EndpointOptions): Promise<Endpoints> => {
  const probe = (res: http.ServerResponse, name: string, ok: boolean): void => {
    res.writeHead(ok ? 200 : 500, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(ok ? 'ok' : `[-]${name} failed: not ${name === 'readyz' ? 'ready' : 'healthy'}`);
  };
  const handler =
    (health: boolean, metrics: boolean) =>
    (req: http.IncomingMessage, res: http.ServerResponse): void => {
      const path = (req.url ?? '/').split('?')[0];
      if (health && path === '/healthz') {
        probe(res, 'healthz', o.healthy());
        return;
      }
      if (health && path === '/readyz') {
        probe(res, 'readyz', o.ready());
        return;
      }
      if (metrics && path === '/metrics') {
        void o.registry.metrics().then(
          (text) => {
            res.writeHead(200, { 'Content-Type': o.registry.contentType });
            res.end(text);
          },
          (e: unknown) => {
            res.writeHead(500);
            res.end(String(e));
          },
        );
        return;
      }
      res.writeHead(404);
      res.end();
    };
  const shared = o.health.port === o.metrics.port && o.health.host === o.metrics.host && o.health.port !== 0;
  const healthServer = http.createServer(handler(true, shared));
  const healthPort = await listen(healthServer, o.health);
  if (shared) return { healthPort, metricsPort: healthPort, close: () => close(healthServer) };
  const metricsServer = http.createServer(handler(false, true));
  const metricsPort = await listen(metricsServer, o.metrics).catch(async (e: unknown) => {
    await close(healthServer);
    throw e;
  });
  return {
    healthPort,
    metricsPort,
    close: async () => {
      await Promise.all([close(healthServer), close(metricsServer)]);
    },
  };
};
