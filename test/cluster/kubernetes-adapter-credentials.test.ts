// The adapter's TLS connection pools against a real kube-apiserver: one per identity, and rotated certificates win.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { makeKubernetesCluster, type KubernetesCluster } from '../../src/adapters/kubernetes/index.js';
import { startControlPlane, type ControlPlane } from './control-plane.js';

let plane: ControlPlane;

beforeAll(async () => {
  plane = await startControlPlane();
});

afterAll(async () => {
  await plane?.stop();
});

interface UserFiles {
  readonly cert: string;
  readonly key: string;
}

// mintUser embeds the certificate; rotation is a file that changes, so the PEM text is pulled out of it.
const userPem = (kubeconfigPath: string): UserFiles => {
  const doc = parse(fs.readFileSync(kubeconfigPath, 'utf8')) as {
    users: Array<{ user: { 'client-certificate-data': string; 'client-key-data': string } }>;
  };
  const user = doc.users[0]?.user;
  if (user === undefined) throw new Error(`no user in ${kubeconfigPath}`);
  const text = (b64: string): string => Buffer.from(b64, 'base64').toString('utf8');
  return { cert: text(user['client-certificate-data']), key: text(user['client-key-data']) };
};

/** Who the API server takes the caller for (a SelfSubjectReview is answered for any authenticated user). */
const whoAmI = async (c: KubernetesCluster): Promise<string> => {
  const r = await c.create({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' })();
  if (E.isLeft(r)) throw new Error(`${r.left.reason}: ${r.left.message}`);
  const status = r.right['status'] as { userInfo?: { username?: string } } | undefined;
  return status?.userInfo?.username ?? '';
};

describe('connection pools per credential set', () => {
  it('keeps reusing one connection, and a client certificate rotated on disk is used from the next request', async () => {
    const alice = userPem((await plane.mintUser('alice', ['system:masters'])).kubeconfigPath);
    const bob = userPem((await plane.mintUser('bob', ['system:masters'])).kubeconfigPath);
    const dir = fs.mkdtempSync(path.join(plane.dataDir, 'rotating-'));
    const certFile = path.join(dir, 'client.crt');
    const keyFile = path.join(dir, 'client.key');
    const write = (u: UserFiles): void => {
      fs.writeFileSync(certFile, u.cert);
      fs.writeFileSync(keyFile, u.key, { mode: 0o600 });
    };
    write(alice);
    const kubeconfigPath = path.join(dir, 'kubeconfig');
    fs.writeFileSync(
      kubeconfigPath,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        '  - name: c',
        '    cluster:',
        `      server: ${JSON.stringify(plane.server)}`,
        `      certificate-authority-data: ${Buffer.from(plane.caPem).toString('base64')}`,
        'users:',
        '  - name: u',
        '    user:',
        `      client-certificate: ${JSON.stringify(certFile)}`,
        `      client-key: ${JSON.stringify(keyFile)}`,
        'contexts:',
        '  - name: c',
        '    context: { cluster: c, user: u }',
        'current-context: c',
        '',
      ].join('\n'),
    );
    const c = makeKubernetesCluster({ kubeconfigPath });
    try {
      for (let i = 0; i < 5; i++) expect(await whoAmI(c)).toBe('alice');
      expect(c.stats().connectionsOpened).toBe(1);
      write(bob);
      expect(await whoAmI(c)).toBe('bob');
      expect(await whoAmI(c)).toBe('bob');
      // Bob's requests went over a connection of their own, opened once.
      expect(c.stats().connectionsOpened).toBe(2);
      write(alice);
      expect(await whoAmI(c)).toBe('alice');
    } finally {
      c.close();
    }
  });
});
