// Smoke test of the test control plane: real kube-apiserver + etcd, the shared CRDs, REST round trips, RBAC users.
import * as fs from 'node:fs';
import * as https from 'node:https';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  adminRequest,
  pinnedKubernetesVersion,
  startControlPlane,
  type ControlPlane,
  type KubeResponse,
} from './control-plane.js';
import { crdFilePaths } from '../crds/crd-dir.js';

// The operators' CRDs, from the directory KUBETASKS_CRD_DIR names (CI: ../shared/crds beside the clone).
const crdFiles = crdFilePaths();

let plane: ControlPlane;
let startedMs = 0;

beforeAll(async () => {
  const t0 = performance.now();
  plane = await startControlPlane({ crdFiles });
  startedMs = performance.now() - t0;
  console.log(
    `control plane with ${crdFiles.length} CRD files ready in ${Math.round(startedMs)} ms at ${plane.server}`,
  );
});

afterAll(async () => {
  if (plane === undefined) return;
  await plane.stop();
  expect(fs.existsSync(plane.dataDir)).toBe(false);
});

const json = (res: KubeResponse): unknown => JSON.parse(res.body);
interface Meta {
  readonly metadata: { readonly name: string; readonly uid: string };
}
const post = (p: string, body: unknown): Promise<KubeResponse> =>
  adminRequest(plane, { method: 'POST', path: p, body: JSON.stringify(body) });
const get = (p: string): Promise<KubeResponse> => adminRequest(plane, { method: 'GET', path: p });
const del = (p: string): Promise<KubeResponse> => adminRequest(plane, { method: 'DELETE', path: p });

// Reads a minted user's kubeconfig back the way a client would, so the file itself is exercised.
function asUser(kubeconfigPath: string, reqPath: string): Promise<number> {
  const text = fs.readFileSync(kubeconfigPath, 'utf8');
  const field = (key: string): string => {
    const match = new RegExp(`${key}: (\\S+)`).exec(text);
    if (match?.[1] === undefined) throw new Error(`${key} missing from ${kubeconfigPath}`);
    return match[1];
  };
  const b64 = (key: string): string => Buffer.from(field(key), 'base64').toString('utf8');
  return new Promise((resolve, reject) => {
    https
      .get(
        new URL(reqPath, JSON.parse(field('server')) as string),
        {
          ca: b64('certificate-authority-data'),
          cert: b64('client-certificate-data'),
          key: b64('client-key-data'),
          agent: false,
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      )
      .on('error', reject);
  });
}

// The first line of a watch stream: the event a client would see first.
function firstWatchEvent(
  reqPath: string,
): Promise<{ type: string; object: { kind: string; message?: string } }> {
  return new Promise((resolve, reject) => {
    const req = https.get(
      new URL(reqPath, plane.server),
      { ca: plane.caPem, cert: plane.adminCertPem, key: plane.adminKeyPem, agent: false },
      (res) => {
        let buffered = '';
        res.on('data', (chunk: Buffer) => {
          buffered += chunk.toString('utf8');
          const newline = buffered.indexOf('\n');
          if (newline >= 0) {
            resolve(JSON.parse(buffered.slice(0, newline)) as { type: string; object: { kind: string } });
            req.destroy();
          }
        });
        res.on('end', () =>
          reject(new Error(`watch ${reqPath} ended without an event (HTTP ${res.statusCode})`)),
        );
      },
    );
    req.on('error', (error) => {
      if (!req.destroyed) reject(error);
    });
  });
}

describe('test control plane', () => {
  test('serves the pinned Kubernetes version over loopback TLS', async () => {
    const version = pinnedKubernetesVersion();
    expect(plane.version).toBe(version);
    expect(plane.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const res = await get('/version');
    expect(res.status).toBe(200);
    const body = json(res) as { gitVersion: string; major: string; minor: string };
    expect(body.gitVersion).toBe(version);
    expect(`v${body.major}.${body.minor}`).toBe(version.split('.').slice(0, 2).join('.'));
    expect(fs.readFileSync(plane.kubeconfigPath, 'utf8')).toContain(plane.server);
  });

  test('creates and deletes a namespace and a pod through REST', async () => {
    const ns = `smoke-${Date.now().toString(36)}`;
    expect(
      (await post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }))
        .status,
    ).toBe(201);
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'hello' },
      spec: {
        containers: [{ name: 'main', image: 'busybox:1.36', command: ['true'] }],
        restartPolicy: 'Never',
      },
    };
    const created = await post(`/api/v1/namespaces/${ns}/pods`, pod);
    expect(created.status).toBe(201);
    expect((json(created) as { status: { phase: string } }).status.phase).toBe('Pending');
    expect((await get(`/api/v1/namespaces/${ns}/pods/hello`)).status).toBe(200);
    // Unscheduled pods are deleted at once: no kubelet has to confirm.
    expect((await del(`/api/v1/namespaces/${ns}/pods/hello`)).status).toBe(200);
    expect((await get(`/api/v1/namespaces/${ns}/pods/hello`)).status).toBe(404);
    // Without a namespace controller the namespace stays Terminating, but the delete itself is accepted.
    expect((await del(`/api/v1/namespaces/${ns}`)).status).toBe(200);
    expect((json(await get(`/api/v1/namespaces/${ns}`)) as { status: { phase: string } }).status.phase).toBe(
      'Terminating',
    );
  });

  test('validates PyTorchJobs against the installed CRD schema', async () => {
    const ns = `torch-${Date.now().toString(36)}`;
    expect(
      (await post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }))
        .status,
    ).toBe(201);
    const job = (spec: unknown): unknown => ({
      apiVersion: 'kubeflow.org/v1',
      kind: 'PyTorchJob',
      metadata: { name: 'mnist' },
      spec,
    });
    const replica = {
      replicas: 1,
      restartPolicy: 'OnFailure',
      template: {
        spec: { containers: [{ name: 'pytorch', image: 'pytorch/pytorch:2.4.0', command: ['python'] }] },
      },
    };
    const path_ = `/apis/kubeflow.org/v1/namespaces/${ns}/pytorchjobs`;
    const created = await post(path_, job({ pytorchReplicaSpecs: { Master: replica, Worker: replica } }));
    expect(created.status).toBe(201);
    expect((json(created) as Meta).metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    // The schema requires pytorchReplicaSpecs: a real apiserver must refuse the object without it.
    const invalid = await post(path_, { ...(job({}) as object), metadata: { name: 'broken' } });
    expect(invalid.status).toBe(422);
    expect((await get(`${path_}/mnist`)).status).toBe(200);
  });

  test('every shared CRD is established and listable', async () => {
    const res = await get('/apis/apiextensions.k8s.io/v1/customresourcedefinitions');
    const names = (json(res) as { items: Meta[] }).items.map((crd) => crd.metadata.name);
    expect(names.length).toBeGreaterThanOrEqual(crdFiles.length);
    for (const plural of [
      'pytorchjobs.kubeflow.org',
      'rayjobs.ray.io',
      'sparkapplications.sparkoperator.k8s.io',
    ]) {
      expect(names).toContain(plural);
    }
  });

  test('minted users are authenticated and subject to RBAC', async () => {
    const ns = `rbac-${Date.now().toString(36)}`;
    expect(
      (await post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }))
        .status,
    ).toBe(201);
    const alice = await plane.mintUser('alice', ['kubetasks:testers']);
    expect(await asUser(alice.kubeconfigPath, `/api/v1/namespaces/${ns}/pods`)).toBe(403);
    // A Role with explicit rules: the aggregated ClusterRoles (view/edit/admin) stay empty here because no
    // controller-manager runs the clusterrole-aggregation controller.
    const role = await post(`/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles`, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'pod-reader' },
      rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }],
    });
    expect(role.status).toBe(201);
    const binding = await post(`/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'testers-read-pods' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'kubetasks:testers' }],
    });
    expect(binding.status).toBe(201);
    // RBAC reads from an informer cache, so the grant becomes visible a moment later.
    const deadline = Date.now() + 10_000;
    let status = 0;
    while (Date.now() < deadline && status !== 200) {
      status = await asUser(alice.kubeconfigPath, `/api/v1/namespaces/${ns}/pods`);
    }
    expect(status).toBe(200);
    expect(await asUser(alice.kubeconfigPath, `/api/v1/namespaces/default/pods`)).toBe(403);
  });

  // Debian's etcd 3.4 fails exactly this (ResourceVersionTooLarge): it is why the harness builds etcd 3.6.
  test('a watch without a resourceVersion starts with the current objects', async () => {
    const first = await firstWatchEvent('/api/v1/namespaces?watch=true&timeoutSeconds=10');
    expect(first.type).toBe('ADDED');
    expect(first.object.kind).toBe('Namespace');
    const streamed = await firstWatchEvent(
      '/api/v1/namespaces?watch=true&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan&timeoutSeconds=10',
    );
    expect(streamed.type).toBe('ADDED');
  });

  test('state survives an apiserver restart', async () => {
    const ns = `restart-${Date.now().toString(36)}`;
    expect(
      (await post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }))
        .status,
    ).toBe(201);
    await plane.restartApiServer();
    expect((await get(`/api/v1/namespaces/${ns}`)).status).toBe(200);
    expect((await get('/apis/kubeflow.org/v1/pytorchjobs')).status).toBe(200);
  });
});

describe('start-up failures', () => {
  test('carry the tail of each process log in the error message', async () => {
    const saved = process.env['KUBETASKS_ETCD'];
    process.env['KUBETASKS_ETCD'] = '/bin/false';
    try {
      await expect(startControlPlane({ startTimeoutMs: 5_000 })).rejects.toThrow(
        /etcd exited before etcd \/health[\s\S]*last 40 lines of .*etcd\.log/,
      );
    } finally {
      if (saved === undefined) delete process.env['KUBETASKS_ETCD'];
      else process.env['KUBETASKS_ETCD'] = saved;
    }
  });
});
