// The controller's probes and metrics over node:http, on loopback.
import { afterEach, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import {
  parseListenAddress,
  serveEndpoints,
  type Endpoints,
} from '../../src/adapters/observability/http-endpoints.js';
import { makePromMetrics } from '../../src/adapters/observability/prom-metrics.js';

const open: Endpoints[] = [];
afterEach(async () => {
  for (const e of open.splice(0)) await e.close();
});

const get = async (port: number, path: string) => {
  const r = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: r.status, body: await r.text() };
};

describe('serveEndpoints', () => {
  it('answers the probes from their checks and serves the registry on /metrics', async () => {
    let ready = false;
    const metrics = makePromMetrics(new Registry());
    metrics.setGauge('kubetasks_leader_election_master_status', 1, { name: 'kubetasks-controller' });
    const e = await serveEndpoints({
      health: { host: '127.0.0.1', port: 0 },
      metrics: { host: '127.0.0.1', port: 0 },
      healthy: () => true,
      ready: () => ready,
      registry: metrics.registry,
    });
    open.push(e);
    expect(await get(e.healthPort, '/healthz')).toEqual({ status: 200, body: 'ok' });
    expect((await get(e.healthPort, '/readyz')).status).toBe(500);
    ready = true;
    expect(await get(e.healthPort, '/readyz')).toEqual({ status: 200, body: 'ok' });
    const m = await get(e.metricsPort, '/metrics');
    expect(m.status).toBe(200);
    expect(m.body).toContain('kubetasks_leader_election_master_status{name="kubetasks-controller"} 1');
    // Each server serves its own paths only.
    expect((await get(e.healthPort, '/metrics')).status).toBe(404);
    expect((await get(e.metricsPort, '/healthz')).status).toBe(404);
  });

  it.each([
    [':8081', { host: undefined, port: 8081 }],
    ['127.0.0.1:0', { host: '127.0.0.1', port: 0 }],
    ['[::1]:9000', { host: '::1', port: 9000 }],
    ['8081', undefined],
    [':http', undefined],
    [':70000', undefined],
  ])('parseListenAddress(%s)', (s, expected) => {
    expect(parseListenAddress(s)).toEqual(expected);
  });
});
