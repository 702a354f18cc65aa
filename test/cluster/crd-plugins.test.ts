// The CRD plugins on a real kube-apiserver with the operators' CRDs installed: manifests accepted as built (nothing
// pruned), and each example task run to its end by the manager with the simulated kubelet and operators.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import * as E from 'fp-ts/lib/Either.js';
import * as O from 'fp-ts/lib/Option.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Manager } from '../../src/app/manager.js';
import { loadTaskExecution } from '../../src/app/inputs.js';
import { systemClock } from '../../src/adapters/clock/system.js';
import type { Kubelet } from '../../src/adapters/kubelet/index.js';
import { makeKubernetesCluster, type KubernetesCluster } from '../../src/adapters/kubernetes/index.js';
import { builtInOperators, startOperators, type Operators } from '../../src/adapters/operators/index.js';
import type { KubeObject } from '../../src/domain/kubernetes.js';
import { addObjectMetadata } from '../../src/domain/object-metadata.js';
import { lookupByTaskType } from '../../src/domain/registry.js';
import type { TaskExecution } from '../../src/domain/task.js';
import type { Logger } from '../../src/ports/logger.js';
import { builtInRegistry } from '../../src/plugins/index.js';
import { startControlPlane, type ControlPlane } from './control-plane.js';
import { startFastKubelet, wallClockConfig } from './fixtures.js';
import { crdFilePaths } from '../crds/crd-dir.js';

const NS = 'crd-plugins';
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
// The operators' CRDs, from the directory KUBETASKS_CRD_DIR names (CI: ../shared/crds beside the clone).
const crdFiles = crdFilePaths();

/** Every example task of the CRD plugins, by folder. */
const exampleDirs = ['spark', 'kubeflow', 'ray', 'dask', 'job'];
const examples: ReadonlyArray<readonly [string, TaskExecution]> = exampleDirs.flatMap((dir) =>
  fs
    .readdirSync(path.join(repoRoot, 'examples', dir))
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f): readonly [string, TaskExecution] => {
      const file = `examples/${dir}/${f}`;
      const r = loadTaskExecution(file, fs.readFileSync(path.join(repoRoot, file), 'utf8'));
      if (E.isLeft(r)) throw new Error(`${file} does not decode`);
      return [file, r.right];
    }),
);

const registryE = builtInRegistry();
if (E.isLeft(registryE)) throw new Error('registry');
const registry = registryE.right;
const config = wallClockConfig();

let plane: ControlPlane | undefined;
let cluster: KubernetesCluster | undefined;
let kubelet: Kubelet | undefined;
let operators: Operators | undefined;
let manager: Manager | undefined;

beforeAll(async () => {
  plane = await startControlPlane({ crdFiles });
  cluster = makeKubernetesCluster({ kubeconfigPath: plane.kubeconfigPath });
  const ns = await cluster.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } })();
  if (E.isLeft(ns)) throw new Error(ns.left.message);
  // The examples name priority classes; the API server's Priority admission refuses pods naming a missing one.
  for (const [name, value] of [
    ['batch-high', 1000],
    ['batch-low', 10],
  ] as const) {
    const pc = await cluster.create({
      apiVersion: 'scheduling.k8s.io/v1',
      kind: 'PriorityClass',
      metadata: { name },
      value,
    })();
    if (E.isLeft(pc)) throw new Error(pc.left.message);
  }
  kubelet = await startFastKubelet(cluster, NS);
  operators = startOperators({ cluster, clock: systemClock, operators: builtInOperators, namespace: NS });
  await operators.ready();
  manager = new Manager({ cluster, clock: systemClock, registry, config, namespace: NS });
  await manager.start();
});

afterAll(async () => {
  await manager?.stop();
  await operators?.stop();
  await kubelet?.stop();
  cluster?.close();
  await plane?.stop();
});

const inNamespace = (t: TaskExecution, run: string): TaskExecution => ({
  ...t,
  execution: { ...t.execution, namespace: NS, id: { ...t.execution.id, run } },
});

/** Every leaf of `sent` is in `got` with the same value: the API server pruned nothing. */
const missingLeaves = (sent: unknown, got: unknown, at = ''): string[] => {
  if (Array.isArray(sent)) {
    if (!Array.isArray(got)) return [at];
    return sent.flatMap((v, i) => missingLeaves(v, got[i], `${at}[${i}]`));
  }
  if (typeof sent === 'object' && sent !== null) {
    if (typeof got !== 'object' || got === null) return [at];
    return Object.entries(sent).flatMap(([k, v]) =>
      missingLeaves(v, (got as Record<string, unknown>)[k], `${at}.${k}`),
    );
  }
  return sent === got ? [] : [at];
};

describe('CRD plugin manifests on a real kube-apiserver', () => {
  it('has examples for every CRD plugin', () => {
    const types = new Set(examples.map(([, t]) => t.task.type));
    for (const t of ['spark', 'pytorch', 'tensorflow', 'mpi', 'ray', 'dask', 'batch-job'])
      expect(types).toContain(t);
  });

  it.each(examples)('%s: created as built, nothing pruned', async (file, example) => {
    const task = inNamespace(example, `accept-${path.basename(file, '.yaml')}`);
    const plugin = lookupByTaskType(task.task.type)(registry);
    expect(O.isSome(plugin)).toBe(true);
    if (O.isNone(plugin)) return;
    const ctx = { task, config };
    const built = plugin.value.buildResource(ctx);
    if (E.isLeft(built)) throw new Error(`${file}: ${built.left.message}`);
    const manifest: KubeObject = addObjectMetadata(ctx, plugin.value.properties, built.right);
    const named: KubeObject = {
      ...manifest,
      metadata: {
        ...manifest.metadata,
        name: `accept-${path.basename(file, '.yaml')}`.slice(0, 40),
        namespace: NS,
        finalizers: [],
      },
    };
    const created = await cluster!.create(named)();
    if (E.isLeft(created)) throw new Error(`${file}: ${created.left.reason}: ${created.left.message}`);
    expect(
      missingLeaves((named as { spec?: unknown }).spec, (created.right as { spec?: unknown }).spec, 'spec'),
    ).toEqual([]);
    const d = await cluster!.delete({ ...named, namespace: NS, name: named.metadata?.name ?? '' })();
    expect(E.isRight(d)).toBe(true);
  });
});

describe('CRD plugin tasks run to their end on a real kube-apiserver', () => {
  // One example per task type, with the default (succeed) scenario.
  const firstPerType = examples.filter(
    ([, t], i) => examples.findIndex(([, u]) => u.task.type === t.task.type) === i,
  );

  it.each(firstPerType)('%s succeeds', async (file, example) => {
    const id = `run-${example.task.type}`;
    const task = inNamespace(example, `r${example.task.type.replace(/[^a-z0-9]/g, '')}`);
    expect(manager!.submit(id, task)).toEqual(E.right(undefined));
    const final = await manager!.awaitFinal(id);
    expect({ file, phase: final.phase, error: final.error?.message }).toEqual({
      file,
      phase: 'Success',
      error: undefined,
    });
  });
});

describe('the least-privilege Roles of docs/rbac.yaml and docs/rbac-crd-plugins.yaml', () => {
  it('let a user bound only to them run a CRD plugin task to its end', async () => {
    const user = 'kubetasks-crd';
    for (const file of ['docs/rbac.yaml', 'docs/rbac-crd-plugins.yaml']) {
      const docs = parseAllDocuments(fs.readFileSync(path.join(repoRoot, file), 'utf8')).map(
        (d) => d.toJS() as KubeObject,
      );
      for (const d of docs) {
        const moved: KubeObject = {
          ...d,
          metadata: { ...d.metadata, namespace: NS },
          ...(d.kind === 'RoleBinding'
            ? { subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user }] }
            : {}),
        };
        const r = await cluster!.create(moved)();
        if (E.isLeft(r)) throw new Error(`${file} ${d.kind}: ${r.left.message}`);
      }
    }
    const minted = await plane!.mintUser(user, []);
    const restricted = makeKubernetesCluster({ kubeconfigPath: minted.kubeconfigPath });
    const forbidden: string[] = [];
    const note = (m: string, f?: unknown): void => {
      if (/forbidden/i.test(`${m} ${JSON.stringify(f)}`)) forbidden.push(m);
    };
    const spyLogger: Logger = {
      debug: () => undefined,
      info: () => undefined,
      warn: note,
      error: note,
      child: () => spyLogger,
    };
    const m = new Manager({
      cluster: restricted,
      clock: systemClock,
      registry,
      config,
      namespace: NS,
      logger: spyLogger,
    });
    await m.start();
    try {
      const example = examples.find(([, t]) => t.task.type === 'pytorch');
      if (example === undefined) throw new Error('no pytorch example');
      expect(m.submit('rbac-torch', inNamespace(example[1], 'rbactorch'))).toEqual(E.right(undefined));
      const final = await m.awaitFinal('rbac-torch');
      await m.idle();
      expect(final.phase).toBe('Success');
      expect(forbidden).toEqual([]);
    } finally {
      await m.stop();
      restricted.close();
    }
  });
});
