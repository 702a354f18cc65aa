// deploy/: the CRD is the generated one, and the Deployment meets the restricted Pod Security profile.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { toYaml } from '../../src/app/yaml-output.js';
import { CRD_HEADER } from '../../src/cli/crd-command.js';
import { taskExecutionCrd } from '../../src/domain/task-execution-resource.js';

const docs = (file: string): Array<Record<string, any>> =>
  parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as Record<string, any>);

describe('deploy/', () => {
  it('crd.yaml is exactly what `kubetasks crd` prints (regenerate with npm run docs)', () => {
    expect(readFileSync('deploy/crd.yaml', 'utf8')).toBe(`${CRD_HEADER}${toYaml(taskExecutionCrd())}`);
  });

  it('the Deployment runs 2 replicas with both probes, requests and the restricted profile', () => {
    const [d] = docs('deploy/deployment.yaml');
    expect(d?.['spec'].replicas).toBe(2);
    const pod = d?.['spec'].template.spec;
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    for (const c of pod.containers) {
      expect(c.securityContext).toMatchObject({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      });
      expect(c.livenessProbe.httpGet.path).toBe('/healthz');
      expect(c.readinessProbe.httpGet.path).toBe('/readyz');
      expect(c.resources.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
      expect(c.args).toContain('--leader-elect');
    }
  });

  it('the ServiceAccount the Deployment runs as is the one the bindings name', () => {
    const sa = docs('deploy/rbac.yaml').find((o) => o['kind'] === 'ServiceAccount');
    const [d] = docs('deploy/deployment.yaml');
    expect(d?.['spec'].template.spec.serviceAccountName).toBe(sa?.['metadata'].name);
    for (const b of docs('deploy/rbac.yaml').filter((o) => String(o['kind']).endsWith('Binding')))
      expect(b['subjects']).toEqual([
        { kind: 'ServiceAccount', name: sa?.['metadata'].name, namespace: sa?.['metadata'].namespace },
      ]);
  });
});
