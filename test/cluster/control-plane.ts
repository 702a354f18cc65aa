// Test control plane: etcd plus a real kube-apiserver on 127.0.0.1 with per-run certificates, envtest-style.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ControlPlaneOptions {
  /** CustomResourceDefinition manifests (YAML, one or more documents each) installed before start-up returns. */
  readonly crdFiles?: readonly string[];
  /** Where etcd.log and kube-apiserver.log go; they outlive stop(). Default: inside dataDir, removed on stop. */
  readonly logDir?: string;
  /** Budget for each process to become ready. Default 60 s (KUBETASKS_CONTROLPLANE_START_TIMEOUT_MS). */
  readonly startTimeoutMs?: number;
}

export interface ControlPlane {
  readonly kubeconfigPath: string;
  /** https://127.0.0.1:<port> */
  readonly server: string;
  readonly caPem: string;
  readonly adminCertPem: string;
  readonly adminKeyPem: string;
  /** The run's temporary directory: certificates, kubeconfigs, etcd data. Removed by stop(). */
  readonly dataDir: string;
  /** The gitVersion kube-apiserver was built with, e.g. v1.34.12. */
  readonly version: string;
  stop(): Promise<void>;
  /**
   * Stops kube-apiserver and starts it again on the same port and etcd (watches break, state survives), after
   * `downMs` with no server at all when given (an outage of at least that long, whatever the start-up takes).
   */
  restartApiServer(options?: { readonly downMs?: number }): Promise<void>;
  /** A client certificate user (CN=name, O=groups) signed by the run's CA, for RBAC tests. */
  mintUser(name: string, groups: readonly string[]): Promise<{ kubeconfigPath: string }>;
}

export interface KubeResponse {
  readonly status: number;
  readonly body: string;
}

export interface KubeRequest {
  readonly method: string;
  readonly path: string;
  readonly body?: string;
  readonly contentType?: string;
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const logTailLines = 40;
const stopGraceMs = 10_000;

function pinnedModuleVersion(module: string): string {
  const goMod = fs.readFileSync(path.join(repoRoot, 'tools', 'testbin', 'go.mod'), 'utf8');
  const escaped = module.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const match = new RegExp(`^\\s*(?:require\\s+)?${escaped}\\s+(v\\d+\\.\\d+\\.\\d+)\\s*$`, 'm').exec(goMod);
  if (match?.[1] === undefined) throw new Error(`tools/testbin/go.mod does not require ${module}`);
  return match[1];
}

/** The k8s.io/kubernetes version tools/testbin/go.mod pins; scripts/testbin.sh builds exactly this. */
export function pinnedKubernetesVersion(): string {
  return pinnedModuleVersion('k8s.io/kubernetes');
}

// Binaries come from scripts/testbin.sh; KUBETASKS_KUBE_APISERVER / KUBETASKS_ETCD override them and
// KUBETASKS_TESTBIN moves the cache. Only Node built-ins are used so the harness has no dependency of its own.
/** Where scripts/testbin.sh caches binaries (KUBETASKS_TESTBIN, default ~/.cache/kubetasks/testbin). */
export function testbinDir(): string {
  return process.env['KUBETASKS_TESTBIN'] ?? path.join(os.homedir(), '.cache', 'kubetasks', 'testbin');
}

/** The file exists and may be executed. */
export function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

const notBuilt = (what: string): Error =>
  new Error(`${what} not found: run scripts/testbin.sh first (it builds or installs the test binaries)`);

function resolveKubeApiserver(version: string): string {
  const explicit = process.env['KUBETASKS_KUBE_APISERVER'];
  if (explicit !== undefined && explicit !== '') return explicit;
  const cached = path.join(testbinDir(), version, 'kube-apiserver');
  if (isExecutable(cached)) return cached;
  throw notBuilt(`kube-apiserver ${version} (looked for ${cached})`);
}

// No PATH fallback on purpose: Debian's etcd 3.4 breaks plain watches against this apiserver, so only the
// etcd testbin.sh builds (the version k8s.io/kubernetes pins), or an explicit override, is used.
function resolveEtcd(version: string): string {
  const explicit = process.env['KUBETASKS_ETCD'];
  if (explicit !== undefined && explicit !== '') return explicit;
  const etcdVersion = pinnedModuleVersion('go.etcd.io/etcd/server/v3');
  const cached = path.join(testbinDir(), version, `etcd-${etcdVersion}`);
  if (isExecutable(cached)) return cached;
  throw notBuilt(`etcd ${etcdVersion} (looked for ${cached})`);
}

function run(file: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error === null) resolve(stdout + stderr);
      else reject(new Error(`${file} ${args.join(' ')} failed: ${error.message}\n${stderr}`));
    });
  });
}

/** A loopback port free at the moment of asking (callers retry the rare bind race). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not read a free port'));
      });
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The last lines of a log file, or a placeholder when there is none. */
export function tail(file: string, lines: number): string {
  try {
    return fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .slice(-lines - 1)
      .join('\n');
  } catch {
    return '(no log)';
  }
}

// ---- certificates (openssl CLI: Node 20 can make keys but cannot issue X.509 certificates) ----

interface KeyPair {
  readonly certPem: string;
  readonly keyPem: string;
  readonly certFile: string;
  readonly keyFile: string;
}

// openssl -subj treats these as syntax; a user or group name must not change the subject's structure.
const subjectValue = (value: string): string => value.replace(/[\\/+=,]/g, (c) => `\\${c}`);

async function makeCa(dir: string): Promise<KeyPair> {
  const certFile = path.join(dir, 'ca.crt');
  const keyFile = path.join(dir, 'ca.key');
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    keyFile,
    '-out',
    certFile,
    '-subj',
    `/CN=kubetasks-test-ca-${randomBytes(4).toString('hex')}`,
    '-days',
    '7',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign,digitalSignature',
  ]);
  return {
    certFile,
    keyFile,
    certPem: fs.readFileSync(certFile, 'utf8'),
    keyPem: fs.readFileSync(keyFile, 'utf8'),
  };
}

async function issue(
  ca: KeyPair,
  dir: string,
  base: string,
  subject: string,
  extensions: readonly string[],
): Promise<KeyPair> {
  const certFile = path.join(dir, `${base}.crt`);
  const keyFile = path.join(dir, `${base}.key`);
  const csrFile = path.join(dir, `${base}.csr`);
  const extFile = path.join(dir, `${base}.ext`);
  fs.writeFileSync(extFile, `${extensions.join('\n')}\n`);
  await run('openssl', [
    'req',
    '-new',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    keyFile,
    '-out',
    csrFile,
    '-subj',
    subject,
  ]);
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    csrFile,
    '-CA',
    ca.certFile,
    '-CAkey',
    ca.keyFile,
    // Random serials instead of -CAcreateserial: concurrent mintUser calls would race on the serial file.
    '-set_serial',
    `0x${randomBytes(16).toString('hex')}`,
    '-days',
    '7',
    '-extfile',
    extFile,
    '-out',
    certFile,
  ]);
  fs.rmSync(csrFile);
  fs.rmSync(extFile);
  return {
    certFile,
    keyFile,
    certPem: fs.readFileSync(certFile, 'utf8'),
    keyPem: fs.readFileSync(keyFile, 'utf8'),
  };
}

const clientSubject = (name: string, groups: readonly string[]): string =>
  `/CN=${subjectValue(name)}${groups.map((g) => `/O=${subjectValue(g)}`).join('')}`;

const clientExtensions = [
  'basicConstraints=critical,CA:FALSE',
  'keyUsage=critical,digitalSignature',
  'extendedKeyUsage=clientAuth',
];

function kubeconfig(server: string, caPem: string, user: string, certPem: string, keyPem: string): string {
  const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
  // JSON-quoted scalars are valid YAML, so names need no YAML escaping of their own.
  const q = (s: string): string => JSON.stringify(s);
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '  - name: kubetasks-test',
    '    cluster:',
    `      server: ${q(server)}`,
    `      certificate-authority-data: ${b64(caPem)}`,
    'users:',
    `  - name: ${q(user)}`,
    '    user:',
    `      client-certificate-data: ${b64(certPem)}`,
    `      client-key-data: ${b64(keyPem)}`,
    'contexts:',
    '  - name: kubetasks-test',
    '    context:',
    '      cluster: kubetasks-test',
    `      user: ${q(user)}`,
    '      namespace: default',
    'current-context: kubetasks-test',
    '',
  ].join('\n');
}

// ---- REST ----

interface Credentials {
  readonly server: string;
  readonly caPem: string;
  readonly certPem: string;
  readonly keyPem: string;
}

function httpsRequest(creds: Credentials, req: KubeRequest, timeoutMs = 30_000): Promise<KubeResponse> {
  return new Promise((resolve, reject) => {
    const url = new URL(req.path, creds.server);
    const headers: Record<string, string | number> = { Accept: 'application/json' };
    if (req.body !== undefined) {
      headers['Content-Type'] = req.contentType ?? 'application/json';
      headers['Content-Length'] = Buffer.byteLength(req.body);
    }
    const request = https.request(
      url,
      {
        method: req.method,
        headers,
        ca: creds.caPem,
        cert: creds.certPem,
        key: creds.keyPem,
        agent: false,
        timeout: timeoutMs,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error(`${req.method} ${req.path} timed out`)));
    request.on('error', reject);
    request.end(req.body);
  });
}

function httpGet(url: string): Promise<KubeResponse> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent: false, timeout: 2_000 }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`GET ${url} timed out`)));
    request.on('error', reject);
  });
}

/** A request as the plane's admin (system:masters), for tests that talk REST without a client library. */
export function adminRequest(plane: ControlPlane, req: KubeRequest): Promise<KubeResponse> {
  return httpsRequest(
    { server: plane.server, caPem: plane.caPem, certPem: plane.adminCertPem, keyPem: plane.adminKeyPem },
    req,
  );
}

// ---- processes ----

/** A child process of the harness, its log file, and a promise for its exit. */
export interface Managed {
  readonly name: string;
  readonly logFile: string;
  child: ChildProcess | undefined;
  exit: Promise<void>;
}

/** Starts a component with its output appended to logFile. */
export function startProcess(
  name: string,
  file: string,
  args: readonly string[],
  logFile: string,
  env: NodeJS.ProcessEnv = process.env,
): Managed {
  const fd = fs.openSync(logFile, 'a');
  fs.writeSync(fd, `\n==== ${new Date().toISOString()} ${file} ${args.join(' ')}\n`);
  const child = spawn(file, args, { stdio: ['ignore', fd, fd], env });
  fs.closeSync(fd);
  const managed: Managed = {
    name,
    logFile,
    child,
    exit: new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.once('error', (error) => {
        fs.appendFileSync(logFile, `spawn failed: ${error.message}\n`);
        resolve();
      });
    }),
  };
  void managed.exit.then(() => {
    managed.child = undefined;
  });
  return managed;
}

/** SIGTERM, then SIGKILL after the grace period; resolves once the process has exited. */
export async function stopProcess(proc: Managed): Promise<void> {
  const child = proc.child;
  if (child === undefined) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child?.kill('SIGKILL'), stopGraceMs);
  await proc.exit;
  clearTimeout(timer);
}

/** Polls probe until it answers true; fails early when the process exits, or at the deadline. */
export async function waitUntil(
  proc: Managed,
  what: string,
  timeoutMs: number,
  probe: () => Promise<boolean>,
  intervalMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void proc.exit.then(() => {
    exited = true;
  });
  for (;;) {
    if (exited) throw new Error(`${proc.name} exited before ${what}`);
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${proc.name}: ${what} not reached within ${timeoutMs} ms`);
    await sleep(intervalMs);
  }
}

function withLogs(error: unknown, procs: readonly Managed[]): Error {
  const message = error instanceof Error ? error.message : String(error);
  const logs = procs
    .map((p) => `---- last ${logTailLines} lines of ${p.logFile} ----\n${tail(p.logFile, logTailLines)}`)
    .join('\n');
  return new Error(`control plane failed to start: ${message}\n${logs}`);
}

// The bind race of "listen on 0, close, hand the port over" is rare but real; those failures are retried.
const lostPortRace = (logFile: string): boolean =>
  /address already in use/i.test(tail(logFile, logTailLines));

// ---- CRDs ----

interface CrdInfo {
  readonly name: string;
  readonly group: string;
  readonly plural: string;
  readonly versions: readonly string[];
}

function yamlDocuments(text: string): string[] {
  return text
    .split(/^---[ \t]*$/m)
    .filter((doc) => doc.split('\n').some((line) => line.trim() !== '' && !line.trimStart().startsWith('#')));
}

async function createCrds(creds: Credentials, files: readonly string[]): Promise<CrdInfo[]> {
  const created: CrdInfo[] = [];
  for (const file of files) {
    for (const doc of yamlDocuments(fs.readFileSync(file, 'utf8'))) {
      // kube-apiserver decodes YAML bodies itself, so no YAML parser is needed here.
      const res = await httpsRequest(creds, {
        method: 'POST',
        path: '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
        body: doc,
        contentType: 'application/yaml',
      });
      if (res.status !== 201) throw new Error(`creating a CRD from ${file}: HTTP ${res.status}: ${res.body}`);
      const crd = JSON.parse(res.body);
      created.push({
        name: crd.metadata.name,
        group: crd.spec.group,
        plural: crd.spec.names.plural,
        versions: (crd.spec.versions as { name: string; served: boolean }[])
          .filter((v) => v.served)
          .map((v) => v.name),
      });
    }
  }
  return created;
}

// Ready for tests means every resource they are likely to touch answers 200. After a (re)start the first
// request to a custom resource gets 429 "storage is (re)initializing" while its watch cache fills; client-go
// retries that, client-node does not, so the harness absorbs it here.
async function waitServed(creds: Credentials, crds: readonly CrdInfo[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const ok = async (p: string): Promise<boolean> =>
    (await httpsRequest(creds, { method: 'GET', path: p }).catch(() => undefined))?.status === 200;
  const until = async (what: string, probe: () => Promise<boolean>): Promise<void> => {
    while (!(await probe().catch(() => false))) {
      if (Date.now() > deadline) throw new Error(`${what} not served within ${timeoutMs} ms`);
      await sleep(100);
    }
  };
  for (const core of ['/api/v1/namespaces', '/api/v1/pods', '/api/v1/configmaps']) {
    await until(core, () => ok(`${core}?limit=1`));
  }
  for (const crd of crds) {
    await until(`CRD ${crd.name}`, async () => {
      const res = await httpsRequest(creds, {
        method: 'GET',
        path: `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.name}`,
      });
      if (res.status !== 200) return false;
      const conditions: { type: string; status: string }[] = JSON.parse(res.body).status?.conditions ?? [];
      if (!conditions.some((c) => c.type === 'Established' && c.status === 'True')) return false;
      for (const version of crd.versions) {
        // Discovery is what client libraries resolve kinds through; the list call proves the path is served.
        const discovery = await httpsRequest(creds, { method: 'GET', path: `/apis/${crd.group}/${version}` });
        if (discovery.status !== 200) return false;
        const resources: { name: string }[] = JSON.parse(discovery.body).resources ?? [];
        if (!resources.some((r) => r.name === crd.plural)) return false;
        if (!(await ok(`/apis/${crd.group}/${version}/${crd.plural}?limit=1`))) return false;
      }
      return true;
    });
  }
}

// ---- the plane ----

/** Each start is one etcd and one kube-apiserver; isolate tests by namespace rather than by plane. */
export async function startControlPlane(opts: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const version = pinnedKubernetesVersion();
  const apiserverBin = resolveKubeApiserver(version);
  const etcdBin = resolveEtcd(version);
  const timeoutMs =
    opts.startTimeoutMs ?? Number(process.env['KUBETASKS_CONTROLPLANE_START_TIMEOUT_MS'] ?? 60_000);

  // tmpfs when there is one: fsync on a shared CI disk costs seconds (etcd also gets --unsafe-no-fsync).
  const tmpRoot = fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
  const dataDir = fs.mkdtempSync(path.join(tmpRoot, 'kubetasks-cp-'));
  const certDir = path.join(dataDir, 'pki');
  const logDir = opts.logDir ?? path.join(dataDir, 'logs');
  fs.mkdirSync(certDir, { mode: 0o700 });
  fs.mkdirSync(logDir, { recursive: true });

  const procs: { etcd?: Managed; apiserver?: Managed } = {};
  let crds: readonly CrdInfo[] = [];
  let reaper: ChildProcess | undefined;
  let stopped = false;

  const killAllSync = (): void => {
    for (const p of [procs.apiserver, procs.etcd]) p?.child?.kill('SIGKILL');
    reaper?.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  process.once('exit', killAllSync);

  const pidFile = path.join(dataDir, 'pids');
  const recordPids = (): void => {
    const pids = [procs.apiserver, procs.etcd].flatMap((p) =>
      p?.child?.pid === undefined ? [] : [p.child.pid],
    );
    fs.writeFileSync(pidFile, `${pids.join(' ')}\n`);
  };

  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', killAllSync);
    if (procs.apiserver !== undefined) await stopProcess(procs.apiserver);
    if (procs.etcd !== undefined) await stopProcess(procs.etcd);
    reaper?.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    // A hard kill of the test process (worker timeout, SIGKILL) skips 'exit' handlers; this detached watcher
    // still ends the children and removes the data dir once the parent is gone.
    fs.writeFileSync(pidFile, '\n');
    reaper = spawn(
      'sh',
      [
        '-c',
        'while kill -0 "$1" 2>/dev/null; do sleep 1; done; kill -9 $(cat "$2" 2>/dev/null) 2>/dev/null; rm -rf "$3"',
        'kubetasks-cp-reaper',
        String(process.pid),
        pidFile,
        dataDir,
      ],
      { detached: true, stdio: 'ignore' },
    );
    reaper.unref();

    const ca = await makeCa(certDir);
    const serving = await issue(ca, certDir, 'apiserver', '/CN=localhost', [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ]);
    const admin = await issue(
      ca,
      certDir,
      'admin',
      clientSubject('admin', ['system:masters']),
      clientExtensions,
    );
    // Service-account token keys: the apiserver verifies with a public key (it will not derive one from a
    // PKCS#8 private key file), so both halves are written.
    const saKey = path.join(certDir, 'sa.key');
    const saPub = path.join(certDir, 'sa.pub');
    const sa = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    fs.writeFileSync(saKey, sa.privateKey.export({ type: 'sec1', format: 'pem' }), { mode: 0o600 });
    fs.writeFileSync(saPub, sa.publicKey.export({ type: 'spki', format: 'pem' }));

    const etcdHelp = await run(etcdBin, ['--help']).catch(() => '');
    const etcdLog = path.join(logDir, 'etcd.log');
    let etcdUrl = '';
    for (let attempt = 1; ; attempt++) {
      const [clientPort, peerPort] = [await freePort(), await freePort()];
      etcdUrl = `http://127.0.0.1:${clientPort}`;
      const peerUrl = `http://127.0.0.1:${peerPort}`;
      const etcdDataDir = path.join(dataDir, `etcd-${attempt}`);
      const etcd = startProcess(
        'etcd',
        etcdBin,
        [
          '--name=kubetasks',
          `--data-dir=${etcdDataDir}`,
          `--listen-client-urls=${etcdUrl}`,
          `--advertise-client-urls=${etcdUrl}`,
          `--listen-peer-urls=${peerUrl}`,
          `--initial-advertise-peer-urls=${peerUrl}`,
          `--initial-cluster=kubetasks=${peerUrl}`,
          '--logger=zap',
          '--log-level=warn',
          ...(etcdHelp.includes('--unsafe-no-fsync') ? ['--unsafe-no-fsync=true'] : []),
        ],
        etcdLog,
      );
      procs.etcd = etcd;
      recordPids();
      try {
        await waitUntil(etcd, 'etcd /health', timeoutMs, async () => {
          const res = await httpGet(`${etcdUrl}/health`);
          return res.status === 200 && res.body.includes('true');
        });
        break;
      } catch (error) {
        await stopProcess(etcd);
        if (attempt >= 3 || !lostPortRace(etcdLog)) throw error;
      }
    }

    const apiserverLog = path.join(logDir, 'kube-apiserver.log');
    let port = 0;
    let apiserverArgs: string[] = [];
    const creds = (): Credentials => ({
      server: `https://127.0.0.1:${port}`,
      caPem: ca.certPem,
      certPem: admin.certPem,
      keyPem: admin.keyPem,
    });
    const launchApiserver = async (): Promise<void> => {
      const apiserver = startProcess('kube-apiserver', apiserverBin, apiserverArgs, apiserverLog);
      procs.apiserver = apiserver;
      recordPids();
      // /readyz includes etcd, RBAC bootstrap roles and CRD informer sync; anonymous may read it under RBAC,
      // but the admin certificate works whatever the authorizer is.
      await waitUntil(
        apiserver,
        '/readyz',
        timeoutMs,
        async () => (await httpsRequest(creds(), { method: 'GET', path: '/readyz' }, 2_000)).status === 200,
        200,
      );
    };
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      apiserverArgs = [
        `--etcd-servers=${etcdUrl}`,
        '--bind-address=127.0.0.1',
        `--secure-port=${port}`,
        // Without these the apiserver derives its address from the default route and keeps trying to write a
        // loopback endpoint for the `kubernetes` Service, which validation rejects.
        '--advertise-address=127.0.0.1',
        '--endpoint-reconciler-type=none',
        `--cert-dir=${certDir}`,
        `--tls-cert-file=${serving.certFile}`,
        `--tls-private-key-file=${serving.keyFile}`,
        `--client-ca-file=${ca.certFile}`,
        '--authorization-mode=RBAC',
        // No controller-manager creates `default` ServiceAccounts, so this plugin would reject every pod.
        '--disable-admission-plugins=ServiceAccount',
        `--service-account-issuer=https://127.0.0.1:${port}`,
        `--service-account-key-file=${saPub}`,
        `--service-account-signing-key-file=${saKey}`,
        '--service-cluster-ip-range=10.0.0.0/24',
        '--allow-privileged=true',
        // KUBETASKS_APISERVER_PROFILING=1 serves /debug/pprof (a benchmark's CPU profile of the API server).
        `--profiling=${process.env['KUBETASKS_APISERVER_PROFILING'] === '1' ? 'true' : 'false'}`,
        '--v=1',
      ];
      try {
        await launchApiserver();
        break;
      } catch (error) {
        if (procs.apiserver !== undefined) await stopProcess(procs.apiserver);
        if (attempt >= 3 || !lostPortRace(apiserverLog)) throw error;
      }
    }

    // The bootstrap controller normally creates `default`; create it ourselves if it is not there yet.
    const base = creds();
    await waitUntil(procs.apiserver!, 'namespace default', timeoutMs, async () => {
      const got = await httpsRequest(base, { method: 'GET', path: '/api/v1/namespaces/default' });
      if (got.status === 200) return true;
      if (got.status !== 404) return false;
      const made = await httpsRequest(base, {
        method: 'POST',
        path: '/api/v1/namespaces',
        body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } }),
      });
      return made.status === 201 || made.status === 409;
    });

    crds = await createCrds(base, opts.crdFiles ?? []);
    await waitServed(base, crds, timeoutMs);

    const kubeconfigPath = path.join(dataDir, 'admin.kubeconfig');
    fs.writeFileSync(
      kubeconfigPath,
      kubeconfig(base.server, ca.certPem, 'admin', admin.certPem, admin.keyPem),
      {
        mode: 0o600,
      },
    );

    return {
      kubeconfigPath,
      server: base.server,
      caPem: ca.certPem,
      adminCertPem: admin.certPem,
      adminKeyPem: admin.keyPem,
      dataDir,
      version,
      stop,
      restartApiServer: async (options = {}) => {
        if (stopped) throw new Error('control plane already stopped');
        if (procs.apiserver !== undefined) await stopProcess(procs.apiserver);
        if (options.downMs !== undefined) await sleep(options.downMs);
        try {
          await launchApiserver();
          await waitServed(base, crds, timeoutMs);
        } catch (error) {
          throw withLogs(error, [procs.apiserver!]);
        }
      },
      mintUser: async (name, groups) => {
        if (stopped) throw new Error('control plane already stopped');
        const file = `user-${name.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 40)}-${randomBytes(4).toString('hex')}`;
        const user = await issue(ca, certDir, file, clientSubject(name, groups), clientExtensions);
        const userKubeconfig = path.join(dataDir, `${file}.kubeconfig`);
        fs.writeFileSync(
          userKubeconfig,
          kubeconfig(base.server, ca.certPem, name, user.certPem, user.keyPem),
          {
            mode: 0o600,
          },
        );
        return { kubeconfigPath: userKubeconfig };
      },
    };
  } catch (error) {
    const started = [procs.etcd, procs.apiserver].filter((p): p is Managed => p !== undefined);
    const failure = withLogs(error, started);
    await stop().catch(() => undefined);
    throw failure;
  }
}
