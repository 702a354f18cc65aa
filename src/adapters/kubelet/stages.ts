// The stages a simulated kubelet runs a pod through: pull, init, run, the scenario's outcome, restarts, termination.
import * as E from 'fp-ts/lib/Either.js';
import type { Duration } from '../../domain/time.js';
import { isConflict, isNotFound, isRetryable, showApiError } from '../../domain/api-error.js';
import { allSucceeded, makeContainerOps, missingReference, needsRestart } from './containers.js';
import { WRITE_RETRY_MS, type KubeletRuntime, type Worker } from './runtime.js';
import { setCondition, type ContainerSim } from './status.js';

const MAX_BACKOFF = 300_000;

/** What the stages need besides the runtime. */
export interface StageOptions {
  readonly nodeName: string;
  readonly schedulerName: string;
  /** Pod IPs come from this /16 (`10.244`). */
  readonly ipPrefix: string;
  /** How long containers take to stop after a delete, capped by the grace period. */
  readonly terminationMs: Duration;
}

/** The two ways into a pod's life: its start on this node, and the deletion the kubelet sees. */
export interface Stages {
  /** Starts a pod just bound to this node: IP, conditions, image pulls, then its scenario. */
  readonly begin: (w: Worker) => void;
  /** Deletion seen: stops the containers (within the grace period), writes the final status, confirms with grace 0. */
  readonly terminatePod: (w: Worker) => void;
}

/** The pod stages over a runtime. */
export const makeStages = (rt: KubeletRuntime, options: StageOptions): Stages => {
  const { cluster, clock, logger, emit, after, writeStatus, enqueue, now } = rt;
  const { nodeName, schedulerName, ipPrefix, terminationMs } = options;
  const containers = makeContainerOps(now);
  let nextIp = 2;

  const scenarioContainer = (w: Worker): ContainerSim | undefined =>
    w.sim.containers.find((c) => c.name === w.plan.container);

  // Every container still running (exit `runningExit`) or waiting (never started: its status is unknown) stops.
  const stopContainers = (w: Worker, runningExit: number): void => {
    for (const c of [...w.sim.init, ...w.sim.containers]) {
      if ('running' in c.state) containers.terminate(c, runningExit, 'Error');
      else if ('waiting' in c.state)
        containers.terminate(
          c,
          137,
          'ContainerStatusUnknown',
          'The container could not be located when the pod was terminated',
        );
    }
  };

  const backoff = (w: Worker): Duration => {
    const wait = w.backoff;
    w.backoff = Math.min(MAX_BACKOFF, w.backoff * 2);
    return wait;
  };

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
      after(w, backoff(w), () => {
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
    containers.run(w.uid, c);
    if (!c.sidecar) c.ready = false;
    emit(w.pod, 'Normal', 'Started', `Started container ${c.name}`);
    writeStatus(w);
    after(w, w.plan.initMs, () => {
      if (!c.sidecar) containers.terminate(c, 0, 'Completed');
      runInit(w, i + 1);
    });
  };

  const startContainers = (w: Worker): void => {
    for (const c of w.sim.containers) {
      if ('terminated' in c.state && !needsRestart(w.pod, c)) continue;
      containers.run(w.uid, c);
      emit(w.pod, 'Normal', 'Started', `Started container ${c.name}`);
    }
    w.sim.phase = 'Running';
    writeStatus(w);
    after(w, w.plan.runMs, () => {
      outcome(w);
    });
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
      if (c.name !== w.plan.container || s._tag === 'succeed') containers.terminate(c, 0, 'Completed');
      else if (s._tag === 'oom') containers.terminate(c, 137, 'OOMKilled');
      else if (s._tag === 'exit') containers.terminate(c, s.code, s.code === 0 ? 'Completed' : 'Error');
      else containers.terminate(c, 0, 'Completed');
    }
    const restarting = w.sim.containers.filter((c) => needsRestart(w.pod, c));
    if (restarting.length === 0) {
      w.sim.phase = allSucceeded(w.sim.containers) ? 'Succeeded' : 'Failed';
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
    after(w, backoff(w), () => {
      startContainers(w);
    });
  };

  const failPod = (w: Worker, reason: string, message: string): void => {
    stopContainers(w, 137);
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

  const terminatePod = (w: Worker): void => {
    rt.cancelTimers(w);
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
      stopContainers(w, 143);
      w.sim.phase = allSucceeded(w.sim.containers) ? 'Succeeded' : 'Failed';
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
        logger.warn('delete confirmation failed', { pod: w.ref.name, error: showApiError(r.left) });
        if (isRetryable(r.left))
          after(w, WRITE_RETRY_MS, () => {
            confirm(w);
          });
      }
    });
  };

  return { begin, terminatePod };
};
