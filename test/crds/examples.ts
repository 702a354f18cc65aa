// The example tasks of one plugin, built as the manager creates them, with the built-in and the example platform config.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { loadPlatformConfig, loadTaskExecution } from '../../src/app/inputs.js';
import type { KubeObject } from '../../src/domain/kubernetes.js';
import { addObjectMetadata } from '../../src/domain/object-metadata.js';
import { defaultPlatformConfig, type PlatformConfig } from '../../src/domain/platform-config.js';
import type { BuildContext, Plugin } from '../../src/domain/plugin.js';

const load = <A>(file: string, f: (file: string, text: string) => E.Either<unknown, A>): A => {
  const r = f(file, readFileSync(file, 'utf8'));
  if (E.isLeft(r)) throw new Error(`${file}: ${JSON.stringify(r.left)}`);
  return r.right;
};

const CONFIGS: ReadonlyArray<readonly [string, () => PlatformConfig]> = [
  ['built-in defaults', () => defaultPlatformConfig],
  ['examples/platform.yaml', () => load('examples/platform.yaml', loadPlatformConfig)],
];

/**
 * `[example file, config name, build]` for every example task in `dir` (or only the file `only`) under each config, as
 * test table rows.
 */
export const exampleManifests = (
  dir: string,
  plugin: Plugin,
  only?: string,
): ReadonlyArray<readonly [string, string, () => KubeObject]> =>
  readdirSync(dir)
    .filter((n) => (only === undefined ? n.endsWith('.yaml') : n === only))
    .sort()
    .flatMap((n) =>
      CONFIGS.map(
        ([name, config]) =>
          [
            join(dir, n),
            name,
            () => {
              const ctx: BuildContext = { task: load(join(dir, n), loadTaskExecution), config: config() };
              const r = plugin.buildResource(ctx);
              if (E.isLeft(r)) throw new Error(`${n}: ${JSON.stringify(r.left)}`);
              return addObjectMetadata(ctx, plugin.properties, r.right);
            },
          ] as const,
      ),
    );
