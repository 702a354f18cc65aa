// Plugin-specific platform config sections (plugins.spark, plugins.ray, ...): declared by plugins, decoded strictly.
import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { decode, struct, withDefault, type DecodeIssue } from './codec.js';
import {
  ExecutorConfig,
  K8sPluginConfig,
  LogsConfig,
  PlatformConfigC,
  type PlatformConfig,
} from './platform-config.js';

/**
 * A section under `plugins` that a plugin owns. `codec` decodes the section (every key should carry a default, so
 * that `codec.decode({})` yields the defaults); the section is optional in documents.
 */
export interface PluginConfigSection<A = unknown> {
  /** The key under `plugins`, e.g. `spark` or `kf-operator`. */
  readonly key: string;
  readonly codec: t.Decoder<unknown, A>;
  /** The same codec, as the platform config codec composes it (and the schema and reference walk it). */
  readonly mixed: t.Mixed;
  readonly defaults: A;
}

/** Declares a section; fails at module load when the defaults do not decode (a bug of the plugin, not of input). */
export const pluginConfigSection = <A>(key: string, codec: t.Type<A, unknown>): PluginConfigSection<A> => {
  const r = codec.decode({});
  if (E.isLeft(r)) throw new Error(`kubetasks: invalid built-in defaults for plugins.${key}`);
  return { key, codec, mixed: codec, defaults: r.right };
};

/**
 * The decoded section for `section`, or its defaults when the document has none. A PlatformConfig carries decoded
 * sections only when it came from `decodePlatformConfigWith` (or `platformConfigCodec`) with this section.
 */
export const readPluginConfig = <A>(section: PluginConfigSection<A>, config: PlatformConfig): A => {
  const plugins: Readonly<Record<string, unknown>> = config.plugins;
  const value = plugins[section.key];
  // Only decoders built from the same section put a value at this key, so the value has type A.
  return value === undefined ? section.defaults : (value as A);
};

const cache = new WeakMap<ReadonlyArray<PluginConfigSection>, t.Type<PlatformConfig, unknown>>();

/** The platform config codec with `plugins` extended by the given sections (k8s stays first). */
export const platformConfigCodec = (
  sections: ReadonlyArray<PluginConfigSection>,
): t.Type<PlatformConfig, unknown> => {
  if (sections.length === 0) return PlatformConfigC;
  const hit = cache.get(sections);
  if (hit !== undefined) return hit;
  const extra: Record<string, t.Mixed> = {};
  for (const s of sections) if (s.key !== 'k8s') extra[s.key] = withDefault(s.mixed, s.defaults);
  const plugins = struct(
    'PluginsConfig',
    { k8s: withDefault(K8sPluginConfig, decodeDefaults(K8sPluginConfig)), ...extra },
    {},
    'One section per plugin family.',
  );
  const codec = struct(
    'PlatformConfig',
    {
      plugins: withDefault(plugins, decodeDefaults(plugins)),
      executor: withDefault(ExecutorConfig, decodeDefaults(ExecutorConfig)),
      tasks: PlatformConfigC.required.tasks,
      logs: withDefault(LogsConfig, decodeDefaults(LogsConfig)),
    },
    {},
    'kubetasks platform configuration.',
  ) as unknown as t.Type<PlatformConfig, unknown>;
  cache.set(sections, codec);
  return codec;
};

const decodeDefaults = <A>(codec: t.Decoder<unknown, A>): A => {
  const r = codec.decode({});
  if (E.isLeft(r)) throw new Error(`kubetasks: invalid built-in defaults for ${codec.name}`);
  return r.right;
};

/** Decodes a platform config document whose `plugins` may hold the given sections; null means all defaults. */
export const decodePlatformConfigWith =
  (sections: ReadonlyArray<PluginConfigSection>) =>
  (u: unknown): E.Either<ReadonlyArray<DecodeIssue>, PlatformConfig> =>
    decode(platformConfigCodec(sections))(u === null || u === undefined ? {} : u);
