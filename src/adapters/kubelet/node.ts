// The Node object the simulated kubelet registers for itself: ready, with a generous capacity.
import type { KubeObject } from '../../domain/kubernetes.js';

/** The Node a kubelet named `nodeName` at `hostIP` registers; `now` stamps its Ready condition. */
export const simulatedNode = (nodeName: string, hostIP: string, now: string): KubeObject => ({
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
        lastHeartbeatTime: now,
        lastTransitionTime: now,
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
});
