// Base PodTemplates: finding the one that applies, decoding PodTemplate manifests, and merging a template under a pod.
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { decode, isPlainObject, NonEmptyString, StringMap, type DecodeIssue } from '../../../domain/codec.js';
import type { Container, PodSpec } from '../../../domain/kubernetes.js';
import { buildError, type BuildContext, type BuildError } from '../../../domain/plugin.js';
import { PodSpecC, type PodTemplate } from '../../../domain/task.js';
import { merge, mergeValue } from './merge.js';

/**
 * The key of the platform's own namespace in BuildContext.podTemplates: searched after the task's namespace (Flyte
 * searches the executor's namespace there).
 */
export const PLATFORM_NAMESPACE = '';

/** Container names with a meaning in templates: applied under every container, the primary, or every init container. */
export const DEFAULT_CONTAINER = 'default';
/** A template container named so applies to the task's primary container, whatever its real name. */
export const PRIMARY_CONTAINER = 'primary';
/** A template container named so applies under every init container. */
export const DEFAULT_INIT_CONTAINER = 'default-init';
const MAGIC = new Set([DEFAULT_CONTAINER, PRIMARY_CONTAINER, DEFAULT_INIT_CONTAINER, 'primary-init']);

/**
 * A base pod template found by name, with the namespace it came from (`PLATFORM_NAMESPACE` for the platform's
 * own), so error messages can say which template was used.
 */
export interface NamedTemplate {
  readonly namespace: string;
  readonly name: string;
  readonly template: PodTemplate;
}

const find = (ctx: BuildContext, name: string): NamedTemplate | undefined => {
  for (const ns of [ctx.task.execution.namespace, PLATFORM_NAMESPACE]) {
    const template = ctx.podTemplates?.get(ns)?.get(name);
    if (template !== undefined) return { namespace: ns, name, template };
  }
  return undefined;
};

/**
 * The base PodTemplate (spec 3.7): the one the task names in metadata.podTemplateName (an error if it does not
 * exist), else plugins.k8s.default-pod-template-name (nothing if that does not exist).
 */
export const baseTemplate = (ctx: BuildContext): E.Either<BuildError, NamedTemplate | undefined> => {
  const named = ctx.task.task.metadata?.podTemplateName;
  if (named !== undefined) {
    const found = find(ctx, named);
    return found === undefined
      ? E.left(
          buildError(
            'BadTaskSpecification',
            `PodTemplate ${JSON.stringify(named)} does not exist in namespace ${JSON.stringify(ctx.task.execution.namespace)} or the platform's namespace`,
            ['task', 'metadata', 'podTemplateName'],
          ),
        )
      : E.right(found);
  }
  const fallback = ctx.config.plugins.k8s['default-pod-template-name'];
  return E.right(fallback === undefined || fallback === '' ? undefined : find(ctx, fallback));
};

/** "PodTemplate ns/name" or "PodTemplate name" for messages. */
export const templateLabel = (nt: Pick<NamedTemplate, 'namespace' | 'name'>): string =>
  `PodTemplate ${nt.namespace === PLATFORM_NAMESPACE ? '' : `${nt.namespace}/`}${nt.name}`;

// -------------------------------------------------------------------------------------
// merging
// -------------------------------------------------------------------------------------

const byName = (cs: ReadonlyArray<Container> | undefined): ReadonlyMap<string, Container> =>
  new Map((cs ?? []).map((c) => [c.name, c]));

const mergeContainerUnder = (
  templates: ReadonlyMap<string, Container>,
  c: Container,
  magic: ReadonlyArray<string>,
): Container => {
  let acc: Container | undefined;
  for (const m of magic) acc = merge(acc, templates.get(m));
  if (!MAGIC.has(c.name)) acc = merge(acc, templates.get(c.name));
  // The magic entries are templates, not containers: their names never reach the pod.
  return { ...(merge(acc, c) ?? c), name: c.name };
};

/**
 * A template under a pod: pod-level fields merge by the one merge rule (the pod wins); the pod keeps exactly its
 * own containers, each merged over the template's `default` container, then `primary` (for the primary), then the
 * template container of the same name; init containers likewise with `default-init`. Template-only containers are
 * not added (as in Flyte).
 */
export const mergeSpecUnder = (
  template: PodSpec | Partial<PodSpec>,
  pod: PodSpec,
  primaryName: string,
): PodSpec => {
  const { containers: tc, initContainers: tic, ...tplRest } = template;
  const { containers, initContainers, ...podRest } = pod;
  const rest = mergeValue(tplRest, podRest) as Omit<PodSpec, 'containers'>;
  const tContainers = byName(tc);
  const tInit = byName(tic);
  const merged = containers.map((c) =>
    mergeContainerUnder(
      tContainers,
      c,
      c.name === primaryName ? [DEFAULT_CONTAINER, PRIMARY_CONTAINER] : [DEFAULT_CONTAINER],
    ),
  );
  const init = initContainers?.map((c) => mergeContainerUnder(tInit, c, [DEFAULT_INIT_CONTAINER]));
  return { ...rest, containers: merged, ...(init === undefined ? {} : { initContainers: init }) };
};

/**
 * An override pod spec over the task's: pod-level fields merge by the one merge rule (the override wins); a container
 * the override defines replaces the task's container of that name whole; the task's other containers stay, and the
 * override's new containers are added.
 */
export const mergeSpecOver = (pod: PodSpec, override: PodSpec | Partial<PodSpec>): PodSpec =>
  mergeValue(pod, override) as PodSpec;

// -------------------------------------------------------------------------------------
// PodTemplate manifests (for the CLI and adapters)
// -------------------------------------------------------------------------------------

const Meta = t.partial({
  name: NonEmptyString,
  namespace: t.string,
  labels: StringMap,
  annotations: StringMap,
});

const KubePodTemplate = t.type({
  apiVersion: t.literal('v1'),
  kind: t.literal('PodTemplate'),
  metadata: t.intersection([t.type({ name: NonEmptyString }), Meta]),
  template: t.partial({ metadata: Meta, spec: PodSpecC }),
});

const KubeList = t.type({
  kind: t.union([t.literal('List'), t.literal('PodTemplateList')]),
  items: t.array(t.unknown),
});

/** A Kubernetes PodTemplate as the base template store holds it. Without a namespace it is the platform's. */
export const fromKubePodTemplate = (u: t.TypeOf<typeof KubePodTemplate>): NamedTemplate => {
  const meta = u.template.metadata;
  return {
    namespace: u.metadata.namespace ?? PLATFORM_NAMESPACE,
    name: u.metadata.name,
    template: {
      spec: u.template.spec ?? {},
      ...(meta?.labels === undefined && meta?.annotations === undefined
        ? {}
        : {
            metadata: {
              ...(meta.labels === undefined ? {} : { labels: meta.labels }),
              ...(meta.annotations === undefined ? {} : { annotations: meta.annotations }),
            },
          }),
    },
  };
};

/** Decodes a PodTemplate manifest, or a List / PodTemplateList of them. */
export const decodeKubePodTemplates = (
  u: unknown,
): E.Either<ReadonlyArray<DecodeIssue>, ReadonlyArray<NamedTemplate>> => {
  if (isPlainObject(u) && (u['kind'] === 'List' || u['kind'] === 'PodTemplateList')) {
    const list = decode(KubeList)(u);
    if (E.isLeft(list)) return list;
    const out: NamedTemplate[] = [];
    for (const [i, item] of list.right.items.entries()) {
      const r = decode(KubePodTemplate)(item);
      if (E.isLeft(r))
        return E.left(r.left.map((issue) => ({ ...issue, path: ['items', i, ...issue.path] })));
      out.push(fromKubePodTemplate(r.right));
    }
    return E.right(out);
  }
  return E.map((p: t.TypeOf<typeof KubePodTemplate>) => [fromKubePodTemplate(p)])(decode(KubePodTemplate)(u));
};

/** The store BuildContext.podTemplates expects: namespace → name → template (later entries win). */
export const templateStore = (
  templates: ReadonlyArray<NamedTemplate>,
): ReadonlyMap<string, ReadonlyMap<string, PodTemplate>> => {
  const store = new Map<string, Map<string, PodTemplate>>();
  for (const nt of templates) {
    const ns = store.get(nt.namespace) ?? new Map<string, PodTemplate>();
    ns.set(nt.name, nt.template);
    store.set(nt.namespace, ns);
  }
  return store;
};
