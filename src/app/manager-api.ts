// The manager's public vocabulary: its options, the updates subscribers get, and why a submit is refused.
import type { Emission } from '../domain/lifecycle/protocol.js';
import type { PlatformConfig } from '../domain/platform-config.js';
import type { BuildContext } from '../domain/plugin.js';
import type * as R from '../domain/registry.js';
import type { Clock } from '../ports/clock.js';
import type { ClusterPort } from '../ports/cluster.js';
import type { Logger } from '../ports/logger.js';
import type { Metrics } from '../ports/metrics.js';
import type { StateStore } from '../ports/state-store.js';

/** What a manager runs on: the ports, the plugins, the platform config, and optional inputs. */
export interface ManagerOptions {
  readonly cluster: ClusterPort;
  readonly clock: Clock;
  /** The plugins: `Registry.fromPlugins([...])` or `builtInRegistry()`, unwrapped from the Either they return. */
  readonly registry: R.Registry;
  readonly config: PlatformConfig;
  readonly store?: StateStore;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
  /** Uniform draws in [0, 1) for back-off jitter. */
  readonly random?: () => number;
  /** Watch only this namespace (least privilege: a namespaced Role suffices); all namespaces when absent. */
  readonly namespace?: string;
  /** Extra inputs for buildResource (base pod templates, the process environment). */
  readonly buildContext?: Omit<BuildContext, 'task' | 'config'>;
}

/** A PhaseInfo of one task, as subscribers see it. */
export interface TaskUpdate extends Emission {
  readonly taskId: string;
  readonly pluginId: string;
  /** Clock reading when the manager emitted it. */
  readonly at: number;
}

/**
 * Why `Manager.submit` refused a task; a refused task was never stored and nothing was created for it.
 * `DuplicateTask`: a task with that id is already managed. `NoPlugin`: no plugin takes the task's type (none
 * registers it, and the config does not hand unknown types to the default plugin). `Stopped`: the manager is
 * shutting down.
 */
export type SubmitError =
  | { readonly _tag: 'DuplicateTask'; readonly taskId: string }
  | { readonly _tag: 'NoPlugin'; readonly taskType: string }
  /** The plugin's kind is not served by the cluster (its CRD is not installed). */
  | { readonly _tag: 'KindNotServed'; readonly pluginId: string; readonly kind: string }
  | { readonly _tag: 'Stopped' };
