// Contract: the simulated kubelet's scenarios produce the pod status sequences a real kubelet would.
import { describe, expect, it } from 'vitest';
import type { ContainerStatus, KubeObject, PodCondition, PodStatus } from '../../domain/kubernetes.js';
import type { WatchEvent } from '../../ports/cluster.js';
import { startKubelet, type Kubelet } from '../../adapters/kubelet/index.js';
import {
  INIT_DURATION_ANNOTATION,
  PENDING_DURATION_ANNOTATION,
  RUN_DURATION_ANNOTATION,
  SCENARIO_ANNOTATION,
} from '../../adapters/kubelet/scenarios.js';
import {
  POD,
  err,
  freshNamespace,
  ok,
  pod,
  refTo,
  watchOf,
  type ContractAdapter,
  type EventReader,
  type PodShape,
} from './support.js';

const FINALIZER = 'kubetasks.dev/contract';

const statusOf = (o: KubeObject): PodStatus => o['status'] ?? {};

const containerState = (c: ContainerStatus | undefined): string => {
  if (c === undefined) return '-';
  const s = c.state ?? {};
  if (s.waiting !== undefined) return `waiting/${s.waiting.reason ?? ''}`;
  if (s.running !== undefined) return 'running';
  if (s.terminated !== undefined) return `terminated/${s.terminated.reason ?? ''}/${s.terminated.exitCode}`;
  return '?';
};

/** `Running:running`: the phase and the main container's state, as a test can compare sequences of. */
const summary = (o: KubeObject): string => {
  const status = statusOf(o);
  return `${status.phase ?? ''}:${containerState(status.containerStatuses?.find((c) => c.name === 'main'))}`;
};

const condition = (o: KubeObject, type: string): PodCondition | undefined =>
  statusOf(o).conditions?.find((c) => c.type === type);

/** The summaries a watch showed, with consecutive repeats dropped. */
const sequence = (events: ReadonlyArray<WatchEvent>): string[] => {
  const out: string[] = [];
  for (const e of events) {
    if (e.type !== 'ADDED' && e.type !== 'MODIFIED') continue;
    const s = summary(e.object);
    if (out[out.length - 1] !== s) out.push(s);
  }
  return out;
};

const lastObject = (events: ReadonlyArray<WatchEvent>): KubeObject => {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e !== undefined && (e.type === 'ADDED' || e.type === 'MODIFIED' || e.type === 'DELETED'))
      return e.object;
  }
  throw new Error('no object event');
};

const objectWhere =
  (test: (o: KubeObject) => boolean) =>
  (e: WatchEvent): boolean =>
    (e.type === 'ADDED' || e.type === 'MODIFIED') && test(e.object);

const fast = (
  scenario: string,
  extra: Readonly<Record<string, string>> = {},
): Readonly<Record<string, string>> => ({
  [SCENARIO_ANNOTATION]: scenario,
  [PENDING_DURATION_ANNOTATION]: '200ms',
  [RUN_DURATION_ANNOTATION]: '300ms',
  [INIT_DURATION_ANNOTATION]: '100ms',
  ...extra,
});

interface Scene {
  readonly adapter: ContractAdapter;
  readonly ns: string;
  readonly kubelet: Kubelet;
  /** Creates the pod and returns a reader of its namespace's pod events, starting before the create. */
  readonly run: (name: string, shape: PodShape) => Promise<EventReader>;
}

const scene = async (adapter: ContractAdapter, body: (s: Scene) => Promise<void>): Promise<void> => {
  const ns = await freshNamespace(adapter.cluster);
  const kubelet = startKubelet({
    cluster: adapter.cluster,
    clock: adapter.clock,
    namespace: ns,
    nodeName: `kt-node-${ns}`,
    backoffMs: 500,
    terminationMs: 200,
  });
  const readers: EventReader[] = [];
  try {
    await kubelet.ready();
    await body({
      adapter,
      ns,
      kubelet,
      run: async (name, shape) => {
        const list = await ok(adapter.cluster.list(POD, { namespace: ns }));
        const reader = await watchOf(adapter, POD, { namespace: ns, resourceVersion: list.resourceVersion });
        readers.push(reader);
        await ok(adapter.cluster.create(pod(ns, name, shape)));
        return reader;
      },
    });
  } finally {
    for (const r of readers) r.stop();
    await kubelet.stop();
  }
};

const terminal = objectWhere((o) => ['Succeeded', 'Failed'].includes(statusOf(o).phase ?? ''));

export const kubeletContract = (ctx: () => ContractAdapter): void => {
  describe('simulated kubelet', () => {
    it('succeed: Pending, ContainerCreating, Running, Succeeded, with a real kubelet status shape', async () => {
      await scene(ctx(), async ({ run, kubelet }) => {
        const watch = await run('p', { annotations: fast('succeed') });
        const upToRunning = await watch.until(objectWhere((o) => statusOf(o).phase === 'Running'));
        const rest = await watch.until(terminal);
        const events = [...upToRunning, ...rest];
        expect(sequence(events)).toEqual([
          'Pending:-',
          'Pending:waiting/ContainerCreating',
          'Running:running',
          'Succeeded:terminated/Completed/0',
        ]);
        const running = lastObject(upToRunning);
        const status = statusOf(running);
        expect((running['spec'] as { nodeName?: string }).nodeName).toBe(kubelet.nodeName);
        for (const type of [
          'PodReadyToStartContainers',
          'Initialized',
          'Ready',
          'ContainersReady',
          'PodScheduled',
        ]) {
          expect(condition(running, type)?.status, type).toBe('True');
          expect(condition(running, type)?.lastTransitionTime, type).toMatch(/Z$/);
        }
        expect(status.hostIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
        expect(status.hostIPs?.[0]?.ip).toBe(status.hostIP);
        expect(status.podIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
        expect(status.podIPs?.[0]?.ip).toBe(status.podIP);
        expect(status.startTime).toBeDefined();
        expect(status.qosClass).toBe('BestEffort');
        const main = status.containerStatuses?.[0];
        expect(main?.name).toBe('main');
        expect(main?.ready).toBe(true);
        expect(main?.started).toBe(true);
        expect(main?.restartCount).toBe(0);
        expect(main?.image).toContain('busybox');
        expect(main?.imageID).toContain('@sha256:');
        expect(main?.containerID).toMatch(/^[a-z]+:\/\/[0-9a-f]+$/);
        expect(main?.state?.running?.startedAt).toBeDefined();
        const done = lastObject(rest);
        expect(condition(done, 'Ready')?.status).toBe('False');
        expect(condition(done, 'Ready')?.reason).toBe('PodCompleted');
        const finished = statusOf(done).containerStatuses?.[0]?.state?.terminated;
        expect(finished?.finishedAt).toBeDefined();
        expect(finished?.containerID).toBe(main?.containerID);
      });
    });

    it.each([
      ['exit:3', 'Failed:terminated/Error/3'],
      ['oom', 'Failed:terminated/OOMKilled/137'],
    ])('%s: ends %s after running', async (scenario, last) => {
      await scene(ctx(), async ({ run }) => {
        const watch = await run('p', { annotations: fast(scenario) });
        const events = await watch.until(terminal);
        expect(sequence(events)).toEqual([
          'Pending:-',
          'Pending:waiting/ContainerCreating',
          'Running:running',
          last,
        ]);
      });
    });

    it.each([
      ['image-pull-backoff', ['Pending:waiting/ErrImagePull', 'Pending:waiting/ImagePullBackOff']],
      ['invalid-image', ['Pending:waiting/InvalidImageName']],
      ['create-container-config-error', ['Pending:waiting/CreateContainerConfigError']],
    ])('%s: stays Pending with the waiting reason', async (scenario, tail) => {
      await scene(ctx(), async ({ run }) => {
        const watch = await run('p', { annotations: fast(scenario) });
        const want = tail[tail.length - 1] ?? '';
        const events = await watch.until(objectWhere((o) => summary(o) === want));
        expect(sequence(events)).toEqual(['Pending:-', 'Pending:waiting/ContainerCreating', ...tail]);
        const waiting = statusOf(lastObject(events)).containerStatuses?.[0]?.state?.waiting;
        expect(waiting?.message).toBeTruthy();
      });
    });

    it('unschedulable: PodScheduled=False (Unschedulable) and no node', async () => {
      await scene(ctx(), async ({ run }) => {
        const watch = await run('p', { annotations: fast('unschedulable') });
        const events = await watch.until(
          objectWhere((o) => condition(o, 'PodScheduled')?.status === 'False'),
        );
        const o = lastObject(events);
        expect(condition(o, 'PodScheduled')?.reason).toBe('Unschedulable');
        expect((o['spec'] as { nodeName?: string }).nodeName ?? '').toBe('');
        expect(statusOf(o).phase).toBe('Pending');
      });
    });

    it('preempted: DisruptionTarget by the scheduler, graceful delete, Failed, then removed', async () => {
      await scene(ctx(), async ({ run }) => {
        const watch = await run('p', { annotations: fast('preempted') });
        const events = await watch.until((e) => e.type === 'DELETED');
        expect(sequence(events)).toEqual([
          'Pending:-',
          'Pending:waiting/ContainerCreating',
          'Running:running',
          'Failed:terminated/Error/143',
        ]);
        const disrupted = events.find(objectWhere((o) => condition(o, 'DisruptionTarget') !== undefined));
        const o = disrupted?.type === 'MODIFIED' ? disrupted.object : undefined;
        expect(o === undefined ? undefined : condition(o, 'DisruptionTarget')?.reason).toBe(
          'PreemptionByScheduler',
        );
        expect(events.some(objectWhere((x) => x.metadata?.deletionTimestamp !== undefined))).toBe(true);
      });
    });

    it.each([
      ['node-shutdown', 'Terminated'],
      ['evicted', 'Evicted'],
    ])('%s: Failed with reason %s and a DisruptionTarget from the kubelet', async (scenario, reason) => {
      await scene(ctx(), async ({ run }) => {
        const watch = await run('p', { annotations: fast(scenario) });
        const events = await watch.until(terminal);
        const o = lastObject(events);
        expect(statusOf(o).phase).toBe('Failed');
        expect(statusOf(o).reason).toBe(reason);
        expect(statusOf(o).message).toBeTruthy();
        expect(condition(o, 'DisruptionTarget')?.reason).toBe('TerminationByKubelet');
        expect(sequence(events).slice(0, 3)).toEqual([
          'Pending:-',
          'Pending:waiting/ContainerCreating',
          'Running:running',
        ]);
      });
    });

    it('stuck-pending: bound, then ContainerCreating for good', async () => {
      await scene(ctx(), async ({ run, adapter, ns }) => {
        const watch = await run('p', { annotations: fast('stuck-pending') });
        await watch.until(objectWhere((o) => summary(o) === 'Pending:waiting/ContainerCreating'));
        await adapter.clock.sleep(2000)();
        const o = await ok(adapter.cluster.get(refTo(POD, ns, 'p')));
        expect(summary(o)).toBe('Pending:waiting/ContainerCreating');
      });
    });

    it('runs init containers first', async () => {
      await scene(ctx(), async ({ run }) => {
        const watch = await run('p', { annotations: fast('succeed'), initContainers: true });
        const events = await watch.until(terminal);
        const inits: string[] = [];
        for (const e of events) {
          if (e.type !== 'MODIFIED') continue;
          const s = containerState(statusOf(e.object).initContainerStatuses?.[0]);
          if (s !== '-' && inits[inits.length - 1] !== s) inits.push(s);
        }
        expect(inits).toEqual(['waiting/PodInitializing', 'running', 'terminated/Completed/0']);
        expect(sequence(events)).toEqual([
          'Pending:-',
          'Pending:waiting/PodInitializing',
          'Running:running',
          'Succeeded:terminated/Completed/0',
        ]);
        const initializing = events.find(objectWhere((o) => condition(o, 'Initialized')?.status === 'False'));
        expect(initializing).toBeDefined();
      });
    });

    it('restarts a failed container under OnFailure: CrashLoopBackOff, lastState, restartCount', async () => {
      await scene(ctx(), async ({ run }) => {
        const watch = await run('p', { annotations: fast('exit:1'), restartPolicy: 'OnFailure' });
        const events = await watch.until(
          objectWhere((o) => {
            const c = statusOf(o).containerStatuses?.[0];
            return c?.restartCount === 1 && c.state?.running !== undefined;
          }),
        );
        const crash = events.find(objectWhere((o) => summary(o) === 'Running:waiting/CrashLoopBackOff'));
        expect(crash).toBeDefined();
        const o = lastObject(events);
        const c = statusOf(o).containerStatuses?.[0];
        expect(c?.lastState?.terminated?.exitCode).toBe(1);
        expect(statusOf(o).phase).toBe('Running');
      });
    });

    it('runs a pod created with its nodeName set, without binding', async () => {
      await scene(ctx(), async ({ run, kubelet }) => {
        const watch = await run('p', { annotations: fast('succeed'), nodeName: kubelet.nodeName });
        const events = await watch.until(terminal);
        expect(sequence(events)).toEqual([
          'Pending:-',
          'Pending:waiting/ContainerCreating',
          'Running:running',
          'Succeeded:terminated/Completed/0',
        ]);
        expect(condition(lastObject(events), 'PodScheduled')?.status).toBe('True');
      });
    });

    it('deleting a running pod: containers stop, the pod fails, the kubelet confirms and it is gone', async () => {
      await scene(ctx(), async ({ run, adapter, ns }) => {
        const watch = await run('p', { annotations: fast('succeed', { [RUN_DURATION_ANNOTATION]: '1h' }) });
        await watch.until(objectWhere((o) => statusOf(o).phase === 'Running'));
        const out = await ok(adapter.cluster.delete(refTo(POD, ns, 'p')));
        expect(out.removed).toBe(false);
        const events = await watch.until((e) => e.type === 'DELETED');
        expect(sequence(events)).toEqual(['Running:running', 'Failed:terminated/Error/143']);
        expect((await err(adapter.cluster.get(refTo(POD, ns, 'p')))).reason).toBe('NotFound');
      });
    });

    it('deleting a running pod with a finalizer: it stays, Failed, until the finalizer goes', async () => {
      await scene(ctx(), async ({ run, adapter, ns }) => {
        const watch = await run('p', {
          annotations: fast('succeed', { [RUN_DURATION_ANNOTATION]: '1h' }),
          finalizers: [FINALIZER],
        });
        await watch.until(objectWhere((o) => statusOf(o).phase === 'Running'));
        await ok(adapter.cluster.delete(refTo(POD, ns, 'p')));
        const events = await watch.until(objectWhere((o) => o.metadata?.deletionGracePeriodSeconds === 0));
        const held = lastObject(events);
        expect(statusOf(held).phase).toBe('Failed');
        expect(held.metadata?.finalizers).toEqual([FINALIZER]);
        await ok(
          adapter.cluster.patch(refTo(POD, ns, 'p'), {
            type: 'merge',
            body: { metadata: { finalizers: null } },
          }),
        );
        await watch.until((e) => e.type === 'DELETED');
        expect((await err(adapter.cluster.get(refTo(POD, ns, 'p')))).reason).toBe('NotFound');
      });
    });
  });
};
