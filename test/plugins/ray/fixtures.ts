// Builders for ray plugin tests: a ray task, a platform config with a plugins.ray section, built RayJobs.
import type { PlatformConfig } from '../../../src/domain/platform-config.js';
import type { BuildContext } from '../../../src/domain/plugin.js';
import type { TaskExecution } from '../../../src/domain/task.js';
import { buildResource } from '../../../src/plugins/ray/build.js';
import { checkedBuild, configWithSections, contextOf } from '../fixture-kit.js';
import { raySection } from '../../../src/plugins/ray/config.js';

export const rayCustom = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  rayCluster: {
    headGroupSpec: { rayStartParams: { 'num-cpus': '1' } },
    workerGroupSpec: [{ groupName: 'workers', replicas: 2, minReplicas: 1, maxReplicas: 4 }],
  },
  ...extra,
});

/** A ray task `train` of run r1, action a, in namespace ns. */
export const rayTask = (
  custom: Record<string, unknown> | null = rayCustom(),
  task: Partial<TaskExecution['task']> = {},
  execution: Partial<TaskExecution['execution']> = {},
): TaskExecution => ({
  task: {
    id: { name: 'train', project: 'p', domain: 'd', version: 'v1' },
    type: 'ray',
    container: {
      image: 'rayproject/ray:2.40.0',
      args: ['pyflyte-execute', '--inputs', 's3://b/in', '--output-prefix', 's3://b/out'],
      resources: { requests: { cpu: '1', memory: '2Gi' }, limits: { cpu: '2', memory: '4Gi' } },
    },
    ...(custom === null ? {} : { custom }),
    ...task,
  },
  execution: {
    id: { run: 'r1', action: 'a', project: 'p', domain: 'd' },
    namespace: 'ns',
    labels: { team: 'ml' },
    ...execution,
  },
});

/** A platform config document decoded with the ray section (plugins.ray is optional). */
export const rayConfig = configWithSections([raySection]);

export const ctxOf = (task: TaskExecution, config: PlatformConfig = rayConfig()): BuildContext =>
  contextOf(task, config);

const checked = checkedBuild(buildResource, 'a RayJob');
export const buildRay = checked.ok;
export const buildRayFails = checked.fails;

export type { Json } from '../fixture-kit.js';
