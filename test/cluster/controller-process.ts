// The controller CLI as child processes of real-cluster tests: deploy/'s manifests and identity, replicas, polling.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { parseAllDocuments } from 'yaml';
import type { KubernetesCluster } from '../../src/adapters/kubernetes/index.js';
import type { KubeObject } from '../../src/domain/kubernetes.js';
import { TASK_EXECUTION } from '../../src/domain/task-execution-resource.js';
import { startCli, type Running } from '../cli/spawn.js';
import type { ControlPlane } from './control-plane.js';

/** Every object of every manifest in deploy/, in file order. */
export const deployManifests = (): ReadonlyArray<{ readonly file: string; readonly object: KubeObject }> =>
  readdirSync('deploy')
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((f) =>
      parseAllDocuments(readFileSync(join('deploy', f), 'utf8'))
        .map((d) => d.toJS() as KubeObject | null)
        .filter((o): o is KubeObject => o !== null)
        .map((object) => ({ file: f, object })),
    );

/** The one object of a kind in deploy/ (the CRD, the Namespace, the ServiceAccount). */
export const deployObject = (kind: string): KubeObject => {
  const found = deployManifests().filter((m) => m.object.kind === kind);
  if (found.length !== 1) throw new Error(`deploy/ holds ${found.length} ${kind} objects, expected 1`);
  return found[0]!.object;
};

/** The Right of a call, or a thrown error naming what failed. */
export const must = async <A>(label: string, r: Promise<E.Either<{ message: string }, A>>): Promise<A> => {
  const x = await r;
  if (E.isLeft(x)) throw new Error(`${label}: ${x.left.message}`);
  return x.right;
};

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `cond` every 200 ms until it holds; throws naming `what` after `ms`. */
export const until = async (what: string, cond: () => Promise<boolean>, ms = 60_000): Promise<void> => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what}`);
};

/** Where the controllers' kubeconfig and Lease are, once deploy/'s identity is installed. */
export interface ControllerIdentity {
  /** A kubeconfig with a client certificate for deploy/'s ServiceAccount: exactly deploy/'s RBAC. */
  readonly kubeconfigPath: string;
  /** The ServiceAccount's namespace, where deploy/'s Role lets it keep its Lease. */
  readonly leaseNamespace: string;
}

/**
 * Installs deploy/'s CRD (waiting until it is served), namespace, ServiceAccount and RBAC as the admin, and mints a
 * client certificate for `system:serviceaccount:<ns>:<name>` in `system:serviceaccounts`: the API server then
 * authorizes the controller exactly as it would the Deployment's pods. Objects already there are kept.
 */
export const installControllerIdentity = async (
  plane: ControlPlane,
  admin: KubernetesCluster,
): Promise<ControllerIdentity> => {
  const create = async (o: KubeObject): Promise<void> => {
    const r = await admin.create(o)();
    if (E.isLeft(r) && r.left.reason !== 'AlreadyExists') throw new Error(`${o.kind}: ${r.left.message}`);
  };
  await create(deployObject('CustomResourceDefinition'));
  await until('the CRD to be served', async () => {
    const r = await admin.serves(TASK_EXECUTION)();
    return E.isRight(r) && r.right;
  });
  await create(deployObject('Namespace'));
  for (const m of deployManifests().filter((x) =>
    ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'].includes(x.object.kind),
  ))
    await create(m.object);
  const sa = deployObject('ServiceAccount');
  const ns = sa.metadata!.namespace!;
  const user = await plane.mintUser(`system:serviceaccount:${ns}:${sa.metadata!.name!}`, [
    'system:serviceaccounts',
    `system:serviceaccounts:${ns}`,
  ]);
  return { kubeconfigPath: user.kubeconfigPath, leaseNamespace: ns };
};

/** Writes a platform config file for the controllers into the plane's data directory. */
export const writeControllerConfig = (plane: ControlPlane, name: string, yaml: string): string => {
  const file = join(plane.dataDir, name);
  writeFileSync(file, yaml);
  return file;
};

/** A controller process once it has said where it listens (and, with --leader-elect, who it is). */
export interface ControllerProcess {
  readonly running: Running;
  readonly healthPort: number;
  readonly metricsPort: number;
  /** Its leader-election identity (the Lease's holderIdentity while it leads); '' without --leader-elect. */
  readonly identity: string;
}

/** What to start a controller with. */
export interface ControllerArgs {
  readonly identity: ControllerIdentity;
  readonly configFile: string;
  /** Extra flags (lease name and timings, --namespace, ...). */
  readonly args?: ReadonlyArray<string>;
  /** Extra environment (POD_NAME names the replica in its identity and logs). */
  readonly env?: Readonly<Record<string, string>>;
}

/** The JSON log records of a process's standard error that carry `msg`. */
export const logRecords = (stderr: string, msg: string): ReadonlyArray<Record<string, unknown>> =>
  stderr
    .split('\n')
    .filter((l) => l.includes(`"${msg}"`))
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as Record<string, unknown>];
      } catch {
        return [];
      }
    });

/**
 * `kubetasks controller --leader-elect` as deploy/'s ServiceAccount (from the built CLI, `npm run build`), on
 * ephemeral probe and metrics ports; resolves once it answers 200 on /readyz (a standby is ready too).
 */
export const startController = async (o: ControllerArgs): Promise<ControllerProcess> => {
  const running = startCli(
    [
      'controller',
      '--kubeconfig',
      o.identity.kubeconfigPath,
      '--config',
      o.configFile,
      '--leader-elect',
      '--lease-namespace',
      o.identity.leaseNamespace,
      '--health-addr',
      '127.0.0.1:0',
      '--metrics-addr',
      '127.0.0.1:0',
      ...(o.args ?? []),
    ],
    false,
    o.env,
  );
  await running.stderrHas('controller starting');
  const ports = logRecords(running.stderr(), 'controller starting')[0] as
    { healthPort: number; metricsPort: number } | undefined;
  if (ports === undefined) throw new Error(`no ports in:\n${running.stderr()}`);
  await running.stderrHas('campaigning for the lease');
  const named = logRecords(running.stderr(), 'campaigning for the lease')[0]?.['identity'];
  const identity = typeof named === 'string' ? named : '';
  await until(
    'ready',
    async () =>
      (await fetch(`http://127.0.0.1:${ports.healthPort}/readyz`).catch(() => undefined))?.status === 200,
  );
  return { running, healthPort: ports.healthPort, metricsPort: ports.metricsPort, identity };
};
