// What the built CLI loads to start: the real-cluster client library only for the commands that reach a cluster.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CLI, tempFiles } from './spawn.js';

const files = tempFiles('kubetasks-startup-');

// A module hook (node:module register) that writes every module the CLI resolves to a file, one URL a line.
const log = files.path('imports.log');
const hooks = files.write(
  'hooks.mjs',
  `import { appendFileSync } from 'node:fs';
export const resolve = async (specifier, context, next) => {
  const r = await next(specifier, context);
  appendFileSync(${JSON.stringify(log)}, r.url + '\\n');
  return r;
};
`,
);
const preload = files.write(
  'preload.mjs',
  `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`,
);

/** The packages (under node_modules) the CLI resolved while running `args`. */
const packagesLoaded = (args: ReadonlyArray<string>): ReadonlySet<string> => {
  const before = readLog();
  const r = spawnSync(process.execPath, ['--import', pathToFileURL(preload).href, CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', KUBECONFIG: files.path('missing-kubeconfig') },
    timeout: 120_000,
  });
  expect(r.error).toBeUndefined();
  const urls = readLog().slice(before.length).split('\n');
  return new Set(urls.flatMap((u) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u)?.[1] ?? []));
};

const readLog = (): string => {
  try {
    return readFileSync(log, 'utf8');
  } catch {
    return '';
  }
};

// @kubernetes/client-node is some 800 modules, read only for the kubeconfig: loaded at start, it was two thirds of
// every CLI start (1.2-1.5 s of CPU for --help), and the CLI tests start it some 150 times.
describe('the CLI at start-up', () => {
  it('does not load the real-cluster client for --help, render or explain', () => {
    for (const args of [['--help'], ['render', 'examples/tasks/hello.yaml'], ['explain', '--help']]) {
      const loaded = packagesLoaded(args);
      // The hook saw the CLI's own packages, so an absent client-node is absent, not unobserved.
      expect(loaded.has('@commander-js/extra-typings'), args.join(' ')).toBe(true);
      expect(loaded.has('@kubernetes/client-node'), args.join(' ')).toBe(false);
    }
  });

  it('loads it when a command reaches a cluster', () => {
    expect(packagesLoaded(['plugins', '--cluster', 'kube']).has('@kubernetes/client-node')).toBe(true);
  });
});
