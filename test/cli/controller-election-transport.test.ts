// The controller's election connection: a 429 from the API server comes back at once, for the election to ask again.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { makeTransport, type TransportOptions } from '../../src/adapters/kubernetes/transport.js';
import { ELECTION_TRANSPORT } from '../../src/cli/controller-command.js';

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

/** An API server still starting: every request answered 429 with Retry-After: 1, as kube-apiserver's caches do. */
const starting = async (): Promise<{ readonly url: string; readonly requests: () => number }> => {
  let requests = 0;
  server = createServer((_, res) => {
    requests++;
    res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
    res.end(
      JSON.stringify({
        kind: 'Status',
        apiVersion: 'v1',
        status: 'Failure',
        reason: 'TooManyRequests',
        message: 'storage is (re)initializing',
        code: 429,
      }),
    );
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => requests };
};

const readLease = async (url: string, options: TransportOptions): Promise<number> => {
  const transport = makeTransport(
    {
      server: url,
      contextName: 'test',
      namespace: 'default',
      authorize: () => Promise.resolve({ tls: {}, headers: {} }),
    },
    options,
  );
  const began = Date.now();
  const r = await transport.send({
    method: 'GET',
    path: '/apis/coordination.k8s.io/v1/namespaces/kubetasks-system/leases/kubetasks-controller',
  });
  transport.close();
  expect(E.isRight(r) && r.right.status).toBe(429);
  return Date.now() - began;
};

describe("the leader election's connection", () => {
  it('hands a 429 to the election at once instead of retrying it a second apart', async () => {
    const server = await starting();
    const ms = await readLease(server.url, ELECTION_TRANSPORT);
    expect(server.requests()).toBe(1);
    // The tasks' connection retries (5 times, Retry-After apart): the election's read would wait 5 s for its answer.
    expect(ms).toBeLessThan(500);
  });

  it("the tasks' connection retries it (the control: the same server, the default options)", async () => {
    const server = await starting();
    const ms = await readLease(server.url, { maxRetries: 1 });
    expect(server.requests()).toBe(2);
    expect(ms).toBeGreaterThanOrEqual(900);
  });
});
