// The plugins kubetasks ships, and the default registry built from them.
import type * as E from 'fp-ts/lib/Either.js';
import { fromPlugins, type Registry, type RegistryError } from '../domain/registry.js';
import { podPlugin } from './pod/plugin.js';

export { podPlugin };

/** Every shipped plugin, in registration order. */
export const builtInPlugins = [podPlugin] as const;

/** A registry of the shipped plugins. */
export const builtInRegistry = (): E.Either<RegistryError, Registry> => fromPlugins(builtInPlugins);
