// deploy/ on a real kube-apiserver: every manifest passes server-side dry-run, and the controller runs
// TaskExecutions end to end as deploy/'s ServiceAccount, with exactly deploy/'s RBAC.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import type { Kubelet } from '../../src/adapters/kubelet/index.js';
import { makeKubernetesCluster, type KubernetesCluster } from '../../src/adapters/kubernetes/index.js';
import type { KubeObject } from '../../src/domain/kubernetes.js';
import { objectOfTask, statusOfObject, TASK_EXECUTION } from '../../src/domain/task-execution-resource.js';
import type { TaskExecutionStatus } from '../../src/domain/task-execution-status.js';
import { startCli, type Running } from '../cli/spawn.js';
import { adminRequest, startControlPlane, type ControlPlane } from './control-plane.js';
import {
  deployManifests as manifests,
  installControllerIdentity,
  must,
  startController as startControllerProcess,
  until,
  writeControllerConfig,
  type ControllerIdentity,
} from './controller-process.js';
import { podsWithOurFinalizer, podTask, startFastKubelet } from './fixtures.js';

let plane: ControlPlane | undefined;
let admin: KubernetesCluster | undefined;
let kubelet: Kubelet | undefined;
const children: Running[] = [];
const TASKS_NS = 'jobs-e2e';

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
  for (const c of children) if (c.child.exitCode === null) c.child.kill('SIGKILL');
  await kubelet?.stop();
  admin?.close();
  await plane?.stop();
});

/** One manifest posted as a server-side dry-run: it must be accepted (201), or the failure names its file and body. */
const acceptedByDryRun = async (m: { readonly file: string; readonly object: KubeObject }): Promise<void> => {
  const r = await post(m.object, true);
  const seen = { file: m.file, kind: m.object.kind, status: r.status, body: r.status === 201 ? '' : r.body };
  expect(seen).toEqual({ ...seen, status: 201, body: '' });
};

describe('deploy/ on a real kube-apiserver', () => {
  it('every manifest is accepted by server-side dry-run (dryRun=All, strict field validation)', async () => {
    const all = manifests();
    expect(all.map((m) => m.object.kind)).toEqual(
      expect.arrayContaining(['CustomResourceDefinition', 'Namespace', 'ServiceAccount', 'Deployment']),
    );
    // Cluster-scoped objects first: a namespaced dry-run needs its namespace to exist, so that one is made for real.
    const scoped = (m: { object: KubeObject }) => m.object.metadata?.namespace !== undefined;
    for (const m of all.filter((x) => !scoped(x))) await acceptedByDryRun(m);
    const ns = all.find((m) => m.object.kind === 'Namespace')!.object;
    expect((await post(ns, false)).status).toBe(201);
    for (const m of all.filter(scoped)) await acceptedByDryRun(m);
  });
});

const statusOf = async (name: string): Promise<TaskExecutionStatus> => {
  const r = await admin!.get({ ...TASK_EXECUTION, namespace: TASKS_NS, name })();
  return E.isRight(r) ? statusOfObject(r.right) : {};
};

/** The controller's platform config: the pod plugin only (what deploy/rbac.yaml grants), fast for the wall clock. */
const CONFIG = `tasks:
  task-plugins:
    enabled: [pod]
plugins:
  k8s:
    inject-finalizer: true
executor:
  resync-period: 1s
  system-failure-backoff:
    base-duration: 200ms
    max-duration: 1s
`;

describe('the controller with exactly deploy/ RBAC, as its ServiceAccount', () => {
  let controller: Running | undefined;
  let metricsPort = 0;
  let identity: ControllerIdentity | undefined;
  let configFile = '';

  /** The controller CLI as deploy/'s ServiceAccount, once it reports ready on /readyz. */
  const startController = async (): Promise<Running> => {
    const c = await startControllerProcess({ identity: identity!, configFile });
    children.push(c.running);
    metricsPort = c.metricsPort;
    return c.running;
  };

  beforeAll(async () => {
    admin = makeKubernetesCluster({ kubeconfigPath: plane!.kubeconfigPath });
    identity = await installControllerIdentity(plane!, admin);
    await must('ns', admin.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: TASKS_NS } })());
    // The kubelet stands in for the node, which is not what the controller's RBAC grants: it runs as the admin.
    kubelet = await startFastKubelet(admin, TASKS_NS);
    configFile = writeControllerConfig(plane!, 'controller-config.yaml', CONFIG);
    controller = await startController();
  });

  it.each([
    ['ok', 'succeed', 'Success', 'True'],
    ['fails', 'exit:1', 'PermanentFailure', 'False'],
    ['oom', 'oom', 'PermanentFailure', 'False'],
  ])('%s (%s) ends %s with Succeeded=%s', async (name, scenario, phase, cond) => {
    await must(
      'create',
      admin!.create(
        objectOfTask(podTask({ namespace: TASKS_NS, run: 'e2e', action: name, scenario }), name),
      )(),
    );
    await until(`${name} to end`, async () => (await statusOf(name)).completionTime !== undefined);
    const s = await statusOf(name);
    expect(s.phase).toBe(phase);
    expect(s.conditions?.find((c) => c.type === 'Succeeded')?.status).toBe(cond);
    await until('no finalizer left', async () => (await podsWithOurFinalizer(admin!, TASKS_NS)).length === 0);
  });

  it('a TaskExecution that does not decode fails with the path, and the spec is immutable', async () => {
    const o = objectOfTask(
      podTask({ namespace: TASKS_NS, run: 'e2e', action: 'bad', scenario: 'succeed' }),
      'bad',
    );
    const spec = o['spec'] as { task: Record<string, unknown> };
    // The CRD's schema leaves quantities open (a string or a number): the controller's decoder checks them.
    const container = { image: 'busybox', resources: { requests: { cpu: 'lots' } } };
    await must('create', admin!.create({ ...o, spec: { ...spec, task: { ...spec.task, container } } })());
    await until('bad to end', async () => (await statusOf('bad')).completionTime !== undefined);
    const s = await statusOf('bad');
    expect(s).toMatchObject({ phase: 'PermanentFailure', error: { code: 'BadTaskExecution', kind: 'USER' } });
    expect(s.message).toContain('spec.task.container.resources.requests.cpu');
    const changed = await admin!.patch(
      { ...TASK_EXECUTION, namespace: TASKS_NS, name: 'bad' },
      {
        type: 'merge',
        body: { spec: { task: { type: 'python-task' } } },
      },
    )();
    expect(E.isLeft(changed) && changed.left.message).toContain('spec is immutable');
  });

  it('kubetasks submit --watch follows a TaskExecution to its end with the progress lines of run', async () => {
    const file = join(plane!.dataDir, 'task.json');
    writeFileSync(
      file,
      JSON.stringify(podTask({ namespace: TASKS_NS, run: 'e2e', action: 'watched', scenario: 'succeed' })),
    );
    const submit = startCli(['submit', file, '--kubeconfig', plane!.kubeconfigPath, '--watch']);
    children.push(submit);
    expect(await submit.exited).toBe(0);
    expect(submit.stdout()).toContain('taskexecution.kubetasks.dev/e2e-watched created');
    expect(submit.stdout()).toMatch(/^Success/mu);
    expect(submit.stderr()).toMatch(/attempt 0 {2}Running/u);
  });

  it('deleting a TaskExecution aborts its task; its pod and the object go', async () => {
    await must(
      'create',
      admin!.create(
        objectOfTask(
          podTask({ namespace: TASKS_NS, run: 'e2e', action: 'stuck', scenario: 'stuck-pending' }),
          'stuck',
        ),
      )(),
    );
    await until('a phase', async () => (await statusOf('stuck')).phase !== undefined);
    await must('delete', admin!.delete({ ...TASK_EXECUTION, namespace: TASKS_NS, name: 'stuck' })());
    await until('the TaskExecution to go', async () =>
      E.isLeft(await admin!.get({ ...TASK_EXECUTION, namespace: TASKS_NS, name: 'stuck' })()),
    );
    await until('no finalizer left', async () => (await podsWithOurFinalizer(admin!, TASKS_NS)).length === 0);
  });

  it('status writes per task stay few: the state and the phases, coalesced', async () => {
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    const writes = [
      ...text.matchAll(/^kubetasks_taskexecution_status_writes_total\{result="(\w+)"\} (\d+)$/gmu),
    ];
    const total = writes.reduce((n, m) => n + Number(m[2]), 0);
    // Six TaskExecutions so far (ok, fails, oom, bad, watched, stuck).
    console.log(
      `TaskExecution status writes: ${total} for 6 TaskExecutions (${(total / 6).toFixed(1)} per task);`,
      writes.map((m) => `${m[1] ?? ''}=${m[2] ?? ''}`).join(' '),
    );
    expect(total).toBeGreaterThan(0);
    // A pod task makes 3: its state before the create, Running, and the outcome with the state before the finalizer
    // removal; the deleted one makes a few more (its abort), the bad one 1.
    expect(total / 6).toBeLessThanOrEqual(4);
  });

  it('a controller killed with SIGKILL mid-task: a new one resumes it from the cluster alone, with the same pod', async () => {
    const task = podTask({ namespace: TASKS_NS, run: 'e2e', action: 'resumed', scenario: 'succeed' });
    const slow = {
      ...task,
      execution: {
        ...task.execution,
        annotations: { ...task.execution.annotations, 'kubetasks.dev/run-duration': '4s' },
      },
    };
    await must('create', admin!.create(objectOfTask(slow, 'resumed'))());
    await until('Running', async () => (await statusOf('resumed')).phase === 'Running');
    controller!.child.kill('SIGKILL');
    await controller!.exited;
    const pods = async (): Promise<string[]> => {
      const r = await admin!.list({ apiVersion: 'v1', kind: 'Pod' }, { namespace: TASKS_NS })();
      return E.isRight(r) ? r.right.items.map((p) => p.metadata?.uid ?? '').filter((u) => u !== '') : [];
    };
    const objects = (await statusOf('resumed')).objects ?? [];
    expect(objects).toHaveLength(1);
    controller = await startController();
    await until('resumed to end', async () => (await statusOf('resumed')).completionTime !== undefined);
    const s = await statusOf('resumed');
    expect(s.phase).toBe('Success');
    expect(s.objects).toEqual(objects);
    expect((await pods()).length).toBeGreaterThan(0);
  });

  it('nothing the controller asked for was Forbidden; SIGTERM stops it with exit 0', async () => {
    expect(controller!.stderr()).not.toMatch(/forbidden/iu);
    controller!.child.kill('SIGTERM');
    expect(await controller!.exited).toBe(0);
  });
});
