// Loading a task file for render and run: decode, apply the namespace flag, and route its task type to a plugin.
import * as E from 'fp-ts/lib/Either.js';
import { loadTaskSource, type TaskSource } from '../app/build-errors.js';
import { routeTask, withNamespace } from '../app/render.js';
import { renderInputError } from '../app/source.js';
import type { PlatformConfig } from '../domain/platform-config.js';
import type { Plugin } from '../domain/plugin.js';
import type { Registry } from '../domain/registry.js';
import { dns1123LabelError } from '../domain/names.js';
import { CliExit, ExitCode, loadOrExit } from './io.js';

/** A task file ready to build or run, and the plugin that serves its type. */
export interface LoadedTask {
  readonly source: TaskSource;
  readonly plugin: Plugin;
}

export { taskIdOf } from '../app/render.js';

/** Checks a `-n/--namespace` value as the task file's `execution.namespace` is checked: a usage error if invalid. */
export const checkNamespaceFlag = (namespace: string | undefined): string | undefined => {
  if (namespace === undefined) return undefined;
  const why = namespace === '' ? 'it is empty' : dns1123LabelError(namespace);
  if (why !== undefined) {
    throw new CliExit(ExitCode.badInput, [`--namespace: "${namespace}" is not a namespace name: ${why}`]);
  }
  return namespace;
};

/**
 * Decodes the task file (exit 2 with every error positioned), overrides its namespace, and finds the plugin for its
 * type (routeTask): an unserved type exits 2, a type the default plugin serves by fallback warns on standard error.
 */
export const loadTask = (
  file: string,
  config: PlatformConfig,
  registry: Registry,
  namespace: string | undefined,
): LoadedTask => {
  const source = withNamespace(loadOrExit(file, loadTaskSource), namespace);
  const route = routeTask(registry, config, source);
  if (E.isLeft(route)) throw new CliExit(ExitCode.badInput, [renderInputError(route.left)]);
  if (route.right.warning !== undefined) process.stderr.write(`${renderInputError(route.right.warning)}\n`);
  return { source, plugin: route.right.plugin };
};
