// Shared builders of the CRD plugin tests: a platform config with plugin sections, a build context, checked builds.
import * as E from 'fp-ts/lib/Either.js';
import { decodePlatformConfigWith, type PluginConfigSection } from '../../src/domain/plugin-config.js';
import type { PlatformConfig } from '../../src/domain/platform-config.js';
import type { BuildContext, BuildError } from '../../src/domain/plugin.js';
import type { TaskExecution } from '../../src/domain/task.js';

/** A platform config document decoded with the given plugin sections (each optional in the document). */
export const configWithSections =
  (sections: ReadonlyArray<PluginConfigSection>) =>
  (doc: Record<string, unknown> = {}): PlatformConfig => {
    const r = decodePlatformConfigWith(sections)(doc);
    if (E.isLeft(r)) throw new Error(`bad config: ${JSON.stringify(r.left)}`);
    return r.right;
  };

/** A build context with no pod templates and an empty process environment. */
export const contextOf = (task: TaskExecution, config: PlatformConfig): BuildContext => ({
  task,
  config,
  podTemplates: new Map(),
  processEnv: {},
});

/** A plugin's buildResource checked both ways: `ok` expects a manifest (`what`), `fails` a BuildError. */
export const checkedBuild = (
  build: (ctx: BuildContext) => E.Either<BuildError, unknown>,
  what: string,
): { readonly ok: (ctx: BuildContext) => Json; readonly fails: (ctx: BuildContext) => BuildError } => ({
  ok: (ctx) => {
    const r = build(ctx);
    if (E.isLeft(r)) throw new Error(`expected ${what}, got ${JSON.stringify(r.left)}`);
    return r.right as Json;
  },
  fails: (ctx) => {
    const r = build(ctx);
    if (E.isRight(r)) throw new Error(`expected a BuildError, got ${JSON.stringify(r.right)}`);
    return r.left;
  },
});

/**
 * A loose view of a built manifest for reading it in tests: the fields the tests look at, untyped (the CRD validator
 * checks the shape).
 */

export type Json = { [K in JsonKey]?: any };
type JsonKey =
  | 'spec'
  | 'rayClusterSpec'
  | 'headGroupSpec'
  | 'template'
  | 'containers'
  | 'workerGroupSpecs'
  | 'metadata'
  | 'labels'
  | 'annotations'
  | 'env'
  | 'ports'
  | 'name'
  | 'value'
  | 'valueFrom'
  | 'lifecycle'
  | 'preStop'
  | 'exec'
  | 'command'
  | 'args'
  | 'resources'
  | 'image'
  | 'entrypoint'
  | 'submissionMode'
  | 'submitterPodTemplate'
  | 'restartPolicy'
  | 'serviceType'
  | 'enableIngress'
  | 'rayStartParams'
  | 'shutdownAfterJobFinishes'
  | 'ttlSecondsAfterFinished'
  | 'runtimeEnvYAML'
  | 'enableInTreeAutoscaling'
  | 'autoscalerOptions'
  | 'nodeSelector'
  | 'serviceAccountName'
  | 'volumes'
  | 'volumeMounts'
  | 'affinity'
  | 'containerPort'
  | 'cluster'
  | 'worker'
  | 'scheduler'
  | 'job'
  | 'replicas'
  | 'service'
  | 'type'
  | 'selector'
  | 'readinessProbe'
  | 'apiVersion'
  | 'kind'
  | 'minReplicas'
  | 'maxReplicas'
  | 'groupName'
  | 'status'
  | 'requests'
  | 'limits';
