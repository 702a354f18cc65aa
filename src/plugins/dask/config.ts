// The `plugins.dask` platform config section: the log links of dask tasks (Flyte's only key).
import type * as t from 'io-ts';
import { struct, withDefault } from '../../domain/codec.js';
import { pluginConfigSection, readPluginConfig } from '../../domain/plugin-config.js';
import { LogsConfig, type PlatformConfig } from '../../domain/platform-config.js';

const defaultLogs = (): LogsConfig => {
  const r = LogsConfig.decode({});
  if (r._tag === 'Left') throw new Error('kubetasks: invalid built-in defaults for LogsConfig');
  return r.right;
};

export const DaskConfig = struct(
  'DaskConfig',
  {
    logs: withDefault(
      LogsConfig,
      defaultLogs(),
      'Log links of a dask task, rendered for the job-runner pod (the platform logs section when this one enables none); the first DASHBOARD template also sets the scheduler --dashboard-prefix.',
    ),
  },
  {},
  'DaskJob tasks (task type dask).',
);
export type DaskConfig = t.TypeOf<typeof DaskConfig>;

export const daskSection = pluginConfigSection('dask', DaskConfig);

export const daskConfigOf = (config: PlatformConfig): DaskConfig => readPluginConfig(daskSection, config);
