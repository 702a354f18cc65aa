// The simulated Job controller on the in-memory cluster: pods, status sequences and the phase each scenario ends in.
import * as E from 'fp-ts/lib/Either.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeVirtualClock, type VirtualClock } from '../../../src/adapters/clock/index.js';
import { startKubelet, type Kubelet } from '../../../src/adapters/kubelet/index.js';
import { makeMemoryCluster, type MemoryCluster } from '../../../src/adapters/memory/index.js';
import { builtInOperators, startOperators, type Operators } from '../../../src/adapters/operators/index.js';
import { formatIndexes, jobOperator, podSuffix, suffixSeq } from '../../../src/adapters/operators/job.js';
import type { Job, KubeObject, Pod } from '../../../src/domain/kubernetes.js';
import { addObjectMetadata } from '../../../src/domain/object-metadata.js';
import { defaultPlatformConfig } from '../../../src/domain/platform-config.js';
import type { PhaseInfo } from '../../../src/domain/phase-info.js';
import { buildJobResource } from '../../../src/plugins/job/build.js';
import { getJobTaskPhase } from '../../../src/plugins/job/phase.js';
import { jobPlugin } from '../../../src/plugins/job/plugin.js';
import type { TaskExecution } from '../../../src/domain/task.js';
import { validateJob } from '../../plugins/job/fixtures.js';

const JOB = { apiVersion: 'batch/v1', kind: 'Job' } as const;
const POD = { apiVersion: 'v1', kind: 'Pod' } as const;
const NS = 'jobs';

let clock: VirtualClock;
let memory: MemoryCluster;
let kubelet: Kubelet;
let operators: Operators;
/** Every distinct set of True conditions each Job went through, from a watch (polling would miss quick writes). */
let history: Map<string, string[]>;
let stopWatch: () => void;

beforeEach(async () => {
  clock = makeVirtualClock({ auto: true });
  memory = makeMemoryCluster({ clock, namespaces: [NS] });
  kubelet = startKubelet({ cluster: memory, clock });
  operators = startOperators({ cluster: memory, clock, operators: [jobOperator] });
  await Promise.all([kubelet.ready(), operators.ready()]);
  history = new Map();
  const w = await memory.watch(JOB, { namespace: NS })();
  if (E.isLeft(w)) throw new Error(w.left.message);
  stopWatch = w.right.stop;
  void (async () => {
    for await (const e of w.right) {
      if (e.type !== 'ADDED' && e.type !== 'MODIFIED') continue;
      const name = e.object.metadata?.name ?? '';
      const list = history.get(name) ?? [];
      const c = conditionTypes(e.object as Job);
      if (list[list.length - 1] !== c) list.push(c);
      history.set(name, list);
    }
  })();
});

afterEach(async () => {
  stopWatch();
  await operators.stop();
  await kubelet.stop();
  memory.close();
  clock.dispose();
});

const task = (
  action: string,
  annotations: Record<string, string>,
  custom: Record<string, unknown> = {},
  retries = 1,
): TaskExecution => ({
  task: {
    id: { name: 'train', project: 'p', domain: 'd', version: 'v1' },
    type: 'batch-job',
    metadata: { retries },
    container: { image: 'busybox:1.36', command: ['sh', '-c', 'true'] },
    custom,
  },
  execution: { id: { run: 'r1', action }, namespace: NS, annotations },
});

/** Builds the Job with the plugin, stamps the manager's metadata, creates it; returns its name. */
const createJob = async (te: TaskExecution): Promise<string> => {
  const ctx = { task: te, config: defaultPlatformConfig };
  const built = buildJobResource(ctx);
  if (E.isLeft(built)) throw new Error(JSON.stringify(built.left));
  const job = addObjectMetadata(ctx, jobPlugin.properties, built.right);
  const r = await memory.create(job as KubeObject)();
  if (E.isLeft(r)) throw new Error(r.left.message);
  return job.metadata?.name ?? '';
};

const getJob = async (name: string): Promise<Job> => {
  const r = await memory.get({ ...JOB, namespace: NS, name })();
  if (E.isLeft(r)) throw new Error(r.left.message);
  return r.right as Job;
};

const pods = async (): Promise<ReadonlyArray<Pod>> => {
  const r = await memory.list(POD, { namespace: NS })();
  if (E.isLeft(r)) throw new Error(r.left.message);
  return r.right.items as ReadonlyArray<Pod>;
};

const conditionTypes = (j: Job): string =>
  (j.status?.conditions ?? [])
    .filter((c) => c.status === 'True')
    .map((c) => `${c.type}:${c.reason ?? ''}`)
    .join(',');

/** Advances the clock until the Job has a Failed or Complete condition; returns the distinct condition sets seen. */
const runToEnd = async (name: string, limit = 600): Promise<{ job: Job; seen: ReadonlyArray<string> }> => {
  for (let i = 0; i < limit; i++) {
    const j = await getJob(name);
    if (/(^|,)(Failed|Complete):/.test(conditionTypes(j))) {
      validateJob(j); // the status the simulated controller wrote is valid batch/v1 too
      await clock.advance(0);
      return { job: j, seen: history.get(name) ?? [] };
    }
    await clock.advance(100);
  }
  throw new Error(`Job ${name} did not finish: ${JSON.stringify((await getJob(name)).status)}`);
};

const phaseOf = async (name: string): Promise<PhaseInfo> =>
  getJobTaskPhase(
    { now: clock.now(), config: defaultPlatformConfig, related: (await pods()) as never },
    await getJob(name),
  );

describe('the simulated Job controller', () => {
  it('is a built-in operator', () => {
    expect(builtInOperators).toContain(jobOperator);
  });

  it("success: one pod with the controller's name, labels and owner; SuccessCriteriaMet, then Complete", async () => {
    const name = await createJob(task('ok', {}));
    const { job, seen } = await runToEnd(name);
    expect(seen.filter((s) => s !== '')).toEqual([
      'SuccessCriteriaMet:CompletionsReached',
      'SuccessCriteriaMet:CompletionsReached,Complete:CompletionsReached',
    ]);
    expect(job.status?.succeeded).toBe(1);
    expect(job.status?.completionTime).toBeDefined();
    expect(job.status?.startTime).toBeDefined();
    const [pod, ...rest] = await pods();
    expect(rest).toEqual([]);
    const uid = job.metadata?.uid ?? '';
    expect(pod?.metadata?.name).toMatch(new RegExp(`^${name}-[bcdfghjklmnpqrstvwxz2456789]{5}$`));
    expect(pod?.metadata?.labels).toMatchObject({
      'batch.kubernetes.io/job-name': name,
      'job-name': name,
      'batch.kubernetes.io/controller-uid': uid,
      'controller-uid': uid,
      'kubetasks.dev/managed': 'true',
    });
    expect(pod?.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'Job', uid, controller: true });
    expect(pod?.status?.phase).toBe('Succeeded');
    expect((await phaseOf(name)).phase).toBe('Success');
  });

  it('user failure (exit:1): a new pod per failure until backoffLimit, then FailureTarget → Failed BackoffLimitExceeded', async () => {
    const name = await createJob(task('exit', { 'kubetasks.dev/scenario': 'exit:1' }, {}, 2));
    const { job, seen } = await runToEnd(name);
    expect(seen.filter((s) => s !== '')).toEqual([
      'FailureTarget:BackoffLimitExceeded',
      'FailureTarget:BackoffLimitExceeded,Failed:BackoffLimitExceeded',
    ]);
    expect(job.spec?.backoffLimit).toBe(2);
    expect(job.status?.failed).toBe(3);
    expect(job.status?.active ?? 0).toBe(0);
    const all = await pods();
    expect(all).toHaveLength(3);
    expect(new Set(all.map((p) => p.metadata?.name)).size).toBe(3);
    expect(all.every((p) => p.status?.phase === 'Failed')).toBe(true);
    const pi = await phaseOf(name);
    expect(pi.phase).toBe('PermanentFailure');
    expect(pi.error).toMatchObject({ code: 'BackoffLimitExceeded', kind: 'USER' });
    expect(pi.error?.message).toMatch(/exit code \(1\)/);
  });

  it('OOM: the OOMKilled pod counts; the failure names it', async () => {
    const name = await createJob(task('oom', { 'kubetasks.dev/scenario': 'oom' }, { backoffLimit: 0 }));
    const { job } = await runToEnd(name);
    expect(job.status?.failed).toBe(1);
    const pi = await phaseOf(name);
    expect(pi.phase).toBe('PermanentFailure');
    expect(pi.error?.code).toBe('BackoffLimitExceeded');
    expect(pi.error?.message).toMatch(/\[OOMKilled\]/);
  });

  it('preemption: the DisruptionTarget pod is ignored (default policy) and its replacement completes', async () => {
    const name = await createJob(task('pre', { 'kubetasks.dev/scenario': 'preempted' }, { backoffLimit: 0 }));
    const { job } = await runToEnd(name);
    expect(conditionTypes(job)).toContain('Complete:CompletionsReached');
    expect(job.status?.failed ?? 0).toBe(0);
    expect(job.status?.succeeded).toBe(1);
    expect((await phaseOf(name)).phase).toBe('Success');
  });

  it('pending forever: the Job stays active, the phase says why, never terminal', async () => {
    const name = await createJob(task('stuck', { 'kubetasks.dev/scenario': 'stuck-pending' }));
    await clock.advance(30_000);
    const job = await getJob(name);
    expect(job.status?.active).toBe(1);
    expect(job.status?.ready).toBe(0);
    expect(job.status?.conditions).toBeUndefined();
    const pi = await phaseOf(name);
    expect(pi.phase).toBe('Initializing');
    expect(pi.reason).toMatch(/ContainerCreating/);
  });

  it('a FailJob rule of the pod failure policy ends the Job at the first matching exit code', async () => {
    const name = await createJob(
      task(
        'failjob',
        { 'kubetasks.dev/scenario': 'exit:42' },
        {
          backoffLimit: 5,
          podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [42] } }] },
        },
      ),
    );
    const { job } = await runToEnd(name);
    expect(conditionTypes(job)).toContain('Failed:PodFailurePolicy');
    const failed = job.status?.conditions?.find((c) => c.type === 'Failed');
    expect(failed?.message).toMatch(/failed with exit code 42 matching FailJob rule at index 0/);
    expect(await pods()).toHaveLength(1);
    const pi = await phaseOf(name);
    expect(pi.error?.code).toBe('PodFailurePolicy');
  });

  it('Indexed: one pod per index with index names, labels, hostname and env; completedIndexes', async () => {
    const name = await createJob(
      task('idx', {}, { completionMode: 'Indexed', completions: 3, parallelism: 2 }),
    );
    const { job } = await runToEnd(name);
    expect(job.status?.completedIndexes).toBe('0-2');
    expect(job.status?.succeeded).toBe(3);
    const all = await pods();
    expect(
      all.map((p) => p.metadata?.annotations?.['batch.kubernetes.io/job-completion-index']).sort(),
    ).toEqual(['0', '1', '2']);
    for (const p of all) {
      const i = p.metadata?.labels?.['batch.kubernetes.io/job-completion-index'];
      expect(p.metadata?.name).toMatch(new RegExp(`^${name}-${i}-[a-z0-9]{5}$`));
      expect(p.spec?.hostname).toBe(`${name}-${i}`);
      expect(p.spec?.containers[0]?.env?.some((e) => e.name === 'JOB_COMPLETION_INDEX')).toBe(true);
    }
  });

  it('backoffLimitPerIndex with maxFailedIndexes: MaxFailedIndexesExceeded', async () => {
    const name = await createJob(
      task(
        'perindex',
        { 'kubetasks.dev/scenario': 'exit:3' },
        {
          completionMode: 'Indexed',
          completions: 2,
          parallelism: 2,
          backoffLimitPerIndex: 1,
          maxFailedIndexes: 0,
        },
      ),
    );
    const { job } = await runToEnd(name);
    expect(conditionTypes(job)).toContain('Failed:MaxFailedIndexesExceeded');
    expect(job.status?.failedIndexes).not.toBe('');
    expect((await phaseOf(name)).error?.code).toBe('MaxFailedIndexesExceeded');
  });

  it('a suspended Job (as Kueue creates them) gets the Suspended condition and no pods', async () => {
    const te = task('susp', {});
    const ctx = { task: te, config: defaultPlatformConfig };
    const built = buildJobResource(ctx);
    if (E.isLeft(built)) throw new Error(JSON.stringify(built.left));
    const job = addObjectMetadata(ctx, jobPlugin.properties, built.right);
    const r = await memory.create({ ...job, spec: { ...job.spec!, suspend: true } } as KubeObject)();
    if (E.isLeft(r)) throw new Error(r.left.message);
    await clock.advance(5000);
    const j = await getJob(job.metadata?.name ?? '');
    expect(conditionTypes(j)).toBe('Suspended:JobSuspended');
    expect(j.status?.startTime).toBeUndefined();
    expect(await pods()).toHaveLength(0);
    expect((await phaseOf(job.metadata?.name ?? '')).phase).toBe('WaitingForResources');
  });

  it('deleting the Job deletes its pods', async () => {
    const name = await createJob(task('del', { 'kubetasks.dev/run-duration': '1h' }));
    await clock.advance(3000);
    expect(await pods()).toHaveLength(1);
    const d = await memory.delete({ ...JOB, namespace: NS, name })();
    expect(E.isRight(d)).toBe(true);
    for (let i = 0; i < 100 && (await pods()).length > 0; i++) await clock.advance(100);
    expect(await pods()).toHaveLength(0);
  });
});

describe('pod names', () => {
  it('suffixes encode the sequence number and differ from one pod to the next', () => {
    const uid = '2c0e1f5a-1111-4222-8333-444455556666';
    const suffixes = Array.from({ length: 50 }, (_, i) => podSuffix(uid, i));
    expect(new Set(suffixes).size).toBe(50);
    suffixes.forEach((s, i) => expect(suffixSeq(uid, s)).toBe(i));
    expect(suffixSeq(uid, 'aaaaa')).toBeUndefined();
  });

  it.each([
    [[], ''],
    [[0], '0'],
    [[0, 1], '0,1'],
    [[0, 1, 2], '0-2'],
    [[5, 1, 3, 4, 7, 0], '0,1,3-5,7'],
  ])('formatIndexes(%j) = %j', (xs, s) => {
    expect(formatIndexes(xs)).toBe(s);
  });
});

// Found by test/e2e/side-by-side-operators.test.ts against the real Job controller (Kubernetes 1.34).
describe('the simulated Job controller writes what the real one writes', () => {
  const T0 = Date.parse('2026-01-01T00:00:00Z');
  const job = (status: Job['status'] = {}): KubeObject => ({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'j', namespace: NS, uid: 'uid-j' },
    spec: {
      backoffLimit: 0,
      template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox:1.36' }] } },
    },
    status,
  });
  const pod = (phase: string): Pod => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `j-${podSuffix('uid-j', 0)}`, namespace: NS, uid: 'uid-p' },
    spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] },
    status: { phase },
  });
  const statusOf = (j: KubeObject, ps: ReadonlyArray<Pod>): NonNullable<Job['status']> =>
    jobOperator.status(j, ps, T0) as NonNullable<Job['status']>;

  it('counts the pod it creates as active in the same write', () => {
    expect(jobOperator.desiredPods(job(), [], T0)).toHaveLength(1);
    expect(statusOf(job(), [])).toMatchObject({ active: 1, ready: 0 });
  });

  it.each([
    ['Succeeded', 'succeeded', 'SuccessCriteriaMet', 'Complete'],
    ['Failed', 'failed', 'FailureTarget', 'Failed'],
  ] as const)(
    'a %s pod is first uncounted beside the interim condition, then counted with the final one',
    (phase, counter, interim, final) => {
      const running = { startTime: '2026-01-01T00:00:00Z', active: 1, ready: 1, terminating: 0 };
      const first = statusOf(job(running), [pod(phase)]);
      expect(first.conditions?.map((c) => c.type)).toEqual([interim]);
      expect(first.uncountedTerminatedPods).toEqual({ [counter]: ['uid-p'] });
      expect(first[counter]).toBeUndefined();
      const second = statusOf(job(first), [pod(phase)]);
      expect(second.conditions?.map((c) => c.type)).toEqual([interim, final]);
      expect(second.uncountedTerminatedPods).toEqual({});
      expect(second[counter]).toBe(1);
    },
  );
});
