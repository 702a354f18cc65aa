// Render: a task file and a platform config in, the manifest its plugin builds (what `kubetasks render` prints) out. No I/O.
import * as E from 'fp-ts/lib/Either.js';
import * as O from 'fp-ts/lib/Option.js';
import { pipe } from 'fp-ts/lib/function.js';
import type { KubeObject } from '../domain/kubernetes.js';
import { addObjectMetadata, markManaged } from '../domain/object-metadata.js';
import type { PlatformConfig } from '../domain/platform-config.js';
import type { BuildContext, Plugin } from '../domain/plugin.js';
import { knownTaskTypes, routeTaskType, type Registry } from '../domain/registry.js';
import type { TaskExecution } from '../domain/task.js';
import { buildErrorToInputError, loadTaskSource, type TaskSource } from './build-errors.js';
import type { InputError } from './source.js';
import { toYaml } from './yaml-output.js';

/** The plugin that serves a task file's type, and the warning to show when it is the default plugin's fallback. */
export interface Route {
  readonly plugin: Plugin;
  readonly warning?: InputError;
}

/** A task file rendered: its plugin, the manifest the plugin built, and the object the manager would create. */
export interface Rendered {
  readonly source: TaskSource;
  readonly plugin: Plugin;
  /** What `buildResource` returned: `kubetasks render` without `--with-metadata`. */
  readonly manifest: KubeObject;
  /** The manifest with the manager's metadata (name, labels, annotations, managed label): `--with-metadata`. */
  readonly created: KubeObject;
  readonly warnings: ReadonlyArray<InputError>;
}

/** What a render needs besides the task file and the config; every field has the CLI's default. */
export interface RenderOptions {
  /** Overrides the task file's `execution.namespace` (the CLI's `-n`). */
  readonly namespace?: string;
  /** The base PodTemplate store (`templateStore` of decoded PodTemplates). */
  readonly podTemplates?: BuildContext['podTemplates'];
  /** The process environment, for `default-env-vars-from-env` (none in a browser). */
  readonly processEnv?: Readonly<Record<string, string>>;
}

/** The id `run` submits a task under, and so the task annotation on what it creates. */
export const taskIdOf = (te: TaskExecution): string => `${te.execution.id.run}-${te.execution.id.action}`;

const typeError = (source: TaskSource, message: string): InputError => {
  const position = source.doc.locate(['task', 'type']);
  return { file: source.doc.file, ...(position === undefined ? {} : { position }), message };
};

/**
 * The plugin for the task's type. A type no plugin registers runs on the default plugin, as in Flyte, with a warning
 * naming the plugin and the likely intended type; under `tasks.task-plugins.unknown-task-types: reject` (or with no
 * default plugin) it is an input error positioned at `task.type`.
 */
export const routeTask = (
  registry: Registry,
  config: PlatformConfig,
  source: TaskSource,
): E.Either<InputError, Route> => {
  const taskType = source.task.task.type;
  const policy = config.tasks['task-plugins']['unknown-task-types'];
  const route = routeTaskType(taskType, policy)(registry);
  if (route._tag === 'Registered') return E.right({ plugin: route.plugin });
  const didYouMean = O.isSome(route.suggestion) ? ` (did you mean "${route.suggestion.value}"?)` : '';
  const known = `known task types: ${knownTaskTypes(registry).join(', ')}`;
  if (route._tag === 'Unserved') {
    const why =
      policy === 'reject'
        ? 'tasks.task-plugins.unknown-task-types is reject'
        : 'no plugin is the default to fall back on';
    return E.left(
      typeError(source, `task.type: unknown task type "${taskType}"${didYouMean}; ${why}; ${known}`),
    );
  }
  return E.right({
    plugin: route.plugin,
    warning: typeError(
      source,
      `task.type: warning: unknown task type "${taskType}"${didYouMean}; the default plugin, ${route.plugin.id}, ` +
        `serves it (set tasks.task-plugins.unknown-task-types: reject to refuse unknown types); ${known}`,
    ),
  });
};

/** The task with its namespace replaced when the caller gives one. */
export const withNamespace = (source: TaskSource, namespace: string | undefined): TaskSource =>
  namespace === undefined
    ? source
    : { ...source, task: { ...source.task, execution: { ...source.task.execution, namespace } } };

/** What building with one plugin gives: the manifest and the object the manager would create. */
export interface Built {
  readonly manifest: KubeObject;
  readonly created: KubeObject;
}

/**
 * Builds a decoded task file's manifest with `plugin`, then adds the metadata the manager adds (in its order:
 * addObjectMetadata when it builds, markManaged when it creates). A build error is positioned in the task file.
 */
export const buildTask = (
  plugin: Plugin,
  config: PlatformConfig,
  source: TaskSource,
  opts: Omit<RenderOptions, 'namespace'> = {},
): E.Either<InputError, Built> => {
  const ctx: BuildContext = {
    task: source.task,
    config,
    ...(opts.podTemplates === undefined ? {} : { podTemplates: opts.podTemplates }),
    ...(opts.processEnv === undefined ? {} : { processEnv: opts.processEnv }),
  };
  return pipe(
    plugin.buildResource(ctx),
    E.bimap(
      (e) => buildErrorToInputError(source.doc, e),
      (manifest) => ({
        manifest,
        created: markManaged(taskIdOf(source.task), addObjectMetadata(ctx, plugin.properties, manifest)),
      }),
    ),
  );
};

/**
 * Renders a decoded task file as `kubetasks render` does: the namespace override, the plugin its type routes to,
 * and that plugin's build. A fallback warning comes with the result, or before the build error when it fails.
 */
export const renderTask = (
  registry: Registry,
  config: PlatformConfig,
  loaded: TaskSource,
  opts: RenderOptions = {},
): E.Either<ReadonlyArray<InputError>, Rendered> => {
  const source = withNamespace(loaded, opts.namespace);
  return pipe(
    routeTask(registry, config, source),
    E.mapLeft((e): ReadonlyArray<InputError> => [e]),
    E.flatMap(({ plugin, warning }) => {
      const warnings = warning === undefined ? [] : [warning];
      return pipe(
        buildTask(plugin, config, source, opts),
        E.bimap(
          (e): ReadonlyArray<InputError> => [...warnings, e],
          (built): Rendered => ({ source, plugin, ...built, warnings }),
        ),
      );
    }),
  );
};

/** Parses, decodes and renders a task file's text (YAML or JSON) in one step; `file` names it in errors. */
export const renderTaskText = (
  registry: Registry,
  config: PlatformConfig,
  file: string,
  text: string,
  opts: RenderOptions = {},
): E.Either<ReadonlyArray<InputError>, Rendered> =>
  pipe(
    loadTaskSource(file, text),
    E.flatMap((source) => renderTask(registry, config, source, opts)),
  );

/**
 * A plain copy of a manifest: values a pod shares between containers would otherwise print as YAML anchors and
 * aliases, and undefined fields would differ between JSON and YAML.
 */
const plain = (o: KubeObject): unknown => JSON.parse(JSON.stringify(o)) as unknown;

/** The comment `kubetasks render` prints above the YAML manifest (not above `--with-metadata` or JSON). */
export const renderNote = (file: string, plugin: string): string =>
  `# kubetasks render ${file}: the ${plugin} plugin's manifest. At create time the plugin manager also sets the name,\n` +
  '# namespace, config and execution labels and annotations, owner reference, finalizer, and its managed label and\n' +
  '# task annotation (--with-metadata shows exactly what is created).\n';

/** Exactly what `kubetasks render FILE [-o json] [--with-metadata]` prints on standard output. */
export const renderedText = (r: Rendered, format: 'yaml' | 'json' = 'yaml', withMetadata = false): string => {
  const value = plain(withMetadata ? r.created : r.manifest);
  if (format === 'json') return `${JSON.stringify(value, null, 2)}\n`;
  return `${withMetadata ? '' : renderNote(r.source.doc.file, r.plugin.id)}${toYaml(value)}`;
};
