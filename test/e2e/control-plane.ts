// The e2e suite's control plane: the real-cluster harness's etcd + kube-apiserver, plus kube-controller-manager,
// kube-scheduler, KWOK with fake nodes and the Kubeflow training operator, all on 127.0.0.1.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  adminRequest,
  freePort,
  isExecutable,
  pinnedKubernetesVersion,
  startControlPlane,
  startProcess,
  stopProcess,
  tail,
  testbinDir,
  waitUntil,
  type ControlPlane,
  type Managed,
} from '../cluster/control-plane.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The task scenarios as KWOK Stages, selected per pod by the kubetasks.dev/scenario annotation. */
export const stagesDir = path.join(repoRoot, 'test', 'e2e', 'stages');

/** The annotation KWOK manages nodes by (--manage-nodes-with-annotation-selector). */
export const KWOK_NODE_ANNOTATION = 'kwok.x-k8s.io/node';
/** The label and taint value of the GPU nodes' accelerator (the platform config's gpu-device-node-label). */
export const GPU_ACCELERATOR = 'nvidia-tesla-t4';
/** Where the training operator reads its webhook serving certificate (a constant in its pkg/cert). */
const OPERATOR_CERT_DIR = '/tmp/k8s-webhook-server/serving-certs';
/** The taint every spot node carries; interruptible tasks tolerate it. */
export const SPOT_TAINT_KEY = 'kubetasks.dev/spot';

export interface FullControlPlaneOptions {
  /** How many KWOK nodes: of every five, the fourth has a spot taint and the fifth GPUs (tainted). Default 10. */
  readonly nodes?: number;
  /** Starts the training operator (pytorchjob, tfjob, mpijob). Default true. */
  readonly trainingOperator?: boolean;
  /** Where each component's log goes; kept after stop(). Default: inside the plane's data dir, removed on stop. */
  readonly logDir?: string;
  /** Budget for each component to become ready. Default 120 s. */
  readonly startTimeoutMs?: number;
}

export interface FullControlPlane {
  readonly plane: ControlPlane;
  /** The fake nodes' names, in creation order. */
  readonly nodes: readonly string[];
  /** Each component's log file, by name. */
  readonly logs: Readonly<Record<string, string>>;
  stop(): Promise<void>;
}

const modVersion = (dir: string, module: string): string => {
  const goMod = fs.readFileSync(path.join(repoRoot, 'tools', dir, 'go.mod'), 'utf8');
  const escaped = module.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const match = new RegExp(`^\\s*(?:require\\s+)?${escaped}\\s+(v\\d+\\.\\d+\\.\\d+)\\s*$`, 'm').exec(goMod);
  if (match?.[1] === undefined) throw new Error(`tools/${dir}/go.mod does not require ${module}`);
  return match[1];
};

/** The binaries and manifests `scripts/testbin.sh e2e` leaves in the cache; a missing one fails loudly. */
export interface E2eBinaries {
  readonly kubeControllerManager: string;
  readonly kubeScheduler: string;
  readonly kwok: string;
  readonly kwokCrds: readonly string[];
  readonly kwokNodeStages: readonly string[];
  readonly trainingOperator: string;
  readonly trainingOperatorCrds: readonly string[];
}

const yamlFiles = (dir: string, prefix = ''): string[] => {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') && f.startsWith(prefix))
    .sort()
    .map((f) => path.join(dir, f));
};

/** Finds the e2e binaries and manifests (the operator's only if asked); throws naming what is missing. */
export const resolveE2eBinaries = (withOperator = true): E2eBinaries => {
  const root = testbinDir();
  const kube = path.join(root, pinnedKubernetesVersion());
  const kwokDir = path.join(root, `kwok-${modVersion('kwok', 'sigs.k8s.io/kwok')}`);
  const toDir = path.join(
    root,
    `training-operator-${modVersion('training-operator', 'github.com/kubeflow/training-operator')}`,
  );
  const found: E2eBinaries = {
    kubeControllerManager: path.join(kube, 'kube-controller-manager'),
    kubeScheduler: path.join(kube, 'kube-scheduler'),
    kwok: path.join(kwokDir, 'kwok'),
    kwokCrds: yamlFiles(path.join(kwokDir, 'crds')),
    kwokNodeStages: yamlFiles(path.join(kwokDir, 'stages'), 'node-'),
    trainingOperator: path.join(toDir, 'training-operator'),
    trainingOperatorCrds: yamlFiles(path.join(toDir, 'crds')),
  };
  const missing = [
    ...[
      found.kubeControllerManager,
      found.kubeScheduler,
      found.kwok,
      ...(withOperator ? [found.trainingOperator] : []),
    ].filter((f) => !isExecutable(f)),
    ...(found.kwokCrds.length === 0 ? [`${kwokDir}/crds/*.yaml`] : []),
    ...(found.kwokNodeStages.length === 0 ? [`${kwokDir}/stages/node-*.yaml`] : []),
    ...(withOperator && found.trainingOperatorCrds.length === 0 ? [`${toDir}/crds/*.yaml`] : []),
  ];
  if (missing.length > 0)
    throw new Error(`e2e binaries not built (run scripts/testbin.sh e2e): missing ${missing.join(', ')}`);
  return found;
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// The components serve /healthz over TLS with a self-signed certificate of their own: only liveness is read.
const healthz = (url: string): Promise<boolean> =>
  new Promise((resolve) => {
    const get = url.startsWith('https:') ? https.get : http.get;
    const req = get(url, { rejectUnauthorized: false, agent: false, timeout: 2_000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });

const yamlDocs = (file: string): string[] =>
  fs
    .readFileSync(file, 'utf8')
    .split(/^---[ \t]*$/m)
    .filter((d) => d.split('\n').some((l) => l.trim() !== '' && !l.trimStart().startsWith('#')));

const must = async (what: string, p: Promise<{ status: number; body: string }>): Promise<void> => {
  const res = await p;
  if (res.status < 200 || res.status > 299) throw new Error(`${what}: HTTP ${res.status}: ${res.body}`);
};

/** One fake node: allocatable for plenty of small pods, GPUs or a spot taint by position. */
export const fakeNode = (i: number): Record<string, unknown> => {
  const name = `kwok-node-${i}`;
  // Of every five nodes the first three are plain, so small planes have somewhere untainted to run.
  const gpu = i % 5 === 4;
  const spot = i % 5 === 3;
  const capacity = {
    cpu: '32',
    memory: '256Gi',
    // Real nodes report it; without it any pod requesting ephemeral storage (the MPI launcher) is unschedulable.
    'ephemeral-storage': '1Ti',
    pods: '110',
    ...(gpu ? { 'nvidia.com/gpu': '8' } : {}),
  };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: { [KWOK_NODE_ANNOTATION]: 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        type: 'kwok',
        ...(gpu ? { 'k8s.amazonaws.com/accelerator': GPU_ACCELERATOR } : {}),
        ...(spot ? { 'kubetasks.dev/lifecycle': 'spot' } : {}),
      },
    },
    spec: {
      taints: [
        ...(gpu ? [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }] : []),
        ...(spot ? [{ key: SPOT_TAINT_KEY, value: 'true', effect: 'NoSchedule' }] : []),
      ],
    },
    status: { allocatable: capacity, capacity },
  };
};

/**
 * Starts etcd and kube-apiserver (the real-cluster harness), then kube-controller-manager (Job controller, garbage
 * collector, namespace controller), kube-scheduler, KWOK managing `nodes` fake nodes with the repository's pod
 * Stages and KWOK's default node stage, and the training operator. Every component gets its own client
 * certificate from the run's CA. Fails (never skips) when any component does not start, with its log's tail.
 */
export async function startFullControlPlane(opts: FullControlPlaneOptions = {}): Promise<FullControlPlane> {
  const withOperator = opts.trainingOperator ?? true;
  const bins = resolveE2eBinaries(withOperator);
  const timeoutMs =
    opts.startTimeoutMs ?? Number(process.env['KUBETASKS_CONTROLPLANE_START_TIMEOUT_MS'] ?? 120_000);
  // KUBETASKS_E2E_LOG_DIR keeps every component's log after the run, for reading a failure.
  const keptLogs = opts.logDir ?? process.env['KUBETASKS_E2E_LOG_DIR'];
  const plane = await startControlPlane({
    crdFiles: [...bins.kwokCrds, ...(withOperator ? bins.trainingOperatorCrds : [])],
    ...(keptLogs === undefined || keptLogs === '' ? {} : { logDir: keptLogs }),
    startTimeoutMs: timeoutMs,
  });
  const logDir = keptLogs === undefined || keptLogs === '' ? path.join(plane.dataDir, 'logs') : keptLogs;
  fs.mkdirSync(logDir, { recursive: true });
  const procs: Managed[] = [];
  const logs: Record<string, string> = {};
  let reaper: ChildProcess | undefined;
  // Outside the plane's data dir, which plane.stop() removes before a hard-killed run's reaper would read it.
  const pidDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubetasks-e2e-'));
  const pidFile = path.join(pidDir, 'pids');
  const recordPids = (): void =>
    fs.writeFileSync(
      pidFile,
      `${procs.flatMap((p) => (p.child?.pid === undefined ? [] : [p.child.pid])).join(' ')}\n`,
    );
  const killAllSync = (): void => {
    for (const p of procs) p.child?.kill('SIGKILL');
    reaper?.kill('SIGKILL');
  };
  process.once('exit', killAllSync);

  const stop = async (): Promise<void> => {
    process.removeListener('exit', killAllSync);
    // Controllers first, so none of them logs a storm of errors against a vanished API server.
    for (const p of [...procs].reverse()) await stopProcess(p);
    reaper?.kill('SIGKILL');
    fs.rmSync(pidDir, { recursive: true, force: true });
    await plane.stop();
  };

  const launch = async (
    name: string,
    file: string,
    args: readonly string[],
    probe: () => Promise<boolean>,
    env: NodeJS.ProcessEnv = process.env,
    meanwhile: () => Promise<void> = () => Promise.resolve(),
  ): Promise<void> => {
    const logFile = path.join(logDir, `${name}.log`);
    logs[name] = logFile;
    const proc = startProcess(name, file, args, logFile, env);
    procs.push(proc);
    recordPids();
    await meanwhile();
    await waitUntil(proc, 'healthz', timeoutMs, probe, 200);
  };

  try {
    // Like the base harness: a detached watcher ends the components if the test process is killed hard.
    fs.writeFileSync(pidFile, '\n');
    reaper = spawn(
      'sh',
      [
        '-c',
        'while kill -0 "$1" 2>/dev/null; do sleep 1; done; kill -9 $(cat "$2" 2>/dev/null) 2>/dev/null; rm -rf "$3"',
        'kubetasks-e2e-reaper',
        String(process.pid),
        pidFile,
        pidDir,
      ],
      { detached: true, stdio: 'ignore' },
    );
    reaper.unref();

    // The components run as system:masters: their own RBAC is the installers' business, not what is tested here.
    const kubeconfigOf = async (user: string): Promise<string> =>
      (await plane.mintUser(user, ['system:masters'])).kubeconfigPath;

    // Stages and nodes exist before KWOK starts, so its first list sees them all.
    for (const file of [
      ...bins.kwokNodeStages,
      ...fs
        .readdirSync(stagesDir)
        .filter((f) => f.endsWith('.yaml'))
        .sort()
        .map((f) => path.join(stagesDir, f)),
    ]) {
      for (const doc of yamlDocs(file)) {
        await must(
          `Stage from ${file}`,
          adminRequest(plane, {
            method: 'POST',
            path: '/apis/kwok.x-k8s.io/v1alpha1/stages',
            body: doc,
            contentType: 'application/yaml',
          }),
        );
      }
    }
    const nodeCount = opts.nodes ?? 10;
    const nodes: string[] = [];
    for (let i = 0; i < nodeCount; i++) {
      const node = fakeNode(i);
      await must(
        `node ${i}`,
        adminRequest(plane, { method: 'POST', path: '/api/v1/nodes', body: JSON.stringify(node) }),
      );
      // kube-apiserver's TaintNodesByCondition admission gives every new node the not-ready NoSchedule taint; the
      // node lifecycle controller lifts it once the node is Ready. That controller is not run (it would also evict
      // pods from nodes whose heartbeats it judges late on a loaded machine), so the harness puts the node's own
      // taints back, as the controller would once KWOK's node-initialize stage has made it Ready.
      await must(
        `node ${i} taints`,
        adminRequest(plane, {
          method: 'PATCH',
          path: `/api/v1/nodes/kwok-node-${i}`,
          body: JSON.stringify({ spec: { taints: (node['spec'] as { taints: unknown[] }).taints } }),
          contentType: 'application/merge-patch+json',
        }),
      );
      nodes.push(`kwok-node-${i}`);
    }

    const kcmPort = await freePort();
    const kcmConfig = await kubeconfigOf('system:kube-controller-manager');
    await launch(
      'kube-controller-manager',
      bins.kubeControllerManager,
      [
        `--kubeconfig=${kcmConfig}`,
        `--authentication-kubeconfig=${kcmConfig}`,
        `--authorization-kubeconfig=${kcmConfig}`,
        '--leader-elect=false',
        '--bind-address=127.0.0.1',
        `--secure-port=${kcmPort}`,
        `--cert-dir=${path.join(plane.dataDir, 'kcm-certs')}`,
        // Only what the plugins' resources need: Jobs, ownership-based cleanup, and namespace deletion. The
        // service-account token controller is not needed: the harness disables the ServiceAccount admission plugin.
        '--controllers=job-controller,garbage-collector-controller,namespace-controller',
        '--concurrent-job-syncs=5',
        '--v=1',
      ],
      () => healthz(`https://127.0.0.1:${kcmPort}/healthz`),
    );

    const schedPort = await freePort();
    const schedConfig = await kubeconfigOf('system:kube-scheduler');
    await launch(
      'kube-scheduler',
      bins.kubeScheduler,
      [
        `--kubeconfig=${schedConfig}`,
        `--authentication-kubeconfig=${schedConfig}`,
        `--authorization-kubeconfig=${schedConfig}`,
        '--leader-elect=false',
        '--bind-address=127.0.0.1',
        `--secure-port=${schedPort}`,
        `--cert-dir=${path.join(plane.dataDir, 'scheduler-certs')}`,
        '--v=1',
      ],
      () => healthz(`https://127.0.0.1:${schedPort}/healthz`),
    );

    const kwokPort = await freePort();
    await launch(
      'kwok',
      bins.kwok,
      [
        `--kubeconfig=${await kubeconfigOf('kwok')}`,
        `--manage-nodes-with-annotation-selector=${KWOK_NODE_ANNOTATION}=fake`,
        '--enable-crds=Stage',
        `--server-address=127.0.0.1:${kwokPort}`,
        // No lease renewals: nothing here (no node lifecycle controller) would mark a silent node NotReady.
        '--node-lease-duration-seconds=0',
      ],
      () => healthz(`http://127.0.0.1:${kwokPort}/healthz`),
      // A HOME of its own: never the ~/.kwok/kwok.yaml of whoever runs the suite.
      { ...process.env, HOME: plane.dataDir },
    );
    // KWOK's health endpoint answers before its informers have run the node stages: wait for Ready nodes.
    await waitUntil(procs[procs.length - 1]!, 'every node Ready', timeoutMs, async () => {
      const res = await adminRequest(plane, { method: 'GET', path: '/api/v1/nodes' });
      if (res.status !== 200) return false;
      const items: { status?: { conditions?: { type: string; status: string }[] } }[] = JSON.parse(
        res.body,
      ).items;
      return (
        items.length === nodeCount &&
        items.every(
          (n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true,
        )
      );
    });

    if (withOperator) {
      // The operator's certificate rotator stores its webhook certificates in a Secret it will not create.
      await must(
        'namespace kubeflow',
        adminRequest(plane, {
          method: 'POST',
          path: '/api/v1/namespaces',
          body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kubeflow' } }),
        }),
      );
      await must(
        'webhook Secret',
        adminRequest(plane, {
          method: 'POST',
          path: '/api/v1/namespaces/kubeflow/secrets',
          body: JSON.stringify({
            apiVersion: 'v1',
            kind: 'Secret',
            metadata: { name: 'training-operator-webhook-cert', namespace: 'kubeflow' },
          }),
        }),
      );
      const [metricsPort, probePort, webhookPort] = [await freePort(), await freePort(), await freePort()];
      await launch(
        'training-operator',
        bins.trainingOperator,
        [
          `--kubeconfig=${await kubeconfigOf('training-operator')}`,
          `--metrics-bind-address=127.0.0.1:${metricsPort}`,
          `--health-probe-bind-address=127.0.0.1:${probePort}`,
          `--webhook-server-port=${webhookPort}`,
          '--enable-scheme=pytorchjob',
          '--enable-scheme=tfjob',
          '--enable-scheme=mpijob',
          '--leader-elect=false',
        ],
        () => healthz(`http://127.0.0.1:${probePort}/readyz`),
        { ...process.env, MY_POD_NAMESPACE: 'kubeflow' },
        // In a cluster the kubelet mounts the Secret the rotator fills; here the harness copies it into the fixed
        // directory the operator reads (pkg/cert: /tmp/k8s-webhook-server/serving-certs). The rotator gives up
        // if the files do not appear within its back-off, and the operator never becomes ready.
        async () => {
          let data: Record<string, string> = {};
          await waitUntil(procs[procs.length - 1]!, 'webhook certificates', timeoutMs, async () => {
            const res = await adminRequest(plane, {
              method: 'GET',
              path: '/api/v1/namespaces/kubeflow/secrets/training-operator-webhook-cert',
            });
            data = res.status === 200 ? ((JSON.parse(res.body).data ?? {}) as Record<string, string>) : {};
            return data['tls.crt'] !== undefined && data['tls.key'] !== undefined;
          });
          fs.mkdirSync(OPERATOR_CERT_DIR, { recursive: true });
          for (const f of ['tls.crt', 'tls.key', 'ca.crt'])
            if (data[f] !== undefined)
              fs.writeFileSync(path.join(OPERATOR_CERT_DIR, f), Buffer.from(data[f], 'base64'), {
                mode: 0o600,
              });
        },
      );
    }
    return { plane, nodes, logs, stop };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const tails = procs
      .map((p) => `---- last 40 lines of ${p.logFile} ----\n${tail(p.logFile, 40)}`)
      .join('\n');
    await stop().catch(() => undefined);
    throw new Error(`e2e control plane failed to start: ${message}\n${tails}`);
  }
}

/** Waits for `probe` on the wall clock, for tests that watch a component act. */
export const eventually = async (
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs = 60_000,
): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(200);
  }
};
