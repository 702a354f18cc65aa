// The pod task of the benchmarks: the same for the controller (as a TaskExecution), the Manager and the apiserver bench.
import type { TaskExecution } from '../../src/domain/task.js';

/** Task i of a run: a small container that the simulated kubelet runs to success. */
export const benchTask = (namespace: string, i: number): TaskExecution => ({
  task: {
    id: { name: 'bench' },
    type: 'container',
    container: {
      image: 'busybox:1.36',
      command: ['true'],
      resources: { requests: { cpu: '10m', memory: '16Mi' } },
    },
  },
  execution: {
    id: { run: 'bench', action: `t${i}` },
    namespace,
    annotations: { 'kubetasks.dev/scenario': 'succeed' },
  },
});
