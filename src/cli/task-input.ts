// Loading a task file for render and run: decode, apply the namespace flag, and route its task type to a plugin.
import * as O from 'fp-ts/lib/Option.js';
import { loadTaskSource, type TaskSource } from '../app/build-errors.js';
import { renderInputError, type InputError } from '../app/source.js';
import type { PlatformConfig } from '../domain/platform-config.js';
import type { Plugin } from '../domain/plugin.js';
import { knownTaskTypes, routeTaskType, type Registry } from '../domain/registry.js';
import { dns1123LabelError } from '../domain/names.js';
import type { TaskExecution } from '../domain/task.js';
import { CliExit, ExitCode, loadOrExit } from './io.js';

/** A task file ready to build or run, and the plugin that serves its type. */
export interface LoadedTask {
  readonly source: TaskSource;
  readonly plugin: Plugin;
}

/** The id `run` submits a task under, and so the task annotation on what it creates. */
export const taskIdOf = (te: TaskExecution): string => `${te.execution.id.run}-${te.execution.id.action}`;

/** Checks a `-n/--namespace` value as the task file's `execution.namespace` is checked: a usage error if invalid. */
export const checkNamespaceFlag = (namespace: string | undefined): string | undefined => {
  if (namespace === undefined) return undefined;
  const why = namespace === '' ? 'it is empty' : dns1123LabelError(namespace);
  if (why !== undefined) {
    throw new CliExit(ExitCode.badInput, [`--namespace: "${namespace}" is not a namespace name: ${why}`]);
  }
  return namespace;
};

const typeError = (source: TaskSource, message: string): InputError => {
  const position = source.doc.locate(['task', 'type']);
  return { file: source.doc.file, ...(position === undefined ? {} : { position }), message };
};

/**
 * Decodes the task file (exit 2 with every error positioned), overrides its namespace, and finds the plugin for its
 * type. A type no plugin registers runs on the default plugin, as in Flyte, with a warning on standard error naming
 * the plugin and the likely intended type; under `tasks.task-plugins.unknown-task-types: reject` it is an input
 * error instead.
 */
export const loadTask = (
  file: string,
  config: PlatformConfig,
  registry: Registry,
  namespace: string | undefined,
): LoadedTask => {
  const loaded = loadOrExit(file, loadTaskSource);
  const source: TaskSource =
    namespace === undefined
      ? loaded
      : { ...loaded, task: { ...loaded.task, execution: { ...loaded.task.execution, namespace } } };
  const taskType = source.task.task.type;
  const policy = config.tasks['task-plugins']['unknown-task-types'];
  const route = routeTaskType(taskType, policy)(registry);
  if (route._tag === 'Registered') return { source, plugin: route.plugin };
  const didYouMean = O.isSome(route.suggestion) ? ` (did you mean "${route.suggestion.value}"?)` : '';
  const known = `known task types: ${knownTaskTypes(registry).join(', ')}`;
  if (route._tag === 'Unserved') {
    const why =
      policy === 'reject'
        ? 'tasks.task-plugins.unknown-task-types is reject'
        : 'no plugin is the default to fall back on';
    throw new CliExit(ExitCode.badInput, [
      renderInputError(
        typeError(source, `task.type: unknown task type "${taskType}"${didYouMean}; ${why}; ${known}`),
      ),
    ]);
  }
  process.stderr.write(
    `${renderInputError(
      typeError(
        source,
        `task.type: warning: unknown task type "${taskType}"${didYouMean}; the default plugin, ${route.plugin.id}, ` +
          `serves it (set tasks.task-plugins.unknown-task-types: reject to refuse unknown types); ${known}`,
      ),
    )}\n`,
  );
  return { source, plugin: route.plugin };
};
