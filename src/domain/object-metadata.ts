// Object metadata the plugin manager adds at create time (namespace, name, labels, annotations, owner, finalizer).
import * as E from 'fp-ts/lib/Either.js';
import type { PathSegment } from './codec.js';
import type { ObjectMeta } from './kubernetes.js';
import { labelValueError, qualifiedNameError } from './names.js';
import { setOwn } from './own-keys.js';
import { buildError, type BuildContext, type BuildError, type PluginProperties } from './plugin.js';
import { generatedName, ownerReferenceOf } from './task.js';

/** Finalizer kubetasks puts on the objects it creates when `plugins.k8s.inject-finalizer` is on. */
export const FINALIZER = 'kubetasks.dev/resource';

/** Label on every object the plugin manager creates and every pod a plugin's operator should create; informers watch only these. */
export const MANAGED_LABEL = 'kubetasks.dev/managed';

/** Annotation naming the task an object belongs to, set by the plugin manager at create time. */
export const TASK_ANNOTATION = 'kubetasks.dev/task-id';

/**
 * What the plugin manager adds last, as it creates an object: MANAGED_LABEL, so its informers see the object, and
 * TASK_ANNOTATION, so the object traces back to its task. `kubetasks render --with-metadata` shows the same.
 */
export const markManaged = <A extends { readonly metadata?: ObjectMeta }>(taskId: string, obj: A): A => ({
  ...obj,
  metadata: {
    ...obj.metadata,
    labels: { ...obj.metadata?.labels, [MANAGED_LABEL]: 'true' },
    annotations: { ...obj.metadata?.annotations, [TASK_ANNOTATION]: taskId },
  },
});

/** The API server's limit on the total size of an object's annotations (keys plus values, in bytes). */
export const ANNOTATIONS_MAX_BYTES = 256 * 1024;

type StringMap = Readonly<Record<string, string>>;

/** String maps merged left to right, later ones winning: the precedence of every label and annotation source. */
export const unionStringMaps = (...maps: ReadonlyArray<StringMap | undefined>): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const m of maps) if (m !== undefined) for (const [k, v] of Object.entries(m)) setOwn(out, k, v);
  return out;
};

const utf8Length = (s: string): number => {
  let n = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    n += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return n;
};

/** Why a label map is invalid (first bad key or value, with the path of the offending entry), or undefined. */
export const labelsError = (
  labels: StringMap | undefined,
  path: ReadonlyArray<PathSegment>,
): BuildError | undefined => {
  for (const [k, v] of Object.entries(labels ?? {})) {
    const keyError = qualifiedNameError(k);
    if (keyError !== undefined) {
      return buildError('BadTaskSpecification', `label key ${JSON.stringify(k)} is invalid: ${keyError}`, [
        ...path,
        k,
      ]);
    }
    const valueError = labelValueError(v);
    if (valueError !== undefined) {
      return buildError(
        'BadTaskSpecification',
        `label value ${JSON.stringify(v)} is invalid: ${valueError}`,
        [...path, k],
      );
    }
  }
  return undefined;
};

/** Why an annotation map is invalid (a bad key, or more than 256 KiB in all), or undefined. */
export const annotationsError = (
  annotations: StringMap | undefined,
  path: ReadonlyArray<PathSegment>,
): BuildError | undefined => {
  let size = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    const keyError = qualifiedNameError(k.toLowerCase());
    if (keyError !== undefined) {
      return buildError(
        'BadTaskSpecification',
        `annotation key ${JSON.stringify(k)} is invalid: ${keyError}`,
        [...path, k],
      );
    }
    size += utf8Length(k) + utf8Length(v);
  }
  return size > ANNOTATIONS_MAX_BYTES
    ? buildError(
        'MetadataTooLarge',
        `annotations take ${size} bytes, more than the ${ANNOTATIONS_MAX_BYTES} the API server accepts`,
        path,
      )
    : undefined;
};

/**
 * Checks the labels and annotations the plugin manager will copy from the execution and the platform config, so a
 * plugin can refuse a task whose metadata the API server would reject, naming the field.
 */
export const checkExecutionMetadata = (ctx: BuildContext): E.Either<BuildError, void> => {
  const k8s = ctx.config.plugins.k8s;
  const execution = ctx.task.execution;
  const error =
    labelsError(execution.labels, ['execution', 'labels']) ??
    annotationsError(execution.annotations, ['execution', 'annotations']) ??
    withConfigPath(labelsError(k8s['default-labels'], []), 'plugins.k8s.default-labels') ??
    withConfigPath(annotationsError(k8s['default-annotations'], []), 'plugins.k8s.default-annotations');
  return error === undefined ? E.right(undefined) : E.left(error);
};

// Errors in the platform config have no place in the task file: the message names the config key instead.
const withConfigPath = (e: BuildError | undefined, key: string): BuildError | undefined =>
  e === undefined
    ? undefined
    : buildError(
        e.code,
        `${key}${(e.path ?? []).map((s) => `[${JSON.stringify(s)}]`).join('')}: ${e.message}`,
      );

/**
 * Flyte's addObjectMetadata (spec 6.3), applied identically on create and for the identity object:
 * - namespace := the execution's namespace;
 * - labels and annotations := config defaults < the object's own < the execution's (later wins);
 * - name := the execution's generated name, bounded by the plugin's `generatedNameMaxLength`;
 * - ownerReferences := [the execution's owner] unless the plugin or the config disables it (kept as is when the
 *   execution names no owner);
 * - finalizers += kubetasks.dev/resource when `inject-finalizer` is on and the plugin does not opt out, never twice.
 */
export const addObjectMetadata = <A extends { readonly metadata?: ObjectMeta }>(
  ctx: BuildContext,
  properties: PluginProperties,
  obj: A,
): A => {
  const k8s = ctx.config.plugins.k8s;
  const te = ctx.task;
  const meta: ObjectMeta = obj.metadata ?? {};
  const labels = unionStringMaps(k8s['default-labels'], meta.labels, te.execution.labels);
  const annotations = unionStringMaps(k8s['default-annotations'], meta.annotations, te.execution.annotations);
  const owner = ownerReferenceOf(te);
  const injectOwner = !properties.disableInjectOwnerReferences && !k8s['disable-inject-owner-references'];
  const ownerReferences = injectOwner && owner !== undefined ? [{ ...owner }] : meta.ownerReferences;
  const existing = meta.finalizers ?? [];
  const finalizers =
    k8s['inject-finalizer'] && !properties.disableInjectFinalizer && !existing.includes(FINALIZER)
      ? [...existing, FINALIZER]
      : meta.finalizers;
  const { name: _name, namespace: _namespace, labels: _l, annotations: _a, ...rest } = meta;
  const metadata: ObjectMeta = {
    name: generatedName(te, properties.generatedNameMaxLength),
    namespace: te.execution.namespace,
    ...(Object.keys(labels).length === 0 ? {} : { labels }),
    ...(Object.keys(annotations).length === 0 ? {} : { annotations }),
    ...rest,
    ...(ownerReferences === undefined ? {} : { ownerReferences }),
    ...(finalizers === undefined ? {} : { finalizers }),
  };
  return { ...obj, metadata };
};

/** Labels and annotations of a pod (template). */
export interface PodMetadata {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
}

/** The prefix of kubetasks' own annotations (the simulated kubelet's scenario controls, the manager's task id). */
export const OWN_ANNOTATION_PREFIX = 'kubetasks.dev/';

/**
 * Labels and annotations a plugin puts on the pod templates of a custom resource, so the operator's pods carry them:
 * config defaults < the pod's own (`own`: pod templates, the payload's pod metadata) < the execution's, plus
 * MANAGED_LABEL so the manager's watch cache holds the pods (related resources are read from that cache only).
 *
 * Annotations under `kubetasks.dev/` are left out, wherever they come from: they are directives to kubetasks
 * (a scenario for the simulated kubelet, its timings, the role it targets), addressed to the object the manager
 * creates. The operator decides which of its pods they reach (a scenario hits one role), so a template that carried
 * them would hand the scenario to every pod of the job under any operator that copies templates as they are, as
 * real ones do. See docs/writing-a-crd-plugin.md, "Pod templates".
 */
export const taskPodMetadata = (
  ctx: BuildContext,
  own: {
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  } = {},
): PodMetadata => {
  const k8s = ctx.config.plugins.k8s;
  const execution = ctx.task.execution;
  return {
    labels: unionStringMaps(k8s['default-labels'], own.labels, execution.labels, { [MANAGED_LABEL]: 'true' }),
    annotations: withoutOwn(
      unionStringMaps(k8s['default-annotations'], own.annotations, execution.annotations),
    ),
  };
};

const withoutOwn = (m: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(m).filter(([k]) => !k.startsWith(OWN_ANNOTATION_PREFIX)));
