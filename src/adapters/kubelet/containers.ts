// Container transitions of the simulated kubelet: start, stop, restart decisions, and the messages real kubelets give.
import type { Pod } from '../../domain/kubernetes.js';
import { containerIdOf, imageIdOf, type ContainerSim } from './status.js';

/** Starts and stops containers, stamping times with `now` and hashing each image's id once. */
export interface ContainerOps {
  /** The container runs (a new container id for its restart count; ready and started). */
  readonly run: (podUid: string, c: ContainerSim) => void;
  /** The container exits with this code and reason (keeping when it started). */
  readonly terminate: (c: ContainerSim, exitCode: number, reason: string, message?: string) => void;
}

/** Container transitions stamped by `now`. */
export const makeContainerOps = (now: () => string): ContainerOps => {
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

  return {
    run: (podUid, c) => {
      c.state = { running: { startedAt: now() } };
      c.containerID = containerIdOf(podUid, c.name, c.restartCount);
      c.imageID = imageIdFor(c.image);
      c.ready = true;
      c.started = true;
    },

    terminate: (c, exitCode, reason, message) => {
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
    },
  };
};

/** Whether the pod's restart policy restarts this container now that it exited. */
export const needsRestart = (pod: Pod, c: ContainerSim): boolean => {
  if (!('terminated' in c.state)) return false;
  const policy = pod.spec?.restartPolicy ?? 'Always';
  return policy === 'Always' || (policy === 'OnFailure' && c.state.terminated.exitCode !== 0);
};

/** Whether every app container exited 0 (the pod Succeeded rather than Failed). */
export const allSucceeded = (containers: ReadonlyArray<ContainerSim>): boolean =>
  containers.every((c) => 'terminated' in c.state && c.state.terminated.exitCode === 0);

/** A missing Secret or ConfigMap the pod refers to, for CreateContainerConfigError's message. */
export const missingReference = (pod: Pod): string => {
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
