// The plugins kubetasks ships, and the default registry built from them.
import type * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import type { PlatformConfig } from '../domain/platform-config.js';
import { platformConfigCodec, type PluginConfigSection } from '../domain/plugin-config.js';
import type { Plugin } from '../domain/plugin.js';
import { fromPlugins, type Registry, type RegistryError } from '../domain/registry.js';
import { podPlugin } from './pod/plugin.js';
import { jobPlugin } from './job/plugin.js';
import { sparkPlugin } from './spark/plugin.js';
import { mpiPlugin } from './kubeflow/mpi.js';
import { pytorchPlugin } from './kubeflow/pytorch.js';
import { tensorflowPlugin } from './kubeflow/tensorflow.js';
import { rayPlugin } from './ray/plugin.js';
import { daskPlugin } from './dask/plugin.js';

export { podPlugin };

/** Every shipped plugin, in registration order. */
export const builtInPlugins = [
  podPlugin,
  jobPlugin,
  sparkPlugin,
  pytorchPlugin,
  tensorflowPlugin,
  mpiPlugin,
  rayPlugin,
  daskPlugin,
] as const;

/** A registry of the shipped plugins. */
export const builtInRegistry = (): E.Either<RegistryError, Registry> => fromPlugins(builtInPlugins);

/** The config sections of the shipped plugins (plugins.spark, plugins.ray, ...), once per key: a family of plugins
 * (pytorch, tensorflow, mpi) shares one. */
export const builtInConfigSections: ReadonlyArray<PluginConfigSection> = (
  builtInPlugins as ReadonlyArray<Plugin>
)
  .flatMap((p) => (p.configSection === undefined ? [] : [p.configSection]))
  .filter((s, i, all) => all.findIndex((x) => x.key === s.key) === i);

/** The platform config codec with every shipped plugin's section: what the CLI decodes and documents. */
export const builtInPlatformConfigC: t.Type<PlatformConfig, unknown> =
  platformConfigCodec(builtInConfigSections);
