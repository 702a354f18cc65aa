// The simulated kubelet (and scheduler): a client of the cluster port that runs pods through KWOK-like stages.
import * as E from 'fp-ts/lib/Either.js';
import type { KubeObject, Pod } from '../../domain/kubernetes.js';
import { formatInstant, type Duration } from '../../domain/time.js';
import {
  isConflict,
  isNotFound,
  isResourceExpired,
  isTransient,
  showClusterError,
} from '../../ports/cluster-error.js';
import type { CancelTimer, Clock } from '../../ports/clock.js';
import type { ClusterPort, ObjectRef, WatchStream } from '../../ports/cluster.js';
import { silentEvents, type EventRecorder, type EventType } from '../../ports/events.js';
import { silentLogger, type Logger } from '../../ports/logger.js';
import { noopMetrics, type Metrics } from '../../ports/metrics.js';
import { defaultPlanDurations, planOf, showScenario, type PlanDefaults, type PodPlan } from './scenarios.js';
import {
  containerIdOf,
  deriveConditions,
  imageIdOf,
  initialSim,
  setCondition,
  toStatus,
  type ContainerSim,
  type PodSim,
} from './status.js';

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

interface Worker {
  readonly uid: string;
  readonly ref: ObjectRef;
  readonly plan: PodPlan;
  readonly sim: PodSim;
  pod: Pod;
  readonly timers: Set<CancelTimer>;
  stage: 'active' | 'terminating' | 'idle' | 'confirmed';
  backoff: Duration;
}

const MAX_BACKOFF = 300_000;
/** How long before a write refused by a transient error (API server down, overloaded) is tried again. */
const WRITE_RETRY_MS = 1000;

/** Starts a kubelet; it runs until `stop()`. Errors are retried, never thrown. */
export const startKubelet = (options: KubeletOptions): Kubelet => {
  const { cluster, clock } = options;
  const nodeName = options.nodeName ?? 'kubetasks-node';
  const schedule = options.schedule ?? true;
  const schedulerName = options.schedulerName ?? 'default-scheduler';
  const hostIP = options.hostIP ?? '10.0.0.10';
  const ipPrefix = (options.podIPPrefix ?? '10.244').replace(/\.$/, '');
  const durations: PlanDefaults = { ...defaultPlanDurations, ...options.durations };
  const terminationMs = options.terminationMs ?? 500;
  const firstBackoff = options.backoffMs ?? 10_000;
  const events = options.events ?? silentEvents;
  const logger = (options.logger ?? silentLogger).child({ component: 'kubelet', node: nodeName });
  const metrics = options.metrics ?? noopMetrics;
  const selection = options.namespace === undefined ? {} : { namespace: options.namespace };

  let stopped = false;
  let nextIp = 2;
  let watch: WatchStream | undefined;
  let chain: Promise<void> = Promise.resolve();
  const workers = new Map<string, Worker>();
  const scheduled = new Set<string>();
  // Bind retries belong to no worker yet; stop() cancels them.
  const bindRetries = new Set<CancelTimer>();
  let markReady: () => void = () => undefined;
  const readyPromise = new Promise<void>((resolve) => {
    markReady = resolve;
  });

  // Every write goes through one queue, so a pod's statuses reach the cluster in the order they were made.
  const enqueue = (f: () => Promise<void>): void => {
    chain = chain.then(async () => {
      if (!stopped) await f();
    });
  };

  const emit = (pod: Pod, type: EventType, reason: string, message: string): void => {
    events.record({
      subject: {
        apiVersion: 'v1',
        kind: 'Pod',
        ...(pod.metadata?.namespace === undefined ? {} : { namespace: pod.metadata.namespace }),
        name: pod.metadata?.name ?? '',
        ...(pod.metadata?.uid === undefined ? {} : { uid: pod.metadata.uid }),
      },
      type,
      reason,
      message,
    });
  };

  const refOfPod = (pod: Pod): ObjectRef => ({
    ...POD,
    ...(pod.metadata?.namespace === undefined ? {} : { namespace: pod.metadata.namespace }),
    name: pod.metadata?.name ?? '',
  });

  const after = (w: Worker, ms: Duration, f: () => void): void => {
    let cancel: CancelTimer = () => undefined;
    cancel = clock.setTimer(ms, () => {
      w.timers.delete(cancel);
      if (!stopped && workers.get(w.uid) === w) f();
    });
    w.timers.add(cancel);
  };

  const cancelTimers = (w: Worker): void => {
    for (const c of w.timers) c();
    w.timers.clear();
  };

  const forget = (uid: string): void => {
    const w = workers.get(uid);
    if (w !== undefined) cancelTimers(w);
    workers.delete(uid);
    scheduled.delete(uid);
  };

  const writeStatus = (w: Worker): void => {
    deriveConditions(w.sim, clock.now());
    const status = toStatus(w.sim);
    enqueue(async () => {
      if (workers.get(w.uid) !== w) return;
      const r = await cluster.patchStatus(w.ref, {
        type: 'strategic',
        body: { metadata: { uid: w.uid }, status },
      })();
      metrics.increment('kubetasks_kubelet_status_writes_total', {
        result: E.isRight(r) ? 'ok' : r.left.reason,
      });
      if (E.isLeft(r)) {
        if (isNotFound(r.left)) forget(w.uid);
        else logger.warn('status write failed', { pod: w.ref.name, error: showClusterError(r.left) });
        // A real kubelet's status manager syncs again; without this a write lost to an API server outage
        // leaves the pod's status behind for good (nothing else changes the pod to trigger another write).
        if (isTransient(r.left))
          after(w, WRITE_RETRY_MS, () => {
            writeStatus(w);
          });
      }
    });
  };

  // -------------------------------------------------------------------------------------
  // container transitions
  // -------------------------------------------------------------------------------------

  const now = (): string => formatInstant(clock.now());

  // A handful of images serve thousands of pods: hash each once.
  const imageIds = new Map<string, string>();
  const imageIdFor = (image: string): string => {
    let id = imageIds.get(image);
    if (id === undefined) {
      id = imageIdOf(image);
      imageIds.set(image, id);
    }
    return id;
  };

  const run = (w: Worker, c: ContainerSim): void => {
    c.state = { running: { startedAt: now() } };
    c.containerID = containerIdOf(w.uid, c.name, c.restartCount);
    c.imageID = imageIdFor(c.image);
    c.ready = true;
    c.started = true;
  };

  const terminate = (c: ContainerSim, exitCode: number, reason: string, message?: string): void => {
    const startedAt = 'running' in c.state ? c.state.running.startedAt : undefined;
    c.state = {
      terminated: {
        exitCode,
        reason,
        ...(message === undefined ? {} : { message }),
        ...(startedAt === undefined ? {} : { startedAt }),
        finishedAt: now(),
        ...(c.containerID === undefined ? {} : { containerID: c.containerID }),
      },
    };
    c.ready = false;
    c.started = false;
  };

  const scenarioContainer = (w: Worker): ContainerSim | undefined =>
    w.sim.containers.find((c) => c.name === w.plan.container);

  // -------------------------------------------------------------------------------------
  // stages
  // -------------------------------------------------------------------------------------

  const begin = (w: Worker): void => {
    const sim = w.sim;
    sim.startTime = now();
    // A /16 holds 65,534 pods; wrap around after that (addresses of long-gone pods are free again).
    const n = (nextIp++ % 65_534) + 1;
    sim.podIP = `${ipPrefix}.${n >> 8}.${n & 255}`;
    setCondition(sim, 'PodScheduled', 'True', clock.now());
    setCondition(sim, 'PodReadyToStartContainers', 'True', clock.now());
    writeStatus(w);
    for (const c of [...sim.init, ...sim.containers])
      emit(w.pod, 'Normal', 'Pulling', `Pulling image "${c.image}"`);
    after(w, w.plan.pendingMs, () => {
      afterPending(w);
    });
  };

  const afterPending = (w: Worker): void => {
    const target = scenarioContainer(w);
    const s = w.plan.scenario;
    switch (s._tag) {
      case 'stuck-pending':
      case 'unschedulable':
        return;
      case 'invalid-image':
        if (target !== undefined) {
          target.state = {
            waiting: {
              reason: 'InvalidImageName',
              message: `Failed to apply default image tag "${target.image}": couldn't parse image name "${target.image}": invalid reference format`,
            },
          };
          emit(w.pod, 'Warning', 'InspectFailed', `Failed to apply default image tag "${target.image}"`);
        }
        writeStatus(w);
        return;
      case 'image-pull-backoff':
        pullFailed(w);
        return;
      case 'create-container-config-error':
        if (target !== undefined) {
          target.state = {
            waiting: { reason: 'CreateContainerConfigError', message: missingReference(w.pod) },
          };
          emit(w.pod, 'Warning', 'Failed', `Error: ${missingReference(w.pod)}`);
        }
        writeStatus(w);
        return;
      default:
        runInit(w, 0);
    }
  };

  const pullFailed = (w: Worker): void => {
    const target = scenarioContainer(w);
    if (target === undefined) return;
    const image = target.image;
    target.state = {
      waiting: {
        reason: 'ErrImagePull',
        message: `rpc error: code = NotFound desc = failed to pull and unpack image "${image}": failed to resolve reference "${image}": not found`,
      },
    };
    emit(w.pod, 'Warning', 'Failed', `Failed to pull image "${image}": not found`);
    writeStatus(w);
    after(w, 1000, () => {
      target.state = {
        waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` },
      };
      emit(w.pod, 'Normal', 'BackOff', `Back-off pulling image "${image}"`);
      writeStatus(w);
      const wait = w.backoff;
      w.backoff = Math.min(MAX_BACKOFF, w.backoff * 2);
      after(w, wait, () => {
        pullFailed(w);
      });
    });
  };

  const runInit = (w: Worker, i: number): void => {
    const c = w.sim.init[i];
    if (c === undefined) {
      startContainers(w);
      return;
    }
    run(w, c);
    if (!c.sidecar) c.ready = false;
    emit(w.pod, 'Normal', 'Started', `Started container ${c.name}`);
    writeStatus(w);
    after(w, w.plan.initMs, () => {
      if (!c.sidecar) terminate(c, 0, 'Completed');
      runInit(w, i + 1);
    });
  };

  const startContainers = (w: Worker): void => {
    for (const c of w.sim.containers) {
      if ('terminated' in c.state && !needsRestart(w, c)) continue;
      run(w, c);
      emit(w.pod, 'Normal', 'Started', `Started container ${c.name}`);
    }
    w.sim.phase = 'Running';
    writeStatus(w);
    after(w, w.plan.runMs, () => {
      outcome(w);
    });
  };

  const needsRestart = (w: Worker, c: ContainerSim): boolean => {
    if (!('terminated' in c.state)) return false;
    const policy = w.pod.spec?.restartPolicy ?? 'Always';
    return policy === 'Always' || (policy === 'OnFailure' && c.state.terminated.exitCode !== 0);
  };

  const outcome = (w: Worker): void => {
    const s = w.plan.scenario;
    switch (s._tag) {
      case 'preempted':
        preempt(w);
        return;
      case 'node-shutdown':
        failPod(w, 'Terminated', 'Pod was terminated in response to imminent node shutdown.');
        return;
      case 'evicted': {
        const name = w.plan.container;
        failPod(
          w,
          'Evicted',
          `The node was low on resource: memory. Threshold quantity: 100Mi, available: 50Mi. Container ${name} was using 2Gi, request is 0, has larger consumption of memory. `,
        );
        return;
      }
      default:
        break;
    }
    for (const c of w.sim.containers) {
      if (!('running' in c.state)) continue;
      if (c.name !== w.plan.container || s._tag === 'succeed') terminate(c, 0, 'Completed');
      else if (s._tag === 'oom') terminate(c, 137, 'OOMKilled');
      else if (s._tag === 'exit') terminate(c, s.code, s.code === 0 ? 'Completed' : 'Error');
      else terminate(c, 0, 'Completed');
    }
    const restarting = w.sim.containers.filter((c) => needsRestart(w, c));
    if (restarting.length === 0) {
      const allOk = w.sim.containers.every(
        (c) => 'terminated' in c.state && c.state.terminated.exitCode === 0,
      );
      w.sim.phase = allOk ? 'Succeeded' : 'Failed';
      setCondition(w.sim, 'PodReadyToStartContainers', 'False', clock.now());
      w.stage = 'idle';
      writeStatus(w);
      return;
    }
    // CrashLoopBackOff: the exit becomes lastState, the container waits, then starts again.
    for (const c of restarting) {
      c.lastState = c.state;
      c.restartCount += 1;
      c.state = {
        waiting: {
          reason: 'CrashLoopBackOff',
          message: `back-off ${Math.round(w.backoff / 1000)}s restarting failed container=${c.name} pod=${w.ref.name}_${w.ref.namespace ?? ''}(${w.uid})`,
        },
      };
      emit(w.pod, 'Warning', 'BackOff', 'Back-off restarting failed container');
    }
    writeStatus(w);
    const wait = w.backoff;
    w.backoff = Math.min(MAX_BACKOFF, w.backoff * 2);
    after(w, wait, () => {
      startContainers(w);
    });
  };

  const failPod = (w: Worker, reason: string, message: string): void => {
    for (const c of [...w.sim.init, ...w.sim.containers]) {
      if ('running' in c.state) terminate(c, 137, 'Error');
      else if ('waiting' in c.state)
        terminate(
          c,
          137,
          'ContainerStatusUnknown',
          'The container could not be located when the pod was terminated',
        );
    }
    w.sim.phase = 'Failed';
    w.sim.reason = reason;
    w.sim.message = message;
    setCondition(w.sim, 'DisruptionTarget', 'True', clock.now(), 'TerminationByKubelet', message);
    setCondition(w.sim, 'PodReadyToStartContainers', 'False', clock.now());
    w.stage = 'idle';
    emit(w.pod, 'Warning', reason, message);
    writeStatus(w);
  };

  // The scheduler's preemption: a DisruptionTarget condition, then a graceful delete; the kubelet does the rest.
  const preempt = (w: Worker): void => {
    const condition = {
      type: 'DisruptionTarget',
      status: 'True',
      reason: 'PreemptionByScheduler',
      message: `${schedulerName}: preempting to accommodate a higher priority pod`,
      lastTransitionTime: now(),
    };
    setCondition(w.sim, 'DisruptionTarget', 'True', clock.now(), condition.reason, condition.message);
    emit(w.pod, 'Normal', 'Preempted', 'Preempted by a pod on node ' + nodeName);
    enqueue(async () => {
      const patched = await cluster.patchStatus(w.ref, {
        type: 'strategic',
        body: { metadata: { uid: w.uid }, status: { conditions: [condition] } },
      })();
      if (E.isLeft(patched)) return;
      await cluster.delete(w.ref, { preconditions: { uid: w.uid } })();
    });
  };

  // Deletion seen: stop the containers (within the grace period), write the final status, confirm with grace 0.
  const terminatePod = (w: Worker): void => {
    cancelTimers(w);
    const terminal = w.sim.phase === 'Succeeded' || w.sim.phase === 'Failed';
    w.stage = 'terminating';
    if (terminal) {
      confirm(w);
      return;
    }
    const grace = w.pod.metadata?.deletionGracePeriodSeconds ?? 0;
    for (const c of w.sim.containers)
      if ('running' in c.state) emit(w.pod, 'Normal', 'Killing', `Stopping container ${c.name}`);
    after(w, Math.min(terminationMs, grace * 1000), () => {
      for (const c of [...w.sim.init, ...w.sim.containers]) {
        if ('running' in c.state) terminate(c, 143, 'Error');
        else if ('waiting' in c.state)
          terminate(
            c,
            137,
            'ContainerStatusUnknown',
            'The container could not be located when the pod was terminated',
          );
      }
      const allOk = w.sim.containers.every(
        (c) => 'terminated' in c.state && c.state.terminated.exitCode === 0,
      );
      w.sim.phase = allOk ? 'Succeeded' : 'Failed';
      setCondition(w.sim, 'PodReadyToStartContainers', 'False', clock.now());
      writeStatus(w);
      confirm(w);
    });
  };

  const confirm = (w: Worker): void => {
    w.stage = 'confirmed';
    enqueue(async () => {
      const r = await cluster.delete(w.ref, { gracePeriodSeconds: 0, preconditions: { uid: w.uid } })();
      if (E.isLeft(r) && !isNotFound(r.left) && !isConflict(r.left)) {
        logger.warn('delete confirmation failed', { pod: w.ref.name, error: showClusterError(r.left) });
        if (isTransient(r.left))
          after(w, WRITE_RETRY_MS, () => {
            confirm(w);
          });
      }
    });
  };

  // -------------------------------------------------------------------------------------
  // scheduler
  // -------------------------------------------------------------------------------------

  const scheduleOne = (pod: Pod): void => {
    const uid = pod.metadata?.uid ?? '';
    if (scheduled.has(uid)) return;
    scheduled.add(uid);
    const ref = refOfPod(pod);
    const plan = planOf(pod, durations);
    if (plan.scenario._tag === 'unschedulable') {
      const message =
        '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.';
      emit(pod, 'Warning', 'FailedScheduling', message);
      enqueue(async () => {
        await cluster.patchStatus(ref, {
          type: 'strategic',
          body: {
            metadata: { uid },
            status: {
              conditions: [
                {
                  type: 'PodScheduled',
                  status: 'False',
                  reason: 'Unschedulable',
                  message,
                  lastTransitionTime: now(),
                },
              ],
            },
          },
        })();
      });
      return;
    }
    enqueue(async () => {
      // Emitted before the call: the binding's watch event reaches this kubelet before the call returns.
      emit(
        pod,
        'Normal',
        'Scheduled',
        `Successfully assigned ${ref.namespace ?? ''}/${ref.name} to ${nodeName}`,
      );
      const r = await cluster.bind(ref, nodeName)();
      if (E.isLeft(r) && !isConflict(r.left) && !isNotFound(r.left)) {
        scheduled.delete(uid);
        logger.warn('binding failed', { pod: ref.name, error: showClusterError(r.left) });
        // The scheduler requeues the pod: no watch event would bring an unchanged pod back.
        if (isTransient(r.left)) {
          const cancel = clock.setTimer(WRITE_RETRY_MS, () => {
            bindRetries.delete(cancel);
            if (!stopped) scheduleOne(pod);
          });
          bindRetries.add(cancel);
        }
      }
    });
  };

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
        scheduleOne(pod);
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
      };
      workers.set(uid, w);
      logger.debug('pod admitted', { pod: w.ref.name, scenario: showScenario(plan.scenario) });
      const phase = pod.status?.phase;
      if (phase === 'Succeeded' || phase === 'Failed') {
        w.sim.phase = phase;
        w.stage = 'idle';
      } else if (pod.metadata?.deletionTimestamp === undefined) {
        begin(w);
      }
    }
    w.pod = pod;
    if (
      pod.metadata?.deletionTimestamp !== undefined &&
      w.stage !== 'terminating' &&
      w.stage !== 'confirmed'
    ) {
      terminatePod(w);
    }
  };

  const relist = async (): Promise<string | undefined> => {
    const listed = await cluster.list(POD, selection)();
    if (E.isLeft(listed)) {
      logger.warn('pod list failed', { error: showClusterError(listed.left) });
      return undefined;
    }
    const seen = new Set<string>();
    for (const item of listed.right.items) {
      seen.add(item.metadata?.uid ?? '');
      onPod(item as Pod);
    }
    for (const uid of [...workers.keys()]) if (!seen.has(uid)) forget(uid);
    return listed.right.resourceVersion;
  };

  const loop = async (): Promise<void> => {
    let rv: string | undefined;
    while (!stopped) {
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
      if (stopped) watch.stop();
      for await (const e of opened.right) {
        if (stopped) break;
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
        if (e.type === 'DELETED') forget(pod.metadata?.uid ?? '');
        else onPod(pod);
      }
      watch = undefined;
      if (!stopped) await clock.sleep(100)();
    }
  };

  const registerNode = async (): Promise<void> => {
    const node: KubeObject = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: nodeName,
        labels: {
          'kubernetes.io/hostname': nodeName,
          'kubernetes.io/os': 'linux',
          'kubernetes.io/arch': 'amd64',
        },
        annotations: { 'kubetasks.dev/simulated': 'true' },
      },
      spec: {},
      status: {
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'KubeletReady',
            message: 'kubelet is posting ready status',
            lastHeartbeatTime: now(),
            lastTransitionTime: now(),
          },
        ],
        addresses: [
          { type: 'InternalIP', address: hostIP },
          { type: 'Hostname', address: nodeName },
        ],
        capacity: { cpu: '32', memory: '256Gi', pods: '110' },
        allocatable: { cpu: '32', memory: '256Gi', pods: '110' },
        nodeInfo: {
          kubeletVersion: 'v1.34.0-kubetasks',
          containerRuntimeVersion: 'containerd://2.0.0',
          operatingSystem: 'linux',
          architecture: 'amd64',
        },
      },
    };
    const r = await cluster.create(node)();
    if (E.isLeft(r) && r.left.reason !== 'AlreadyExists')
      logger.warn('node registration failed', { error: showClusterError(r.left) });
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
      stopped = true;
      markReady();
      watch?.stop();
      for (const cancel of bindRetries) cancel();
      bindRetries.clear();
      for (const uid of [...workers.keys()]) forget(uid);
      await chain;
      await running.catch(() => undefined);
    },
  };
};

// A missing Secret or ConfigMap the pod refers to, for CreateContainerConfigError's message.
const missingReference = (pod: Pod): string => {
  for (const c of pod.spec?.containers ?? []) {
    for (const e of c.env ?? []) {
      const s = e.valueFrom?.secretKeyRef?.name;
      if (s !== undefined) return `secret "${s}" not found`;
      const m = e.valueFrom?.configMapKeyRef?.name;
      if (m !== undefined) return `configmap "${m}" not found`;
    }
    for (const f of c.envFrom ?? []) {
      if (f.secretRef?.name !== undefined) return `secret "${f.secretRef.name}" not found`;
      if (f.configMapRef?.name !== undefined) return `configmap "${f.configMapRef.name}" not found`;
    }
  }
  return 'configmap "missing" not found';
};
