// Explain: resources in (a job, its pods, events), the plugin's PhaseInfo and the rule that decided out. No I/O.
import * as E from 'fp-ts/lib/Either.js';
import * as O from 'fp-ts/lib/Option.js';
import { isPlainObject, type PathSegment } from '../domain/codec.js';
import { attachEvents, eventsRegarding, regardingOf } from '../domain/events.js';
import { gvkKey, sameKind, type KubeObject } from '../domain/kubernetes.js';
import { MANAGED_LABEL } from '../domain/object-metadata.js';
import { toJson, type PhaseInfo } from '../domain/phase-info.js';
import type { PhaseContext, Plugin, RelatedResourceQuery } from '../domain/plugin.js';
import { lookupById, type Registry } from '../domain/registry.js';
import { formatInstantMillis } from '../domain/time.js';
import { matchesQuery } from './related-resources.js';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** Where an object was found: the document of the input stream (0-based) and its path inside it. */
export interface Origin {
  readonly document: number;
  readonly path: ReadonlyArray<PathSegment>;
}

/** Why the input cannot be explained; `at` points into the input when one object is to blame. */
export interface ExplainError {
  readonly message: string;
  readonly at?: Origin;
}

/** The answer: the plugin that read the resource, the objects it was given, its PhaseInfo and the reasoning. */
export interface Explained {
  readonly plugin: Plugin;
  readonly resource: KubeObject;
  /** The related objects the plugin's queries select from the input, as the manager's cache would hold them. */
  readonly related: ReadonlyArray<KubeObject>;
  readonly phaseInfo: PhaseInfo;
  readonly trace: ReadonlyArray<string>;
  /** Decision-table rows that fired (plugins with a row table); the last one decided. */
  readonly rows: ReadonlyArray<string>;
}

/** How to read the input: by default the plugin is chosen by the resource's apiVersion and kind. */
export interface ExplainOptions {
  /** Force this plugin (a registered id) instead of choosing by apiVersion and kind. */
  readonly pluginId?: string;
}

interface Item {
  readonly value: Readonly<Record<string, unknown>>;
  readonly origin: Origin;
}

// -------------------------------------------------------------------------------------
// reading the input
// -------------------------------------------------------------------------------------

const describe = (u: unknown): string =>
  u === null
    ? 'an empty document'
    : Array.isArray(u)
      ? 'a list'
      : typeof u === 'object'
        ? 'an object'
        : `a ${typeof u}`;

const stringField = (o: Readonly<Record<string, unknown>>, key: string): string => {
  const v = o[key];
  return typeof v === 'string' ? v : '';
};

const isList = (o: Readonly<Record<string, unknown>>): boolean =>
  stringField(o, 'kind').endsWith('List') && Array.isArray(o['items']);

/** Every object of the stream: documents, and the items of `kind: List` documents (kubectl get a b -o json). */
const itemsOf = (documents: ReadonlyArray<unknown>): E.Either<ExplainError, ReadonlyArray<Item>> => {
  const out: Item[] = [];
  for (let d = 0; d < documents.length; d++) {
    const doc = documents[d];
    if (doc === null && documents.length > 1) continue; // an empty document between separators
    if (!isPlainObject(doc)) {
      return E.left({
        message: `expected a Kubernetes resource (an object), got ${describe(doc)}`,
        at: { document: d, path: [] },
      });
    }
    if (!isList(doc)) {
      out.push({ value: doc, origin: { document: d, path: [] } });
      continue;
    }
    const items = doc['items'] as ReadonlyArray<unknown>;
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (!isPlainObject(item)) {
        return E.left({
          message: `items[${i}]: expected a Kubernetes resource (an object), got ${describe(item)}`,
          at: { document: d, path: ['items', i] },
        });
      }
      out.push({ value: item, origin: { document: d, path: ['items', i] } });
    }
  }
  return E.right(out);
};

const isEvent = (i: Item): boolean => stringField(i.value, 'kind') === 'Event';

const kindOf = (i: Item): string => {
  const apiVersion = stringField(i.value, 'apiVersion');
  const kind = stringField(i.value, 'kind');
  if (apiVersion === '' && kind === '') return '(no apiVersion and kind)';
  return apiVersion === '' || kind === '' ? apiVersion || kind : `${apiVersion}/${kind}`;
};

const nameOf = (i: Item): string => {
  const metadata = i.value['metadata'];
  const name = isPlainObject(metadata) ? metadata['name'] : undefined;
  return typeof name === 'string' && name !== '' ? name : '(unnamed)';
};

const showItem = (i: Item): string => `${kindOf(i)} ${nameOf(i)}`;

/** A plugin id with its kind, for error messages: `batch-job (batch/v1/Job)`. */
export const showPlugin = (p: Plugin): string => `${p.id} (${gvkKey(p.watches)})`;

const knownPlugins = (r: Registry): string => r.plugins.map(showPlugin).join(', ');

const asKubeObject = (i: Item): KubeObject => i.value as KubeObject;

const watchedBy = (p: Plugin, i: Item): boolean =>
  stringField(i.value, 'apiVersion') === p.watches.apiVersion &&
  stringField(i.value, 'kind') === p.watches.kind;

const isBare = (i: Item): boolean =>
  stringField(i.value, 'apiVersion') === '' && stringField(i.value, 'kind') === '';

// -------------------------------------------------------------------------------------
// related objects: the plugin's queries, answered from the input as the manager's cache would answer them
// -------------------------------------------------------------------------------------

const queriesOf = (p: Plugin, resource: KubeObject): ReadonlyArray<RelatedResourceQuery> => {
  if (p.relatedResources === undefined) return [];
  try {
    return p.relatedResources(resource);
  } catch {
    // The manager treats a throwing hook as no queries; explain shows the phase the manager would compute.
    return [];
  }
};

const answers = (q: RelatedResourceQuery, i: Item): boolean =>
  sameKind(q.kind, { apiVersion: stringField(i.value, 'apiVersion'), kind: stringField(i.value, 'kind') }) &&
  matchesQuery(q, asKubeObject(i));

const isManaged = (i: Item): boolean => asKubeObject(i).metadata?.labels?.[MANAGED_LABEL] === 'true';

/** The items answering any of the queries: those the cache holds (managed), and those it would not. */
const relatedOf = (
  queries: ReadonlyArray<RelatedResourceQuery>,
  items: ReadonlyArray<Item>,
): { readonly held: ReadonlyArray<Item>; readonly unmanaged: ReadonlyArray<Item> } => {
  const matching = items.filter((i) => queries.some((q) => answers(q, i)));
  return { held: matching.filter(isManaged), unmanaged: matching.filter((i) => !isManaged(i)) };
};

// -------------------------------------------------------------------------------------
// choosing the plugin and the resource
// -------------------------------------------------------------------------------------

interface Choice {
  readonly plugin: Plugin;
  readonly subject: Item;
}

/** The candidates (item, plugin) the input offers: by kind, or every item of the forced plugin's kind. */
const candidatesOf = (
  registry: Registry,
  objects: ReadonlyArray<Item>,
  forced: Plugin | undefined,
): ReadonlyArray<Choice> =>
  forced !== undefined
    ? objects.filter((i) => watchedBy(forced, i) || isBare(i)).map((subject) => ({ plugin: forced, subject }))
    : objects.flatMap((subject) =>
        registry.plugins.filter((p) => watchedBy(p, subject)).map((plugin) => ({ plugin, subject })),
      );

/**
 * The one resource to explain: a candidate that is not a related object of another candidate (a Job's pods are), or
 * if several are left, the only one whose plugin reads related objects.
 */
const choose = (
  registry: Registry,
  objects: ReadonlyArray<Item>,
  opts: ExplainOptions,
): E.Either<ExplainError, Choice> => {
  let forced: Plugin | undefined;
  if (opts.pluginId !== undefined) {
    const p = lookupById(opts.pluginId)(registry);
    if (O.isNone(p)) {
      return E.left({
        message: `--plugin: unknown plugin "${opts.pluginId}"; known: ${knownPlugins(registry)}`,
      });
    }
    forced = p.value;
  }
  const candidates = candidatesOf(registry, objects, forced);
  if (candidates.length === 0) {
    const [only] = objects;
    if (objects.length === 0) return E.left({ message: 'no resource to explain (an empty List?)' });
    if (forced !== undefined) {
      return E.left({
        message: `the plugin ${showPlugin(forced)} reads ${gvkKey(forced.watches)}; the input holds ${objects.map(showItem).join(', ')}`,
      });
    }
    if (objects.length === 1 && only !== undefined && isBare(only)) {
      return E.left({
        message: `the resource has no apiVersion and kind; pass --plugin to say how to read it (known: ${knownPlugins(registry)})`,
        at: only.origin,
      });
    }
    const kinds = [...new Set(objects.map(kindOf))].join(', ');
    return E.left({
      message: `no plugin watches ${kinds} (known: ${knownPlugins(registry)}); pass --plugin to force one`,
      ...(objects.length === 1 && only !== undefined ? { at: only.origin } : {}),
    });
  }
  const roots = candidates.filter(
    (c) =>
      !candidates.some(
        (other) =>
          other.subject !== c.subject &&
          queriesOf(other.plugin, asKubeObject(other.subject)).some((q) => answers(q, c.subject)),
      ),
  );
  // Several left (a job and pods of someone else's): the one whose plugin reads related objects is the subject.
  const parents = roots.filter((c) => (c.plugin.relatedKinds ?? []).length > 0);
  const [root] = roots.length > 1 && parents.length === 1 ? parents : roots;
  if ((roots.length !== 1 && parents.length !== 1) || root === undefined) {
    const shown = (roots.length === 0 ? candidates : roots).map((c) => showItem(c.subject));
    return E.left({
      message:
        `expected one resource to explain besides Events and the objects related to it, found ${shown.length}: ` +
        `${shown.join(', ')}; give one resource (and its related objects) per input`,
    });
  }
  return E.right(root);
};

// -------------------------------------------------------------------------------------
// explain
// -------------------------------------------------------------------------------------

/**
 * Explains the resource an input stream holds (documents as parsed: a resource, a `kind: List`, or several of
 * either): picks the plugin by apiVersion and kind (or `pluginId`), hands it the related objects its queries
 * select from the same input (only those labelled kubetasks.dev/managed=true, as the manager's cache holds only
 * those), attaches the Events about the resource when the config sends object events, and returns the plugin's
 * PhaseInfo with its reasoning. Pure: the observation time and the config come in `ctx`.
 */
export const explainResources = (
  registry: Registry,
  ctx: Omit<PhaseContext, 'related'>,
  documents: ReadonlyArray<unknown>,
  opts: ExplainOptions = {},
): E.Either<ExplainError, Explained> => {
  const items = itemsOf(documents);
  if (E.isLeft(items)) return items;
  const events = items.right.filter(isEvent);
  const objects = items.right.filter((i) => !isEvent(i));
  const chosen = choose(registry, objects, opts);
  if (E.isLeft(chosen)) return chosen;
  const { plugin, subject } = chosen.right;
  const resource = asKubeObject(subject);
  const queries = queriesOf(plugin, resource);
  const others = objects.filter((i) => i !== subject);
  const { held, unmanaged } = relatedOf(queries, others);
  const related = held.map(asKubeObject);
  const phaseCtx: PhaseContext = { ...ctx, ...(queries.length === 0 ? {} : { related }) };
  const explained =
    plugin.explainTaskPhase?.(phaseCtx, resource) ??
    ({ phaseInfo: plugin.getTaskPhase(phaseCtx, resource), trace: [], rows: [] } as const);
  const trace: string[] = [`plugin ${showPlugin(plugin)} reads ${showItem(subject)}`];
  if (queries.length > 0) {
    trace.push(
      held.length === 0
        ? 'related objects: none in the input'
        : `related objects: ${held.map(showItem).join(', ')}`,
    );
  }
  if (unmanaged.length > 0) {
    trace.push(
      `left out, not labelled ${MANAGED_LABEL}=true (the manager's cache would not hold them): ${unmanaged.map(showItem).join(', ')}`,
    );
  }
  const ignored = others.filter((i) => !held.includes(i) && !unmanaged.includes(i));
  if (ignored.length > 0) trace.push(`ignored, not related to it: ${ignored.map(showItem).join(', ')}`);
  trace.push(...explained.trace);
  if (explained.trace.length === 0)
    trace.push('(this plugin gives no reasoning; the PhaseInfo is its answer)');
  let phaseInfo = explained.phaseInfo;
  const regarding = regardingOf(resource);
  if (events.length > 0 && O.isSome(regarding)) {
    const raw = events.map((e) => e.value);
    if (ctx.config.plugins.k8s['send-object-events']) {
      const filter = { regarding: regarding.value };
      phaseInfo = attachEvents(phaseInfo, raw, undefined, filter);
      trace.push(
        `attached ${eventsRegarding(raw, filter).length} of ${raw.length} events (those about this object)`,
      );
    } else {
      trace.push(`${raw.length} events not attached: send-object-events is off`);
    }
  }
  return E.right({ plugin, resource, related, phaseInfo, trace, rows: explained.rows });
};

// -------------------------------------------------------------------------------------
// output: what `kubetasks explain` prints, here so that every embedder (the playground too) shows the same
// -------------------------------------------------------------------------------------

const indent = (text: string, pad: string): string =>
  text
    .split(/\r?\n/u)
    .map((l, i) => (i === 0 ? l : `${pad}${l}`))
    .join('\n');

/** The explanation as `kubetasks explain` prints it (`-o text`): the PhaseInfo's fields, then the reasoning. */
export const explainText = (x: Explained): string => {
  const pi: PhaseInfo = x.phaseInfo;
  const pad = ' '.repeat(12);
  const lines = [
    `plugin:     ${showPlugin(x.plugin)}`,
    `phase:      ${pi.phase}`,
    `version:    ${pi.version}`,
    `reason:     ${pi.reason === '' ? '(none)' : indent(pi.reason, pad)}`,
  ];
  if (pi.error !== undefined) {
    lines.push(
      `error:      ${pi.error.kind} ${pi.error.code}`,
      `message:    ${indent(pi.error.message, pad)}`,
    );
  }
  lines.push(`cleanup:    ${pi.cleanupOnFailure ? 'yes (the resource is deleted on failure)' : 'no'}`);
  for (const l of pi.info.logs) lines.push(`log:        ${l.name}: ${l.uri}`);
  for (const r of pi.info.additionalReasons) {
    const at = r.occurredAt === undefined ? '' : `${formatInstantMillis(r.occurredAt)} `;
    const ev =
      r.kubernetesEvent === undefined ? '' : `${r.kubernetesEvent.type} ${r.kubernetesEvent.reason}: `;
    lines.push(`event:      ${at}${ev}${r.reason}`);
  }
  lines.push('why:', ...x.trace.map((t) => `  - ${indent(t, '    ')}`));
  return `${lines.join('\n')}\n`;
};

/** The explanation as `kubetasks explain -o json` prints it: the PhaseInfo's JSON, the plugin, related, rows, why. */
export const explainJson = (x: Explained): unknown => ({
  ...toJson(x.phaseInfo),
  plugin: x.plugin.id,
  related: x.related.map((o) => `${o.apiVersion}/${o.kind} ${o.metadata?.name ?? ''}`),
  rows: x.rows,
  why: x.trace,
});
