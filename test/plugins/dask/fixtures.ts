// Builders for dask plugin tests: a dask task, a platform config with a plugins.dask section, built DaskJobs.
import type { PlatformConfig } from '../../../src/domain/platform-config.js';
import type { BuildContext } from '../../../src/domain/plugin.js';
import type { TaskExecution } from '../../../src/domain/task.js';
import { buildResource } from '../../../src/plugins/dask/build.js';
import { checkedBuild, configWithSections, contextOf } from '../fixture-kit.js';
import { daskSection } from '../../../src/plugins/dask/config.js';

export const daskCustom = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  scheduler: { image: 'ghcr.io/dask/dask:2024.8.0' },
  workers: { numberOfWorkers: 2, resources: { limits: { cpu: '2', memory: '4Gi' } } },
  ...extra,
});

/** A dask task `etl` of run r1, action a, in namespace ns. */
export const daskTask = (
  custom: Record<string, unknown> | null = daskCustom(),
  task: Partial<TaskExecution['task']> = {},
  execution: Partial<TaskExecution['execution']> = {},
): TaskExecution => ({
  task: {
    id: { name: 'etl', project: 'p', domain: 'd', version: 'v1' },
    type: 'dask',
    container: {
      image: 'ghcr.io/example/etl:1',
      command: ['python', '-m', 'etl'],
      args: ['--date', '2026-01-01'],
      resources: { requests: { cpu: '1', memory: '1Gi' } },
    },
    ...(custom === null ? {} : { custom }),
    ...task,
  },
  execution: {
    id: { run: 'r1', action: 'a', project: 'p', domain: 'd' },
    namespace: 'ns',
    labels: { team: 'data' },
    ...execution,
  },
});

/** A platform config document decoded with the dask section (plugins.dask is optional). */
export const daskConfig = configWithSections([daskSection]);

export const ctxOf = (task: TaskExecution, config: PlatformConfig = daskConfig()): BuildContext =>
  contextOf(task, config);

const checked = checkedBuild(buildResource, 'a DaskJob');
export const buildDask = checked.ok;
export const buildDaskFails = checked.fails;

export type { Json } from '../fixture-kit.js';
