// The plugin contract: a plugin is a value of pure functions from task and config to manifest, and resource to phase.
import type * as E from 'fp-ts/lib/Either.js';
import type * as O from 'fp-ts/lib/Option.js';
import type { PathSegment } from './codec.js';
import type { GroupVersionKind, KubeObject } from './kubernetes.js';
import type { PhaseInfo, PluginState } from './phase-info.js';
import type { PluginConfigSection } from './plugin-config.js';
import type { PlatformConfig } from './platform-config.js';
import type { PodTemplate, TaskExecution } from './task.js';
import type { Instant } from './time.js';

// -------------------------------------------------------------------------------------
// errors
// -------------------------------------------------------------------------------------

/** Flyte's build error codes; every one is a permanent USER failure of the task. */
export type BuildErrorCode =
  'BadTaskSpecification' | 'MetadataTooLarge' | 'PodSecurityViolation' | 'FailedToBuildResource';

/** Why a manifest could not be built, naming the offending field of the task file when there is one. */
export interface BuildError {
  readonly _tag: 'BuildError';
  readonly code: BuildErrorCode;
  readonly message: string;
  /** Path inside the task execution document (e.g. ["task", "container", "image"]). */
  readonly path?: ReadonlyArray<PathSegment>;
}

/**
 * A build error with its Flyte code, optionally pointing at the task file's field to blame (so the CLI can
 * print `file:line:col`).
 */
export const buildError = (
  code: BuildErrorCode,
  message: string,
  path?: ReadonlyArray<PathSegment>,
): BuildError => ({ _tag: 'BuildError', code, message, ...(path === undefined ? {} : { path }) });

/**
 * The common build error: the task itself asks for something that cannot be built (a missing image, a
 * malformed payload). Permanent: retrying the same task gives the same answer.
 */
export const badTaskSpecification = (message: string, path?: ReadonlyArray<PathSegment>): BuildError =>
  buildError('BadTaskSpecification', message, path);

// -------------------------------------------------------------------------------------
// contexts: everything a plugin may know, handed in as values
// -------------------------------------------------------------------------------------

/** Inputs of buildResource and buildIdentityResource. */
export interface BuildContext {
  readonly task: TaskExecution;
  readonly config: PlatformConfig;
  /** PodTemplates the platform knows, by namespace then name (the base template store). */
  readonly podTemplates?: ReadonlyMap<string, ReadonlyMap<string, PodTemplate>>;
  /** Snapshot of the process environment, for `default-env-vars-from-env`. */
  readonly processEnv?: Readonly<Record<string, string>>;
  /** For plugins with `sharedCluster`: the name of the ready shared cluster the job must run on. */
  readonly sharedCluster?: string;
}

/** Inputs of getTaskPhase besides the resource itself. */
export interface PhaseContext {
  /** The observer's clock reading; grace periods and timeouts are measured against it. */
  readonly now: Instant;
  readonly config: PlatformConfig;
  /** What was reported last round for this task, for version bumps. */
  readonly previous?: PluginState;
  readonly task?: TaskExecution;
  /** Related resources the plugin declared (e.g. a Spark driver pod), supplied from the watch cache. */
  readonly related?: ReadonlyArray<KubeObject>;
}

// -------------------------------------------------------------------------------------
// abort
// -------------------------------------------------------------------------------------

/** What to do with the resource when a task is aborted; data, interpreted by the plugin manager. */
export type AbortBehavior =
  | { readonly _tag: 'Delete'; readonly resource?: KubeObject }
  | {
      readonly _tag: 'Patch';
      readonly resource?: KubeObject;
      /** A JSON merge patch. */
      readonly patch: Readonly<Record<string, unknown>>;
      readonly deleteOnError: boolean;
    }
  | { readonly _tag: 'Update'; readonly resource: KubeObject; readonly deleteOnError: boolean };

/**
 * The default abort: delete the task's own resource. A plugin whose `onAbort` has nothing better to do
 * returns this.
 */
export const abortDelete: AbortBehavior = { _tag: 'Delete' };

// -------------------------------------------------------------------------------------
// the plugin
// -------------------------------------------------------------------------------------

/**
 * The switches Flyte's plugins use to opt out of what the plugin manager does to every resource, for
 * resources that cannot take it (an operator that rejects foreign finalizers, say). The defaults opt out of
 * nothing.
 */
export interface PluginProperties {
  /**
   * Do not set the task execution's `ownerReference` on the resource, for resources that must outlive their
   * owner; deleting the owner then leaves the resource in place.
   */
  readonly disableInjectOwnerReferences: boolean;
  /**
   * Never add kubetasks' finalizer, even when the platform config asks for one (`inject-finalizer`); the resource
   * may then vanish before its final phase is seen.
   */
  readonly disableInjectFinalizer: boolean;
  /** Longest generated object name; at least 8 (Flyte's bound). Default: 63, a DNS-1123 label. */
  readonly generatedNameMaxLength?: number;
  /**
   * Keep the resource when the task ends, even when the platform config asks for deletion on finalize
   * (`delete-resource-on-finalize`): for resources someone else cleans up.
   */
  readonly disableDeleteResourceOnFinalize: boolean;
}

/** Properties that opt out of nothing: what a plugin uses unless its resource needs otherwise. */
export const defaultPluginProperties: PluginProperties = {
  disableInjectOwnerReferences: false,
  disableInjectFinalizer: false,
  disableDeleteResourceOnFinalize: false,
};

/**
 * A query for resources related to the task's own (a Spark driver pod, a training job's worker pods), answered
 * from the plugin manager's watch cache. Every given field must match. The cache holds only objects labelled
 * `kubetasks.dev/managed=true` (MANAGED_LABEL): a plugin puts that label, with the rest of `taskLabels`, on the
 * pod templates of the custom resource it builds, so the operator's pods carry it.
 */
export interface RelatedResourceQuery {
  readonly kind: GroupVersionKind;
  readonly namespace: string;
  /** Exact name. */
  readonly name?: string;
  /** Equality selector: every label must be present with this value. */
  readonly labelSelector?: Readonly<Record<string, string>>;
  /** Only objects owned (ownerReferences) by the object with this uid. */
  readonly ownerUid?: string;
}

/** How the API server serves a custom kind, as its CRD declares it (for the embedded cluster and `plugins`). */
export interface CustomResourceInfo {
  /** Plural resource name, e.g. `sparkapplications`. */
  readonly plural: string;
  /** Whether the CRD declares the status subresource. */
  readonly statusSubresource: boolean;
}

/**
 * Jobs that run on a shared, long-lived cluster resource (a RayCluster under RayJobs): Flyte's ClusterPlugin
 * (spec 7.4), which Flyte declares but never runs. The manager creates the cluster once per name, with no owner
 * reference and no finalizer so it outlives tasks, waits for it to be ready before creating the job (whose
 * BuildContext then carries `sharedCluster`), and deletes it after it has been idle for `idleTtl`.
 */
export interface SharedClusterSupport {
  readonly kind: GroupVersionKind;
  readonly customResource: CustomResourceInfo;
  /**
   * The shared cluster the task runs on, with its deterministic name in metadata.name (equal cluster specs give
   * equal names; use names.objectName over a hash of the spec), or none when the task brings its own cluster.
   */
  readonly clusterFor: (ctx: BuildContext) => E.Either<BuildError, O.Option<KubeObject>>;
  /** Total: whether the cluster can take jobs. */
  readonly isReady: (cluster: unknown) => boolean;
  /** Total: why the cluster is broken for good (it is then deleted and created anew), or none. */
  readonly failure: (cluster: unknown) => O.Option<string>;
  /** How long an unused cluster lives on (milliseconds). */
  readonly idleTtl: (config: PlatformConfig) => number;
}

/**
 * A PhaseInfo with the reasoning behind it, for `kubetasks explain`: readable steps (the evidence read and the rule
 * that decided), and the ids of the decision-table rows that fired, the last one deciding.
 */
export interface PhaseExplanation {
  readonly phaseInfo: PhaseInfo;
  readonly trace: ReadonlyArray<string>;
  readonly rows: ReadonlyArray<string>;
}

/**
 * A plugin: pure functions that turn a task into a Kubernetes manifest and an observed resource into a phase,
 * plus the facts the plugin manager needs to create, watch, abort and clean up that resource. Plugins do no
 * I/O: the manager does it all, so a plugin is tested with plain values.
 */
export interface Plugin {
  /** Unique id, e.g. "pod". */
  readonly id: string;
  /** Task types this plugin serves, e.g. ["container", "python", "sidecar"]. */
  readonly taskTypes: ReadonlyArray<string>;
  /** The resource kind it creates and watches. */
  readonly watches: GroupVersionKind;
  /**
   * What of the manager's standard treatment (owner references, finalizer, delete on finalize) the resource
   * must not get.
   */
  readonly properties: PluginProperties;
  /** Serves task types no plugin claims. At most one default per registry. */
  readonly isDefault?: boolean;
  /** The object with the deterministic identity (kind, name, namespace) used for get, abort and finalize. */
  readonly buildIdentityResource: (ctx: BuildContext) => E.Either<BuildError, KubeObject>;
  /** The full manifest to create; the plugin manager adds name, namespace, labels, owner and finalizer. */
  readonly buildResource: (ctx: BuildContext) => E.Either<BuildError, KubeObject>;
  /** Total: returns a PhaseInfo for any value, including garbage. */
  readonly getTaskPhase: (ctx: PhaseContext, resource: unknown) => PhaseInfo;
  /** getTaskPhase with its reasoning (the same phaseInfo); without it `kubetasks explain` shows no rule. */
  readonly explainTaskPhase?: (ctx: PhaseContext, resource: unknown) => PhaseExplanation;
  /** For garbage collection: whether the resource reached a final state. */
  readonly isTerminal: (resource: unknown) => boolean;
  /** For garbage collection: when the resource finished. */
  readonly completionTime: (resource: unknown) => O.Option<Instant>;
  /** Replaces the default abort (delete). */
  readonly onAbort?: (ctx: BuildContext, resource: KubeObject) => AbortBehavior;
  /** Set when `watches` is a custom resource: how its CRD serves it. */
  readonly customResource?: CustomResourceInfo;
  /** Kinds of the related resources; the manager starts one shared informer per kind at start-up. */
  readonly relatedKinds?: ReadonlyArray<GroupVersionKind>;
  /** Related resources getTaskPhase needs, derived from the task's own resource (as the watch cache holds it). */
  readonly relatedResources?: (resource: KubeObject) => ReadonlyArray<RelatedResourceQuery>;
  /** The plugin's own section under `plugins` in the platform config (read it with readPluginConfig). */
  readonly configSection?: PluginConfigSection;
  /** Set for jobs that may run on a shared cluster resource. */
  readonly sharedCluster?: SharedClusterSupport;
}
