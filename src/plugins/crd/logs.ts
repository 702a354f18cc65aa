// Log links of a plugin with its own logs section (plugins.ray.logs, plugins.dask.logs), rendered for one pod.
import type { TaskLog } from '../../domain/phase-info.js';
import type { LogsConfig } from '../../domain/platform-config.js';
import type { PhaseContext } from '../../domain/plugin.js';
import { renderLogTemplate } from '../pod/phase/index.js';
import { linkTemplates } from '../pod/phase/logs.js';

/** Whether a logs section asks for any link at all. */
export const enablesLinks = (logs: LogsConfig): boolean =>
  logs['kubernetes-enabled'] ||
  logs['cloudwatch-enabled'] ||
  logs['stackdriver-enabled'] ||
  logs.templates.length > 0;

/**
 * The links a plugin renders: its own section when that enables any link, else the platform's `logs` section, so a
 * platform that configures links once gets them on every task (Flyte's plugin sections stand alone).
 */
export const effectiveLogs = (section: LogsConfig, platform: LogsConfig): LogsConfig =>
  enablesLinks(section) ? section : platform;

/** The links of `logs` (and the task's own links) rendered with `vars`. */
export const renderLinks = (
  ctx: PhaseContext,
  logs: LogsConfig,
  vars: Readonly<Record<string, string>>,
): ReadonlyArray<TaskLog> =>
  linkTemplates({ ...ctx, config: { ...ctx.config, logs } }).map((l) => ({
    name: renderLogTemplate(l.name, vars),
    uri: renderLogTemplate(l.uri, vars),
    linkType: l.linkType,
    ready: true,
  }));
