// `kubetasks run --cluster kube` against a real kube-apiserver, as the README documents it (built CLI, plain node).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from './control-plane.js';
import { crdFilePaths } from '../crds/crd-dir.js';

const CLI = 'dist/cli/main.js';
let plane: ControlPlane | undefined;

// Only the Kubeflow CRDs (from KUBETASKS_CRD_DIR): the Spark plugin's kind stays unserved, to check how run reports
// a missing CRD.
const crdFiles = crdFilePaths().filter((f) => path.basename(f).startsWith('kubeflow.org_'));

beforeAll(async () => {
  plane = await startControlPlane({ crdFiles });
});

afterAll(async () => {
  await plane?.stop();
});

const run = (scenario: string, runName: string, file = 'examples/tasks/hello.yaml') =>
  spawnSync(
    process.execPath,
    [CLI, 'run', file, '--cluster', 'kube', '--kubeconfig', plane!.kubeconfigPath].concat([
      '--namespace',
      'default',
      '--scenario',
      scenario,
      '--run',
      runName,
      '-o',
      'json',
    ]),
    { encoding: 'utf8', timeout: 120_000, env: { ...process.env, NO_COLOR: '1' } },
  );

describe('kubetasks run --cluster kube', () => {
  it('has a built CLI (npm test builds it before the cluster suite)', () => {
    expect(existsSync(CLI), `${CLI} is missing: run "npm run build" first`).toBe(true);
  });

  it('runs a task to Success and exits 0', () => {
    const r = run('succeed', 'ok');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ phase: 'Success' });
    expect(r.stderr).toContain('Running');
  });

  it('runs a CRD plugin task (PyTorchJob) with the simulated operator, to Success', () => {
    const r = run('succeed', 'torch', 'examples/kubeflow/pytorch.yaml');
    expect({ status: r.status, stderr: r.status === 0 ? '' : r.stderr }).toEqual({ status: 0, stderr: '' });
    expect(JSON.parse(r.stdout)).toMatchObject({ phase: 'Success' });
  });

  it('reports an OOM in a worker of a PyTorchJob as OOMKilled and exits 1', () => {
    const r = run('oom', 'torchoom', 'examples/kubeflow/pytorch.yaml');
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'OOMKilled' } });
  });

  it('refuses a task whose CRD the cluster does not serve, naming it, with exit 2', () => {
    const r = run('succeed', 'spark', 'examples/spark/pyspark.yaml');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('does not serve SparkApplication.sparkoperator.k8s.io/v1beta2');
  });

  it('retries a failing task, reports the USER failure and exits 1', () => {
    const r = run('exit:3', 'fails');
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({
      phase: 'PermanentFailure',
      error: { code: 'Error', kind: 'USER' },
    });
    expect(r.stderr).toContain('attempt 2');
  });

  it('exits 2 with a clear message when the kubeconfig is unusable', () => {
    const r = spawnSync(
      process.execPath,
      [
        CLI,
        'run',
        'examples/tasks/hello.yaml',
        '--cluster',
        'kube',
        '--kubeconfig',
        '/nonexistent/kubeconfig',
      ],
      { encoding: 'utf8' },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^--cluster kube: /);
  });
});
