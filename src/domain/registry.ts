// The plugin registry: an immutable value; conflicts are error values, lookups fall back to the default plugin.
import * as E from 'fp-ts/lib/Either.js';
import * as O from 'fp-ts/lib/Option.js';
import { pipe } from 'fp-ts/lib/function.js';
import * as RA from 'fp-ts/lib/ReadonlyArray.js';
import { closest } from './codec.js';
import { sameKind, type GroupVersionKind } from './kubernetes.js';
import type { Plugin } from './plugin.js';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** The plugins, and which of them serves each task type. Build it with `fromPlugins` or `register`. */
export interface Registry {
  /** In registration order. */
  readonly plugins: ReadonlyArray<Plugin>;
  /** Task type → plugin id. */
  readonly taskTypes: ReadonlyMap<string, string>;
  readonly defaultId: O.Option<string>;
}

/** Why a plugin could not be registered or a task type routed. */
export type RegistryError =
  | { readonly _tag: 'InvalidPlugin'; readonly id: string; readonly message: string }
  | { readonly _tag: 'DuplicateId'; readonly id: string }
  | {
      readonly _tag: 'TaskTypeClaimed';
      readonly taskType: string;
      readonly by: string;
      readonly claimant: string;
    }
  | { readonly _tag: 'SecondDefault'; readonly id: string; readonly existing: string }
  | { readonly _tag: 'UnknownPlugin'; readonly id: string; readonly taskType: string };

/** One line for a person. */
export const showRegistryError = (e: RegistryError): string => {
  switch (e._tag) {
    case 'InvalidPlugin':
      return `plugin "${e.id}": ${e.message}`;
    case 'DuplicateId':
      return `plugin id "${e.id}" is already registered`;
    case 'TaskTypeClaimed':
      return `task type "${e.taskType}" is claimed by plugin "${e.by}"; plugin "${e.claimant}" cannot claim it too`;
    case 'SecondDefault':
      return `plugin "${e.id}" cannot be the default: "${e.existing}" already is`;
    case 'UnknownPlugin':
      return `task type "${e.taskType}" is routed to plugin "${e.id}", which is not registered`;
  }
};

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/** The registry with no plugins. */
export const empty: Registry = { plugins: [], taskTypes: new Map(), defaultId: O.none };

/**
 * Whether a value is a Registry. TypeScript already rejects anything else; this is for JavaScript callers, whose
 * likeliest mistakes are passing `builtInRegistry` itself or the Either it returns.
 */
export const isRegistry = (u: unknown): u is Registry => {
  if (typeof u !== 'object' || u === null) return false;
  const r = u as { readonly plugins?: unknown; readonly taskTypes?: unknown; readonly defaultId?: unknown };
  const tag = (r.defaultId as { readonly _tag?: unknown } | null | undefined)?._tag;
  return Array.isArray(r.plugins) && r.taskTypes instanceof Map && (tag === 'None' || tag === 'Some');
};

/** Says what a value that is not a Registry is instead, and how to get a Registry from it. */
export const describeNotARegistry = (u: unknown): string => {
  const what =
    'expected a Registry (from Registry.fromPlugins or builtInRegistry(), unwrapped from its Either)';
  if (typeof u === 'function') {
    const name = u.name === '' ? 'a function' : `the function ${u.name}`;
    return `${what}, got ${name}: call it, and pass the Right of the Either it returns`;
  }
  const tag = typeof u === 'object' && u !== null ? (u as { readonly _tag?: unknown })._tag : undefined;
  if (tag === 'Right') return `${what}, got an Either: pass its Right value (\`.right\`)`;
  if (tag === 'Left') {
    const left = (u as { readonly left?: unknown }).left;
    const detail =
      typeof left === 'object' && left !== null && typeof (left as { _tag?: unknown })._tag === 'string'
        ? showRegistryError(left as RegistryError)
        : String(left);
    return `${what}, got a Left: the registry could not be built: ${detail}`;
  }
  return `${what}, got ${u === null ? 'null' : typeof u}`;
};

const validate = (p: Plugin): E.Either<RegistryError, Plugin> => {
  const invalid = (message: string): E.Either<RegistryError, Plugin> =>
    E.left({ _tag: 'InvalidPlugin', id: p.id, message });
  if (p.id === '') return invalid('the id is empty');
  if (p.taskTypes.length === 0) return invalid('it registers no task types');
  if (p.taskTypes.some((tt) => tt === '')) return invalid('a task type is empty');
  if (new Set(p.taskTypes).size !== p.taskTypes.length) return invalid('it lists a task type twice');
  if (p.watches.apiVersion === '' || p.watches.kind === '') return invalid('it watches no resource kind');
  const max = p.properties.generatedNameMaxLength;
  if (max !== undefined && (!Number.isInteger(max) || max < 8 || max > 253)) {
    return invalid(`generatedNameMaxLength must be a whole number from 8 to 253, got ${max}`);
  }
  return E.right(p);
};

/** Adds a plugin. A duplicate id, a task type already claimed, or a second default is an error value. */
export const register =
  (plugin: Plugin) =>
  (r: Registry): E.Either<RegistryError, Registry> =>
    pipe(
      validate(plugin),
      E.flatMap((p): E.Either<RegistryError, Registry> => {
        if (r.plugins.some((q) => q.id === p.id)) return E.left({ _tag: 'DuplicateId', id: p.id });
        for (const tt of p.taskTypes) {
          const by = r.taskTypes.get(tt);
          if (by !== undefined) return E.left({ _tag: 'TaskTypeClaimed', taskType: tt, by, claimant: p.id });
        }
        if (p.isDefault === true && O.isSome(r.defaultId)) {
          return E.left({ _tag: 'SecondDefault', id: p.id, existing: r.defaultId.value });
        }
        const taskTypes = new Map(r.taskTypes);
        for (const tt of p.taskTypes) taskTypes.set(tt, p.id);
        return E.right({
          plugins: [...r.plugins, p],
          taskTypes,
          defaultId: p.isDefault === true ? O.some(p.id) : r.defaultId,
        });
      }),
    );

/** Registers plugins in order, stopping at the first error. */
export const fromPlugins = (plugins: ReadonlyArray<Plugin>): E.Either<RegistryError, Registry> =>
  pipe(
    plugins,
    RA.reduce(E.right<RegistryError, Registry>(empty), (acc, p) => pipe(acc, E.flatMap(register(p)))),
  );

/**
 * Routes task types to plugins by id (the platform's `default-for-task-types`). Unlike Flyte, which ignores an
 * unknown id with a warning, routing to a plugin that is not registered is an error.
 */
export const withRouting =
  (routes: Readonly<Record<string, string>>) =>
  (r: Registry): E.Either<RegistryError, Registry> => {
    const taskTypes = new Map(r.taskTypes);
    for (const [taskType, id] of Object.entries(routes).sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (!r.plugins.some((p) => p.id === id)) return E.left({ _tag: 'UnknownPlugin', id, taskType });
      taskTypes.set(taskType, id);
    }
    return E.right({ ...r, taskTypes });
  };

// -------------------------------------------------------------------------------------
// lookups
// -------------------------------------------------------------------------------------

/** The plugin with this id. */
export const lookupById =
  (id: string) =>
  (r: Registry): O.Option<Plugin> =>
    O.fromNullable(r.plugins.find((p) => p.id === id));

/** The plugin serving a task type, else the default plugin. */
export const lookupByTaskType =
  (taskType: string) =>
  (r: Registry): O.Option<Plugin> =>
    pipe(
      O.fromNullable(r.taskTypes.get(taskType)),
      O.alt(() => r.defaultId),
      O.flatMap((id) => lookupById(id)(r)),
    );

/** The task types plugins register, sorted. */
export const knownTaskTypes = (r: Registry): ReadonlyArray<string> => [...r.taskTypes.keys()].sort();

/** What the platform does with a task type no plugin registers (`tasks.task-plugins.unknown-task-types`). */
export type UnknownTaskTypes = 'fallback' | 'reject';

/** How a task type reaches a plugin: registered for it, or served by the default plugin as a fallback, or not at all. */
export type TaskTypeRoute =
  | { readonly _tag: 'Registered'; readonly plugin: Plugin }
  | { readonly _tag: 'Fallback'; readonly plugin: Plugin; readonly suggestion: O.Option<string> }
  | { readonly _tag: 'Unserved'; readonly suggestion: O.Option<string> };

// Plugin-specific words people put after a framework's name ("pytorchjob", "spark-application", "rayjob").
const KIND_SUFFIX = /[-_]?(job|application|app|cluster)$/u;

/**
 * The registered task type an unknown one was probably meant to be: a near spelling ("sprak" → spark), a known type
 * that has it as a dash-separated part ("job" → batch-job), the framework name before a kind suffix ("pytorchjob" →
 * pytorch), or the first task type of a plugin with that id ("pod" → container).
 */
export const suggestTaskType =
  (taskType: string) =>
  (r: Registry): O.Option<string> => {
    const known = knownTaskTypes(r);
    const name = taskType.trim().toLowerCase();
    const exact = known.find((k) => k.toLowerCase() === name);
    if (exact !== undefined) return O.some(exact);
    const stem = name.replace(KIND_SUFFIX, '');
    const byStem = stem !== name && stem !== '' ? known.find((k) => k.toLowerCase() === stem) : undefined;
    if (byStem !== undefined) return O.some(byStem);
    const near = closest(name, known);
    if (near !== undefined) return O.some(near);
    const byPart = known.find((k) => k.toLowerCase().split(/[-_]/u).includes(name));
    if (byPart !== undefined) return O.some(byPart);
    const byId = r.plugins.find((p) => p.id.toLowerCase() === name)?.taskTypes[0];
    return O.fromNullable(byId);
  };

/**
 * Routes a task type. A registered type goes to its plugin; any other to the default plugin (Flyte's fallback) under
 * `fallback`, to none under `reject` or when no plugin is the default.
 */
export const routeTaskType =
  (taskType: string, unknown: UnknownTaskTypes) =>
  (r: Registry): TaskTypeRoute => {
    const id = r.taskTypes.get(taskType);
    const registered = id === undefined ? undefined : r.plugins.find((p) => p.id === id);
    if (registered !== undefined) return { _tag: 'Registered', plugin: registered };
    const suggestion = suggestTaskType(taskType)(r);
    const fallback = pipe(
      r.defaultId,
      O.flatMap((d) => lookupById(d)(r)),
    );
    return unknown === 'fallback' && O.isSome(fallback)
      ? { _tag: 'Fallback', plugin: fallback.value, suggestion }
      : { _tag: 'Unserved', suggestion };
  };

/** Plugins watching a resource kind, in registration order. */
export const lookupByKind =
  (kind: GroupVersionKind) =>
  (r: Registry): ReadonlyArray<Plugin> =>
    r.plugins.filter((p) => sameKind(p.watches, kind));

/** Kinds of related resources the plugins read (one shared informer each), excluding kinds already watched. */
export const relatedKinds = (r: Registry): ReadonlyArray<GroupVersionKind> => {
  const watched = watchedKinds(r);
  return r.plugins
    .flatMap((p) => p.relatedKinds ?? [])
    .reduce<GroupVersionKind[]>(
      (acc, k) =>
        acc.some((a) => sameKind(a, k)) || watched.some((w) => sameKind(w, k)) ? acc : [...acc, k],
      [],
    );
};

/** Every distinct kind watched by a registered plugin. */
export const watchedKinds = (r: Registry): ReadonlyArray<GroupVersionKind> =>
  r.plugins.reduce<GroupVersionKind[]>(
    (acc, p) => (acc.some((k) => sameKind(k, p.watches)) ? acc : [...acc, p.watches]),
    [],
  );
