// Runs of controller replicas on a real kube-apiserver: the replicas, a batch of TaskExecutions, the waits on them.
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import type { Kubelet } from '../../src/adapters/kubelet/index.js';
import { makeKubernetesCluster, type KubernetesCluster } from '../../src/adapters/kubernetes/index.js';
import { LEASE_KIND, readLease, type LeaseRecord } from '../../src/domain/leader-election/lease.js';
import { objectOfTask, statusOfObject, TASK_EXECUTION } from '../../src/domain/task-execution-resource.js';
import { isFinal, type TaskExecutionStatus } from '../../src/domain/task-execution-status.js';
import { startControlPlane, type ControlPlane } from './control-plane.js';
import {
  installControllerIdentity,
  must,
  startController,
  until,
  writeControllerConfig,
  type ControllerIdentity,
  type ControllerProcess,
} from './controller-process.js';
import { podTask, startFastKubelet } from './fixtures.js';
import { recordChanges, type Recorded, type Recorder } from './watch-recorder.js';

/** Lease timings as `kubetasks controller` flags. */
export interface LeaseFlags {
  readonly leaseDuration: number;
  readonly renewDeadline: number;
  readonly retryPeriod: number;
}

/** The flags that set the lease timings (milliseconds). */
export const leaseArgs = (t: LeaseFlags): ReadonlyArray<string> => [
  '--lease-duration',
  `${t.leaseDuration}ms`,
  '--renew-deadline',
  `${t.renewDeadline}ms`,
  '--retry-period',
  `${t.retryPeriod}ms`,
];

// Short lease timings keep the kills cheap: a standby may take a dead leader's lease 8 s after it last saw it
// renewed, polling every second. 4 s / 3 s / 1 s was tried first: on a loaded 2-core machine (load average 15-30)
// a leader busy with 300 tasks renewed up to 2.5 s late (its event loop lagging) and its renewals took up to 1.7 s to
// land, so leaders kept missing a 3 s renew deadline; 6 s leaves room for both. The proportions stay client-go's
// kind (lease > renew deadline > 1.2 x retry period).
/** The lease timings of the failover and handover runs. */
export const SHORT_LEASE: LeaseFlags = { leaseDuration: 8_000, renewDeadline: 6_000, retryPeriod: 1_000 };

/** The controller's status delay: a phase is written at most this long after the task reaches it. */
export const STATUS_DELAY_MS = 1_000;

/**
 * The controllers' platform config: the pod plugin (what deploy/rbac.yaml grants), finalizers on, pods deleted
 * once their task is finalized (so "nothing left" means no pod at all), and a system-failure budget (10 tries,
 * 0.5 s doubling to 3 s) that outlasts an API server restart, as in restart.test.ts.
 */
const CONFIG = `tasks:
  task-plugins:
    enabled: [pod]
plugins:
  k8s:
    inject-finalizer: true
    delete-resource-on-finalize: true
executor:
  resync-period: 1s
  max-system-failures: 10
  system-failure-backoff:
    base-duration: 500ms
    max-duration: 3s
`;

/** What a task does, and how it must end. */
export interface Scenario {
  readonly name: string;
  readonly annotation: string;
  readonly retries: number;
  readonly phase: 'Success' | 'PermanentFailure';
  readonly code: string | undefined;
  /** Attempts it takes: the pods it has, one per attempt. */
  readonly attempts: number;
}

/** Success, exit 1, OOM with a retry, exit 1 with two retries: the mix every run interleaves. */
export const SCENARIOS: ReadonlyArray<Scenario> = [
  { name: 'success', annotation: 'succeed', retries: 0, phase: 'Success', code: undefined, attempts: 1 },
  { name: 'exit 1', annotation: 'exit:1', retries: 0, phase: 'PermanentFailure', code: 'Error', attempts: 1 },
  { name: 'OOM', annotation: 'oom', retries: 1, phase: 'PermanentFailure', code: 'OOMKilled', attempts: 2 },
  {
    name: 'retries',
    annotation: 'exit:1',
    retries: 2,
    phase: 'PermanentFailure',
    code: 'Error',
    attempts: 3,
  },
];

/** The scenario of the i-th task. */
export const scenarioOf = (i: number): Scenario => SCENARIOS[i % SCENARIOS.length]!;

// -------------------------------------------------------------------------------------
// the environment: one control plane, deploy/'s identity, the controllers' config
// -------------------------------------------------------------------------------------

/** A control plane with deploy/'s CRD and identity installed, and what to tear down after the file's tests. */
export interface ControllerEnv {
  readonly plane: ControlPlane;
  /** The admin's connection: the tests' view, and the simulated kubelet's (it plays the node). */
  readonly admin: KubernetesCluster;
  readonly identity: ControllerIdentity;
  readonly configFile: string;
  /** Run by `stop`, last added first. */
  readonly cleanups: Array<() => Promise<void> | void>;
  /** Runs the cleanups, then stops the control plane. */
  readonly stop: () => Promise<void>;
}

/** Starts a control plane, installs deploy/'s CRD, namespace, ServiceAccount and RBAC, and writes the config. */
export const startControllerEnv = async (): Promise<ControllerEnv> => {
  const plane = await startControlPlane();
  const admin = makeKubernetesCluster({ kubeconfigPath: plane.kubeconfigPath });
  try {
    const identity = await installControllerIdentity(plane, admin);
    const configFile = writeControllerConfig(plane, 'controller-config.yaml', CONFIG);
    const cleanups: Array<() => Promise<void> | void> = [];
    return {
      plane,
      admin,
      identity,
      configFile,
      cleanups,
      stop: async () => {
        for (const c of cleanups.splice(0).reverse()) await c();
        admin.close();
        await plane.stop();
      },
    };
  } catch (error) {
    admin.close();
    await plane.stop();
    throw error;
  }
};

// -------------------------------------------------------------------------------------
// replicas: a ReplicaSet's worth of controller processes
// -------------------------------------------------------------------------------------

/** One controller process of a run. */
export interface Replica {
  readonly name: string;
  readonly process: ControllerProcess;
  /** Exit code, or the signal that ended it. */
  exit: number | string | undefined;
}

/**
 * Keeps `size` controller processes, as a Deployment's ReplicaSet would: a process that exits (killed, stopped, or
 * after losing its leadership) is replaced by a new one with a new identity, until `stop`.
 */
export class Replicas {
  readonly all: Replica[] = [];
  private stopping = false;
  private replacing: Promise<unknown> = Promise.resolve();
  private serial = 0;

  constructor(
    private readonly env: ControllerEnv,
    private readonly lease: string,
    private readonly args: ReadonlyArray<string>,
  ) {}

  async start(size: number): Promise<void> {
    await Promise.all(Array.from({ length: size }, () => this.startOne()));
  }

  private async startOne(): Promise<Replica> {
    const name = `replica-${this.serial++}`;
    const process = await startController({
      identity: this.env.identity,
      configFile: this.env.configFile,
      args: ['--lease-name', this.lease, ...this.args],
      env: { POD_NAME: name },
    });
    const r: Replica = { name, process, exit: undefined };
    this.all.push(r);
    void process.running.exited.then((code) => {
      r.exit = code ?? process.running.child.signalCode ?? 'signal';
      if (!this.stopping) this.replacing = this.replacing.then(() => this.startOne());
    });
    return r;
  }

  /** The replica whose identity holds the Lease now, if any. */
  async leader(): Promise<Replica | undefined> {
    const r = await this.env.admin.get({
      ...LEASE_KIND,
      namespace: this.env.identity.leaseNamespace,
      name: this.lease,
    })();
    if (E.isLeft(r)) return undefined;
    const holder = readLease(r.right).record.holder;
    return this.all.find((x) => x.process.identity === holder && x.exit === undefined);
  }

  /** Replicas running now. */
  live(): Replica[] {
    return this.all.filter((r) => r.exit === undefined);
  }

  /** Waits for the replacements started so far to be ready. */
  async settled(): Promise<void> {
    await this.replacing;
  }

  /** SIGTERM to every replica; resolves with each one's exit. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.replacing;
    await Promise.all(
      this.live().map(async (r) => {
        r.process.running.child.kill('SIGTERM');
        await r.process.running.exited;
      }),
    );
  }

  /** SIGKILL to whatever still runs (cleanup after a failed test). */
  kill(): void {
    this.stopping = true;
    for (const r of this.all) if (r.exit === undefined) r.process.running.child.kill('SIGKILL');
  }

  /** Writes each replica's standard error to `<dir>/<prefix>-<replica>.log`. */
  dumpLogs(dir: string, prefix: string): void {
    mkdirSync(dir, { recursive: true });
    for (const r of this.all) writeFileSync(join(dir, `${prefix}-${r.name}.log`), r.process.running.stderr());
  }

  /** The end of what the replicas wrote on standard error, for a failure's message. */
  logs(lines = 30): string {
    return this.all
      .map(
        (r) =>
          `---- ${r.name} (${r.process.identity}, exit ${String(r.exit)}) ----\n` +
          r.process.running.stderr().split('\n').slice(-lines).join('\n'),
      )
      .join('\n');
  }
}

// -------------------------------------------------------------------------------------
// a run: namespace, kubelet, recorders, replicas, tasks
// -------------------------------------------------------------------------------------

/** One run: its namespace, replicas, and what the test's watches recorded of it. */
export interface Run {
  readonly env: ControllerEnv;
  readonly ns: string;
  readonly tasks: number;
  readonly replicas: Replicas;
  readonly taskExecutions: Recorder;
  readonly pods: Recorder;
  readonly leases: Recorder;
  /** Arrival times of TaskExecution events whose status differs from the one before. */
  readonly statusWrites: number[];
  /** TaskExecutions with a completionTime, as the recorder has seen them. */
  readonly finished: Set<string>;
  readonly leaseName: string;
}

/** The name of the i-th TaskExecution. */
export const nameOf = (i: number): string => `fo-t${String(i).padStart(3, '0')}`;
export const actionOf = (i: number): string => `t${String(i).padStart(3, '0')}`;

/** The holder a recorded Lease event names ('' when released). */
export const holderAt = (e: Recorded): string => readLease(e.object).record.holder;

/** The Lease record a recorded Lease event shows. */
export const leaseAt = (e: Recorded): LeaseRecord => readLease(e.object).record;

/** What a run starts with. */
export interface RunOptions {
  /** The run's namespace (one per run: its TaskExecutions, pods and kubelet). */
  readonly ns: string;
  readonly tasks: number;
  /** Extra controller flags (lease timings). */
  readonly args: ReadonlyArray<string>;
  /** Controller processes kept running; default 3. */
  readonly replicas?: number;
}

/**
 * Creates the run's namespace, starts a simulated kubelet and the watches the checks read (TaskExecutions, pods,
 * the Lease), then the replicas; resolves once one of them leads. KUBETASKS_FAILOVER_LOGS=DIR keeps their logs.
 */
export const startRun = async (env: ControllerEnv, o: RunOptions): Promise<Run> => {
  const { admin, identity, cleanups } = env;
  const { ns, tasks, args } = o;
  await must('ns', admin.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } })());
  // The kubelet stands in for the node, which is not what the controller's RBAC grants: it runs as the admin.
  const kubelet: Kubelet = await startFastKubelet(admin, ns);
  cleanups.push(() => kubelet.stop());
  const statusWrites: number[] = [];
  const finished = new Set<string>();
  const lastStatus = new Map<string, string>();
  const taskExecutions = await recordChanges(admin, TASK_EXECUTION, ns, (e) => {
    const name = e.object.metadata?.name ?? '';
    const status = JSON.stringify(e.object['status'] ?? null);
    if (e.type !== 'DELETED' && lastStatus.has(name) && lastStatus.get(name) !== status)
      statusWrites.push(e.at);
    lastStatus.set(name, status);
    if (isFinal(statusOfObject(e.object))) finished.add(name);
  });
  const pods = await recordChanges(admin, { apiVersion: 'v1', kind: 'Pod' }, ns);
  const leases = await recordChanges(admin, LEASE_KIND, identity.leaseNamespace);
  cleanups.push(() => {
    taskExecutions.stop();
    pods.stop();
    leases.stop();
  });
  const leaseName = `lease-${ns}`;
  const replicas = new Replicas(env, leaseName, args);
  cleanups.push(() => {
    const dir = process.env['KUBETASKS_FAILOVER_LOGS'];
    if (dir !== undefined) {
      replicas.dumpLogs(dir, ns);
      writeFileSync(
        join(dir, `${ns}-lease.log`),
        leases.events.map((e) => `${e.at} ${e.type} ${JSON.stringify(e.object['spec'])}`).join('\n'),
      );
    }
    replicas.kill();
  });
  await replicas.start(o.replicas ?? 3);
  await until('a leader', async () => (await replicas.leader()) !== undefined, 30_000);
  return { env, ns, tasks, replicas, taskExecutions, pods, leases, statusWrites, finished, leaseName };
};

/** Creates the run's TaskExecutions, a few at a time, scenarios interleaved. */
export const createTasks = async (run: Run): Promise<void> => {
  const indices = Array.from({ length: run.tasks }, (_, i) => i);
  for (let from = 0; from < indices.length; from += 25)
    await Promise.all(
      indices.slice(from, from + 25).map(async (i) => {
        const s = scenarioOf(i);
        const task = podTask({
          namespace: run.ns,
          run: 'fo',
          action: actionOf(i),
          scenario: s.annotation,
          retries: s.retries,
        });
        await must(`create ${nameOf(i)}`, run.env.admin.create(objectOfTask(task, nameOf(i)))());
      }),
    );
};

/** Waits until `n` TaskExecutions have their outcome; on a timeout, says how far the run got and what it logged. */
export const finishedAtLeast = async (run: Run, n: number, ms = 120_000): Promise<void> => {
  try {
    await until(
      `${n} of ${run.tasks} TaskExecutions to finish`,
      () => Promise.resolve(run.finished.size >= n),
      ms,
    );
  } catch (error) {
    const phases = new Map<string, number>();
    const latest = new Map<string, TaskExecutionStatus>();
    for (const e of run.taskExecutions.events)
      latest.set(e.object.metadata?.name ?? '', statusOfObject(e.object));
    for (const s of latest.values()) {
      const k = `${s.phase ?? '(none)'}${isFinal(s) ? ' final' : ''}`;
      phases.set(k, (phases.get(k) ?? 0) + 1);
    }
    throw new Error(
      `${String(error)}: ${run.finished.size} finished; phases ${JSON.stringify([...phases])}; ` +
        `${run.pods.events.length} pod events\n${run.replicas.logs()}`,
    );
  }
};

/** The recorded events of the run's Lease, in arrival order. */
export const leaseEvents = (run: Run): Recorded[] =>
  run.leases.events.filter((e) => e.object.metadata?.name === run.leaseName);

/** A lease event (after `since`) naming a holder other than `not` and other than nobody. */
export const nextHolder = async (
  run: Run,
  since: number,
  not: string,
): Promise<{ at: number; holder: string; event: Recorded }> => {
  let found: Recorded | undefined;
  await until(
    'a new lease holder',
    () => {
      found = leaseEvents(run).find((e) => e.at >= since && holderAt(e) !== '' && holderAt(e) !== not);
      return Promise.resolve(found !== undefined);
    },
    60_000,
  );
  return { at: found!.at, holder: holderAt(found!), event: found! };
};

/** Every identity that held the run's Lease, in order (released leases left out). */
export const leaseHolders = (run: Run): string[] =>
  leaseEvents(run)
    .map(holderAt)
    .filter((h, i, all) => h !== '' && h !== all[i - 1]);

/** The first TaskExecution status write that arrived at or after `since`. */
export const firstWriteAfter = async (run: Run, since: number): Promise<number> => {
  let at: number | undefined;
  await until(
    'a status write',
    () => {
      at = run.statusWrites.find((t) => t >= since);
      return Promise.resolve(at !== undefined);
    },
    60_000,
  );
  return at!;
};

/** The first pod created (an ADDED event of a name not seen before) that arrived at or after `since`. */
export const firstPodCreateAfter = async (run: Run, since: number): Promise<number> => {
  let at: number | undefined;
  await until(
    'a pod create',
    () => {
      const seen = new Set<string>();
      at = undefined;
      for (const e of run.pods.events) {
        const name = e.object.metadata?.name ?? '';
        if (e.at >= since && e.type === 'ADDED' && !seen.has(name)) {
          at = e.at;
          break;
        }
        seen.add(name);
      }
      return Promise.resolve(at !== undefined);
    },
    60_000,
  );
  return at!;
};

/** The load average now, for the figures a test prints (they depend on it). */
export const loadAverage = (): string =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
