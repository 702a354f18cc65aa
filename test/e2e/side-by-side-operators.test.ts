// Simulated against real, side by side, for the controllers: the same Job, PyTorchJob, TFJob and MPIJob, once run by
// the simulated Job controller / training operator with the simulated kubelet and once by the real Job controller /
// Kubeflow training operator with the real scheduler and KWOK, on one kube-apiserver. The status sequences each
// writes are compared after normalising names, uids and times. Every difference found was fixed in the simulation
// (docs/testing.md, "Simulated against real"), so the sequences must be equal and a new difference fails the test.
import * as E from 'fp-ts/lib/Either.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/adapters/clock/system.js';
import { jobOperator } from '../../src/adapters/operators/job.js';
import { kubeflowOperators } from '../../src/adapters/operators/kubeflow.js';
import { startOperators, type Operators } from '../../src/adapters/operators/index.js';
import { renderTaskText } from '../../src/app/render.js';
import type { KubeObject } from '../../src/domain/kubernetes.js';
import { defaultPlatformConfig } from '../../src/domain/platform-config.js';
import type { TaskExecution } from '../../src/domain/task.js';
import { builtInRegistry } from '../../src/plugins/index.js';
import { eventually } from './control-plane.js';
import { SIM_SCHEDULER, startSideBySide, type SideBySide } from './side-by-side-fixture.js';

const REAL = 'ops-real';
const SIM = 'ops-sim';
/**
 * The unit of the pods' durations (see `timing`), on both sides through the simulated kubelet's duration annotations,
 * which KWOK's Stages read too. No shorter than the Job controller's one-second batching of pod events.
 */
const STEP_MS = 1000;

let side: SideBySide | undefined;
let operators: Operators | undefined;

beforeAll(async () => {
  side = await startSideBySide({
    real: REAL,
    sim: SIM,
    plane: { nodes: 5 },
    pendingMs: STEP_MS,
    runMs: STEP_MS,
  });
  operators = startOperators({
    cluster: side.cluster,
    clock: systemClock,
    operators: [jobOperator, ...kubeflowOperators],
    namespace: SIM,
  });
  await operators.ready();
});

afterAll(async () => {
  await operators?.stop();
  await side?.stop();
});

// -------------------------------------------------------------------------------------
// the tasks, rendered by their plugins
// -------------------------------------------------------------------------------------

const container = {
  image: 'busybox:1.36',
  command: ['sh', '-c', 'true'],
  resources: { requests: { cpu: '100m', memory: '64Mi' } },
};

const tasks: Readonly<
  Record<string, { readonly type: string; readonly custom?: unknown; typeVersion?: number }>
> = {
  job: { type: 'batch-job' },
  pytorch: {
    type: 'pytorch',
    typeVersion: 1,
    custom: { masterReplicas: { common: { replicas: 1 } }, workerReplicas: { common: { replicas: 1 } } },
  },
  tensorflow: { type: 'tensorflow', custom: { workers: 1, ps_replicas: 1, chief_replicas: 1 } },
  mpi: {
    type: 'mpi',
    typeVersion: 1,
    custom: {
      launcherReplicas: { common: { replicas: 1 } },
      workerReplicas: { common: { replicas: 1 } },
      slots: 1,
    },
  },
};

/** The object the manager would create for the task, as its plugin builds it. */
const rendered = (kind: string, run: string, namespace: string): KubeObject => {
  const t = tasks[kind]!;
  const te: TaskExecution = {
    task: {
      id: { name: kind },
      type: t.type,
      ...(t.typeVersion === undefined ? {} : { typeVersion: t.typeVersion }),
      metadata: { retries: 0 },
      container,
      ...(t.custom === undefined ? {} : { custom: t.custom as Record<string, unknown> }),
    },
    execution: { id: { run, action: kind }, namespace },
  };
  const r = renderTaskText(
    E.getOrElseW(() => undefined)(builtInRegistry())!,
    defaultPlatformConfig,
    `${kind}.json`,
    JSON.stringify(te),
  );
  if (E.isLeft(r)) throw new Error(r.left.map((e) => e.message).join('; '));
  return r.right.created;
};

type Json = Record<string, unknown>;
const obj = (u: unknown): Json =>
  typeof u === 'object' && u !== null && !Array.isArray(u) ? (u as Json) : {};

/** The pod templates of a Job (`spec.template`) or of a training job's replica specs, by role (`''` for a Job). */
const templates = (o: KubeObject): [role: string, template: Json][] => {
  const spec = obj(o['spec']);
  if (o.kind === 'Job') return [['', obj(spec['template'])]];
  const key = Object.keys(spec).find((k) => k.endsWith('ReplicaSpecs'));
  return Object.entries(obj(key === undefined ? undefined : spec[key])).map(([role, r]) => [
    role,
    obj(obj(r)['template']),
  ]);
};

/** Master-like roles: their pods' outcome decides a training job's success (PyTorch Master, TF Chief, MPI Launcher). */
const MASTER_ROLES = new Set(['Master', 'Chief', 'Launcher']);

/**
 * How long each role's pods stay pending and run, in steps: each role starts its containers a step after the
 * previous one (the workers, which the scenario hits, first; master-like roles last), and every pod runs three steps,
 * so the workers meet their outcome while the master-like roles still run, and no two pod changes of one job fall
 * within a step of each other. Every pod change is then a status of its own on both sides, whatever either side's
 * event batching, and the master-like roles finish last, as rank 0, the chief and the launcher do.
 */
const timing = (kind: string, role: string, roles: readonly string[]): { pending: number; run: number } => {
  if (kind === 'Job') return { pending: 1, run: 3 };
  const rank = (r: string): number => (r === 'Worker' ? 0 : MASTER_ROLES.has(r) ? 2 : 1);
  const order = [...roles].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return { pending: order.indexOf(role) + 1, run: 3 };
};

/**
 * The same object for both sides. The scenario goes on the resource (what the simulated operators read) and on the
 * templates of the pods it hits (what KWOK reads on the real controllers' pods): every pod of a Job, the workers of a
 * training job (the simulated training operator's default role). The simulated side's pods name the simulated
 * scheduler, and its resource names another manager, so the real controllers leave it alone (the Job's
 * `spec.managedBy`, the training operator's `runPolicy.managedBy`).
 */
const manifest = (kind: string, namespace: string, scenario: string): KubeObject => {
  const run = `r${scenario.replace(/[^a-z0-9]/g, '')}`;
  const built = rendered(kind, run, namespace);
  const o = structuredClone(built) as unknown as Json;
  const meta = built.metadata ?? {};
  o['metadata'] = {
    name: meta.name,
    namespace,
    labels: meta.labels ?? {},
    annotations: { ...meta.annotations, 'kubetasks.dev/scenario': scenario },
  };
  const sim = namespace === SIM;
  const all = templates(built).map(([role]) => role);
  for (const [role, tpl] of templates(o as unknown as KubeObject)) {
    const tmeta = obj(tpl['metadata']);
    const hit = built.kind === 'Job' || role === 'Worker';
    const t = timing(built.kind, role, all);
    tpl['metadata'] = {
      ...tmeta,
      annotations: {
        ...obj(tmeta['annotations']),
        'kubetasks.dev/pending-duration': `${t.pending * STEP_MS}ms`,
        'kubetasks.dev/run-duration': `${t.run * STEP_MS}ms`,
        ...(hit ? { 'kubetasks.dev/scenario': scenario } : {}),
      },
    };
    if (sim) tpl['spec'] = { ...obj(tpl['spec']), schedulerName: SIM_SCHEDULER };
  }
  if (sim) {
    const spec = obj(o['spec']);
    if (built.kind === 'Job') spec['managedBy'] = 'kubetasks.dev/simulated-job-controller';
    else spec['runPolicy'] = { ...obj(spec['runPolicy']), managedBy: 'kueue.x-k8s.io/multikueue' };
  }
  return o as unknown as KubeObject;
};

// -------------------------------------------------------------------------------------
// normalising and recording
// -------------------------------------------------------------------------------------

/** A scalar as written; anything else as JSON. */
const str = (u: unknown): string =>
  typeof u === 'string' || typeof u === 'number' || typeof u === 'boolean' ? String(u) : JSON.stringify(u);

const conditionsOf = (s: Json): string =>
  (Array.isArray(s['conditions']) ? (s['conditions'] as unknown[]) : [])
    .map(obj)
    .map(
      (c) =>
        `${str(c['type'])}=${str(c['status'])}${c['reason'] === undefined || c['reason'] === '' ? '' : `(${str(c['reason'])})`}`,
    )
    .join(' ');

const present = (s: Json, keys: readonly string[]): string =>
  keys.filter((k) => s[k] !== undefined).join(',');

/** A Job's status as a line: conditions in order, the counters as written (absent is `-`), which times are set. */
export const normaliseJob = (job: KubeObject): string => {
  const s = obj(job['status']);
  const counters = ['active', 'ready', 'succeeded', 'failed', 'terminating']
    .map((k) => `${k}=${s[k] === undefined ? '-' : str(s[k])}`)
    .join(' ');
  const u = obj(s['uncountedTerminatedPods']);
  const uncounted = ['succeeded', 'failed']
    .map((k) => `${k}:${Array.isArray(u[k]) ? (u[k] as unknown[]).length : 0}`)
    .join(',');
  return `[${conditionsOf(s)}] ${counters} uncounted(${s['uncountedTerminatedPods'] === undefined ? '-' : uncounted}) times(${present(s, ['startTime', 'completionTime'])})`;
};

/** A training job's status as a line: conditions in order, replica statuses by role, which times are set. */
export const normaliseKubeflow = (job: KubeObject): string => {
  const s = obj(job['status']);
  const replicas = Object.entries(obj(s['replicaStatuses']))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([role, r]) => {
      const rs = obj(r);
      // Not `selector`: the scale subresource's label selector, which the operator sets role by role in a map's
      // random order, stopping at the role that finishes the job; no plugin reads it (docs/testing.md).
      const counts = ['active', 'succeeded', 'failed']
        .filter((k) => rs[k] !== undefined)
        .map((k) => `${k}=${String(rs[k])}`)
        .join(' ');
      return `${role}{${counts}}`;
    })
    .join(' ');
  return `[${conditionsOf(s)}] ${replicas} times(${present(s, ['startTime', 'completionTime', 'lastReconcileTime'])})`;
};

const finished = (o: KubeObject): boolean =>
  (Array.isArray(obj(o['status'])['conditions']) ? (obj(o['status'])['conditions'] as unknown[]) : [])
    .map(obj)
    .some((c) => ['Complete', 'Failed', 'Succeeded'].includes(str(c['type'])) && c['status'] === 'True');

/** Creates the object and records each distinct normalised status until it finishes and a settling time passes. */
const record = async (o: KubeObject, normalise: (o: KubeObject) => string): Promise<string[]> => {
  const seq: string[] = [];
  const namespace = o.metadata?.namespace ?? '';
  const name = o.metadata?.name ?? '';
  const w = await side!.cluster.watch({ apiVersion: o.apiVersion, kind: o.kind }, { namespace })();
  if (E.isLeft(w)) throw new Error(w.left.message);
  let done = false;
  const reader = (async () => {
    for await (const ev of w.right) {
      if (ev.type === 'BOOKMARK' || ev.type === 'ERROR' || ev.type === 'DELETED') continue;
      if (ev.object.metadata?.name !== name) continue;
      const line = normalise(ev.object);
      if (seq[seq.length - 1] !== line) seq.push(line);
      if (finished(ev.object)) done = true;
    }
  })();
  const made = await side!.cluster.create(o)();
  if (E.isLeft(made)) throw new Error(`${namespace}/${name}: ${made.left.message}`);
  await eventually(`${namespace}/${o.kind}/${name} finishes`, () => Promise.resolve(done), 60_000).catch(
    (error: unknown) => {
      w.right.stop();
      throw new Error(`${String(error)}; statuses seen:\n  ${seq.join('\n  ')}`);
    },
  );
  // Writes after the final condition (counters settling, pods cleaned up) would show here.
  await new Promise((resolve) => setTimeout(resolve, 3 * STEP_MS));
  w.right.stop();
  await reader;
  return seq;
};

// -------------------------------------------------------------------------------------
// the comparison
// -------------------------------------------------------------------------------------

const scenarios = ['succeed', 'exit:1', 'oom'] as const;
const cases = (['job', 'pytorch', 'tensorflow', 'mpi'] as const).flatMap((kind) =>
  scenarios.map((scenario) => [kind, scenario] as const),
);

describe('simulated controllers against the real Job controller and training operator, side by side', () => {
  const results = new Map<string, { sim: string[]; real: string[] }>();

  it.each(cases)('%s %s: both sequences recorded', async (kind, scenario) => {
    const normalise = kind === 'job' ? normaliseJob : normaliseKubeflow;
    const [sim, real] = await Promise.all([
      record(manifest(kind, SIM, scenario), normalise),
      record(manifest(kind, REAL, scenario), normalise),
    ]);
    results.set(`${kind} ${scenario}`, { sim, real });
    // Printed so that a failing comparison below can be read in the log, and docs/testing.md kept up to date.
    console.log(`---- ${kind} ${scenario}\nsimulated:\n  ${sim.join('\n  ')}\nreal:\n  ${real.join('\n  ')}`);
    expect(sim.length).toBeGreaterThan(0);
    expect(real.length).toBeGreaterThan(0);
  });

  // No difference is left: every one found was fixed in the simulation (docs/testing.md lists them, and the two
  // things this comparison leaves out on purpose).
  it.each(cases)('%s %s: the simulation writes the same sequence', (kind, scenario) => {
    const r = results.get(`${kind} ${scenario}`);
    expect(r).toBeDefined();
    expect(r!.sim).toEqual(r!.real);
  });
});
