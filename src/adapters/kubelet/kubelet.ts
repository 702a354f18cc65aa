// The simulated kubelet (and scheduler): a client of the cluster port that runs pods through KWOK-like stages.
//
// This module is the informer loop and the wiring; the parts live beside it: runtime.ts (workers, timers, the
// ordered write queue, status writes), stages.ts (a pod's life), containers.ts, scheduler.ts and node.ts.
import * as E from 'fp-ts/lib/Either.js';
import type { Pod } from '../../domain/kubernetes.js';
import type { Duration } from '../../domain/time.js';
import { isAlreadyExists, isResourceExpired, showApiError } from '../../domain/api-error.js';
import type { Clock } from '../../ports/clock.js';
import type { ClusterPort, ObjectRef, WatchStream } from '../../ports/cluster.js';
import { silentEvents, type EventRecorder } from '../../ports/events.js';
import { silentLogger, type Logger } from '../../ports/logger.js';
import { noopMetrics, type Metrics } from '../../ports/metrics.js';
import { simulatedNode } from './node.js';
import { makeRuntime, type Worker } from './runtime.js';
import { defaultPlanDurations, planOf, showScenario, type PlanDefaults } from './scenarios.js';
import { makeScheduler } from './scheduler.js';
import { makeStages } from './stages.js';
import { initialSim } from './status.js';

const POD = { apiVersion: 'v1', kind: 'Pod' } as const;

/** How to run a simulated kubelet. */
export interface KubeletOptions {
  /** The cluster, through its port only: the same kubelet drives the in-memory cluster and a real API server. */
  readonly cluster: ClusterPort;
  /** Drives every stage; a virtual clock makes minutes of pod life take milliseconds. */
  readonly clock: Clock;
  /** The node this kubelet runs. Default `kubetasks-node`. */
  readonly nodeName?: string;
  /** Manage only pods in this namespace (all namespaces when absent). */
  readonly namespace?: string;
  /** Also act as the scheduler: bind pods that have no node. Default true. */
  readonly schedule?: boolean;
  /** Pods with this `spec.schedulerName` are scheduled. Default `default-scheduler`. */
  readonly schedulerName?: string;
  /** The node's IP. Default 10.0.0.10. */
  readonly hostIP?: string;
  /** Pod IPs come from this /16, in order (`10.244.0.2`, ..., `10.244.1.0`, ...). Default `10.244`. */
  readonly podIPPrefix?: string;
  /** Create a Node object for the node (optional; pods can be bound to a node that has none). Default false. */
  readonly registerNode?: boolean;
  /** Stage durations used when a pod's annotations do not set them. */
  readonly durations?: Partial<PlanDefaults>;
  /** How long containers take to stop after a delete, capped by the grace period. Default 500 ms. */
  readonly terminationMs?: Duration;
  /** First back-off of image pulls and container restarts; doubles up to five minutes. Default 10 s. */
  readonly backoffMs?: Duration;
  readonly events?: EventRecorder;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
}

/** A running kubelet. */
export interface Kubelet {
  readonly nodeName: string;
  /** Resolves once the first list is done and the watch is open. */
  readonly ready: () => Promise<void>;
  /** Stops watching, cancels every timer and waits for the writes in flight. */
  readonly stop: () => Promise<void>;
  /** How many pods it is looking after. */
  readonly managed: () => number;
}

const refOfPod = (pod: Pod): ObjectRef => ({
  ...POD,
  namespace: pod.metadata?.namespace ?? '',
  name: pod.metadata?.name ?? '',
});

/** Starts a kubelet; it runs until `stop()`. Errors are retried, never thrown. */
export const startKubelet = (options: KubeletOptions): Kubelet => {
  const { cluster, clock } = options;
  const nodeName = options.nodeName ?? 'kubetasks-node';
  const schedule = options.schedule ?? true;
  const schedulerName = options.schedulerName ?? 'default-scheduler';
  const hostIP = options.hostIP ?? '10.0.0.10';
  const durations: PlanDefaults = { ...defaultPlanDurations, ...options.durations };
  const firstBackoff = options.backoffMs ?? 10_000;
  const logger = (options.logger ?? silentLogger).child({ component: 'kubelet', node: nodeName });
  const selection = options.namespace === undefined ? {} : { namespace: options.namespace };

  const rt = makeRuntime({
    cluster,
    clock,
    events: options.events ?? silentEvents,
    logger,
    metrics: options.metrics ?? noopMetrics,
  });
  const { workers } = rt;
  const stages = makeStages(rt, {
    nodeName,
    schedulerName,
    ipPrefix: (options.podIPPrefix ?? '10.244').replace(/\.$/, ''),
    terminationMs: options.terminationMs ?? 500,
  });
  const scheduler = makeScheduler(rt, { nodeName, durations, refOfPod });
  rt.onForget(scheduler.forget);

  let watch: WatchStream | undefined;
  let markReady: () => void = () => undefined;
  const readyPromise = new Promise<void>((resolve) => {
    markReady = resolve;
  });

  // -------------------------------------------------------------------------------------
  // the informer loop
  // -------------------------------------------------------------------------------------

  const onPod = (pod: Pod): void => {
    const uid = pod.metadata?.uid ?? '';
    const node = pod.spec?.nodeName ?? '';
    if (node === '') {
      if (
        schedule &&
        (pod.spec?.schedulerName ?? 'default-scheduler') === schedulerName &&
        pod.metadata?.deletionTimestamp === undefined
      ) {
        scheduler.scheduleOne(pod);
      }
      return;
    }
    if (node !== nodeName) return;
    let w = workers.get(uid);
    if (w === undefined) {
      const plan = planOf(pod, durations);
      if (plan.unknownScenario !== undefined) {
        logger.warn('unknown scenario, running succeed', {
          pod: pod.metadata?.name,
          scenario: plan.unknownScenario,
        });
      }
      w = {
        uid,
        ref: refOfPod(pod),
        plan,
        sim: initialSim(pod, hostIP),
        pod,
        timers: new Set(),
        stage: 'active',
        backoff: firstBackoff,
      } satisfies Worker;
      workers.set(uid, w);
      logger.debug('pod admitted', { pod: w.ref.name, scenario: showScenario(plan.scenario) });
      const phase = pod.status?.phase;
      if (phase === 'Succeeded' || phase === 'Failed') {
        w.sim.phase = phase;
        w.stage = 'idle';
      } else if (pod.metadata?.deletionTimestamp === undefined) {
        stages.begin(w);
      }
    }
    w.pod = pod;
    if (
      pod.metadata?.deletionTimestamp !== undefined &&
      w.stage !== 'terminating' &&
      w.stage !== 'confirmed'
    ) {
      stages.terminatePod(w);
    }
  };

  const relist = async (): Promise<string | undefined> => {
    const listed = await cluster.list(POD, selection)();
    if (E.isLeft(listed)) {
      logger.warn('pod list failed', { error: showApiError(listed.left) });
      return undefined;
    }
    const seen = new Set<string>();
    for (const item of listed.right.items) {
      seen.add(item.metadata?.uid ?? '');
      onPod(item as Pod);
    }
    for (const uid of [...workers.keys()]) if (!seen.has(uid)) rt.forget(uid);
    return listed.right.resourceVersion;
  };

  const loop = async (): Promise<void> => {
    let rv: string | undefined;
    while (!rt.stopped()) {
      if (rv === undefined) {
        rv = await relist();
        if (rv === undefined) {
          await clock.sleep(1000)();
          continue;
        }
      }
      const opened = await cluster.watch(POD, { ...selection, resourceVersion: rv, allowBookmarks: true })();
      if (E.isLeft(opened)) {
        if (isResourceExpired(opened.left)) rv = undefined;
        await clock.sleep(1000)();
        continue;
      }
      watch = opened.right;
      markReady();
      if (rt.stopped()) watch.stop();
      for await (const e of opened.right) {
        if (rt.stopped()) break;
        if (e.type === 'ERROR') {
          if (isResourceExpired(e.error)) rv = undefined;
          break;
        }
        if (e.type === 'BOOKMARK') {
          rv = e.resourceVersion;
          continue;
        }
        rv = e.object.metadata?.resourceVersion ?? rv;
        const pod = e.object as Pod;
        if (e.type === 'DELETED') rt.forget(pod.metadata?.uid ?? '');
        else onPod(pod);
      }
      watch = undefined;
      if (!rt.stopped()) await clock.sleep(100)();
    }
  };

  const registerNode = async (): Promise<void> => {
    const r = await cluster.create(simulatedNode(nodeName, hostIP, rt.now()))();
    if (E.isLeft(r) && !isAlreadyExists(r.left))
      logger.warn('node registration failed', { error: showApiError(r.left) });
  };

  const running = (async () => {
    if (options.registerNode === true) await registerNode();
    await loop();
  })();

  return {
    nodeName,
    ready: () => readyPromise,
    managed: () => workers.size,
    stop: async () => {
      rt.stop();
      markReady();
      watch?.stop();
      scheduler.stop();
      for (const uid of [...workers.keys()]) rt.forget(uid);
      await rt.drained();
      await running.catch(() => undefined);
    },
  };
};
