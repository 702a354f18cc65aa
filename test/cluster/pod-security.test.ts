// Pod Security on a real kube-apiserver: every pod the pod plugin builds under `restricted` is admitted there.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fc } from '@fast-check/vitest';
import * as E from 'fp-ts/lib/Either.js';
import { makeKubernetesCluster, type KubernetesCluster } from '../../src/adapters/kubernetes/index.js';
import { loadPlatformConfig, loadTaskExecution } from '../../src/app/inputs.js';
import type { KubeObject, Pod } from '../../src/domain/kubernetes.js';
import { addObjectMetadata } from '../../src/domain/object-metadata.js';
import type { PlatformConfig } from '../../src/domain/platform-config.js';
import { defaultPluginProperties, type BuildContext } from '../../src/domain/plugin.js';
import { buildResource } from '../../src/plugins/pod/build/index.js';
import { arbBuildContext } from '../../src/testing/task-arbitraries.js';
import { startControlPlane, type ControlPlane } from './control-plane.js';

const NS = 'restricted';
const RUNS = 50;
let plane: ControlPlane | undefined;
let cluster: KubernetesCluster | undefined;

const load = <A>(file: string, f: (file: string, text: string) => E.Either<unknown, A>): A => {
  const r = f(file, readFileSync(file, 'utf8'));
  if (E.isLeft(r)) throw new Error(`${file}: ${JSON.stringify(r.left)}`);
  return r.right;
};

const restrictedPlatform = load('examples/platform-restricted.yaml', loadPlatformConfig);

const asRestricted = (config: PlatformConfig): PlatformConfig => ({
  ...config,
  plugins: { ...config.plugins, k8s: { ...config.plugins.k8s, 'pod-security-standard': 'restricted' } },
});

let serial = 0;

/**
 * The generated tasks may mount a volume the pod does not declare (a pod-template override brings containers but not
 * their volumes); the API server rejects those as Invalid, which is about the input, not Pod Security. Such pods get
 * an emptyDir of that name (a volume type restricted allows, so this cannot hide a violation), and are counted.
 */
const withDeclaredMounts = (obj: KubeObject): { readonly pod: KubeObject; readonly repaired: boolean } => {
  const spec = (obj as Pod).spec;
  if (spec === undefined) return { pod: obj, repaired: false };
  const declared = new Set((spec.volumes ?? []).map((v) => v.name));
  const missing = [
    ...new Set(
      [...(spec.initContainers ?? []), ...spec.containers].flatMap((c) =>
        (c.volumeMounts ?? []).map((m) => m.name).filter((n) => !declared.has(n)),
      ),
    ),
  ];
  if (missing.length === 0) return { pod: obj, repaired: false };
  const volumes = [...(spec.volumes ?? []), ...missing.map((name) => ({ name, emptyDir: {} }))];
  return { pod: { ...obj, spec: { ...spec, volumes } }, repaired: true };
};

/** The manifest the manager would create, in our namespace under a name unique to this run. */
const manifestOf = (ctx: BuildContext, built: KubeObject): KubeObject => {
  const decorated = addObjectMetadata(ctx, defaultPluginProperties, built);
  serial += 1;
  return { ...decorated, metadata: { ...decorated.metadata, name: `pss-${serial}`, namespace: NS } };
};

const create = async (obj: KubeObject): Promise<E.Either<string, KubeObject>> => {
  const r = await cluster!.create(obj)();
  return E.isLeft(r) ? E.left(`${r.left.reason}: ${r.left.message}`) : E.right(r.right);
};

beforeAll(async () => {
  plane = await startControlPlane();
  cluster = makeKubernetesCluster({ kubeconfigPath: plane.kubeconfigPath });
  const ns = await cluster.create({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: NS,
      labels: {
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/enforce-version': 'latest',
      },
    },
  })();
  if (E.isLeft(ns)) throw new Error(ns.left.message);
  // The generated base template names this priority class; the Priority admission plugin refuses unknown ones.
  const pc = await cluster.create({
    apiVersion: 'scheduling.k8s.io/v1',
    kind: 'PriorityClass',
    metadata: { name: 'batch' },
    value: 1000,
  })();
  if (E.isLeft(pc)) throw new Error(pc.left.message);
});

afterAll(async () => {
  cluster?.close();
  await plane?.stop();
});

describe('Pod Security Standard restricted on a real kube-apiserver', () => {
  it('refuses a privileged pod with Forbidden (enforcement is on)', async () => {
    const r = await cluster!.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'privileged', namespace: NS },
      spec: { containers: [{ name: 'c', image: 'busybox:1.36', securityContext: { privileged: true } }] },
    })();
    expect(E.isLeft(r) && r.left.reason).toBe('Forbidden');
    if (E.isLeft(r)) expect(r.left.message).toMatch(/violates PodSecurity "restricted:latest"/);
  });

  it('refuses a pod with no security context at all with Forbidden', async () => {
    const r = await cluster!.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'plain', namespace: NS },
      spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] },
    })();
    expect(E.isLeft(r) && r.left.reason).toBe('Forbidden');
  });

  it('admits examples/tasks/restricted.yaml built with examples/platform-restricted.yaml', async () => {
    const ctx: BuildContext = {
      task: load('examples/tasks/restricted.yaml', loadTaskExecution),
      config: restrictedPlatform,
    };
    const built = buildResource(ctx);
    if (E.isLeft(built)) throw new Error(JSON.stringify(built.left));
    const r = await create(manifestOf(ctx, built.right));
    expect(r).toEqual(E.right(expect.objectContaining({ kind: 'Pod' })));
  });

  it('admits a plain container task under examples/platform-restricted.yaml', async () => {
    const ctx: BuildContext = {
      task: {
        task: {
          id: { name: 'plain' },
          type: 'container',
          container: { image: 'busybox:1.36', command: ['true'] },
        },
        execution: { id: { run: 'r1', action: 'plain' }, namespace: NS },
      },
      config: restrictedPlatform,
    };
    const built = buildResource(ctx);
    if (E.isLeft(built)) throw new Error(JSON.stringify(built.left));
    expect(await create(manifestOf(ctx, built.right))).toEqual(
      E.right(expect.objectContaining({ kind: 'Pod' })),
    );
  });

  it(`admits every pod built under restricted for ${RUNS} generated tasks and platforms`, async () => {
    let admitted = 0;
    let refusedByBuild = 0;
    let repaired = 0;
    await fc.assert(
      fc.asyncProperty(arbBuildContext, async (generated) => {
        const ctx: BuildContext = { ...generated, config: asRestricted(generated.config) };
        const built = buildResource(ctx);
        if (E.isLeft(built)) {
          refusedByBuild += 1;
          return;
        }
        const fixed = withDeclaredMounts(built.right);
        if (fixed.repaired) repaired += 1;
        const r = await create(manifestOf(ctx, fixed.pod));
        expect(r).toEqual(E.right(expect.objectContaining({ kind: 'Pod' })));
        admitted += 1;
      }),
      { numRuns: RUNS },
    );
    console.log(
      `pod-security: ${admitted} admitted, ${refusedByBuild} refused by the plugin, ${repaired} given missing emptyDir volumes`,
    );
    expect(admitted).toBeGreaterThan(0);
  });

  it(`admits every pod built from generated tasks under examples/platform-restricted.yaml`, async () => {
    let admitted = 0;
    await fc.assert(
      fc.asyncProperty(arbBuildContext, async (generated) => {
        const ctx: BuildContext = { task: generated.task, config: restrictedPlatform };
        const built = buildResource(ctx);
        if (E.isLeft(built)) return;
        expect(await create(manifestOf(ctx, withDeclaredMounts(built.right).pod))).toEqual(
          E.right(expect.objectContaining({ kind: 'Pod' })),
        );
        admitted += 1;
      }),
      { numRuns: RUNS },
    );
    expect(admitted).toBeGreaterThan(0);
  });
});
