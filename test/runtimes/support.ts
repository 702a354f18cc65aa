// What the runtime matrix and the playground test share: the bundles, the runtimes' binaries, the browser.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** The repository root (the runtimes' working directory). */
export const ROOT = join(import.meta.dirname, '..', '..');
/** Where the bundles land (git-ignored). */
export const BUNDLES = join(ROOT, 'dist-runtimes');
/** Where tests leave what a person may want to look at: outputs that differed, screenshots (git-ignored). */
export const TEST_OUTPUT = join(ROOT, 'test-output');

/** Builds the bundles (scripts/bundle.mjs); a Node built-in reached from a neutral entry fails here. */
export const bundle = (...targets: ReadonlyArray<string>): void => {
  execFileSync(process.execPath, ['scripts/bundle.mjs', ...targets], { cwd: ROOT, stdio: 'inherit' });
};

/** A runtime's binary from node_modules/.bin (the `deno` and `bun` npm packages ship them), or a loud failure. */
export const binary = (name: string): string => {
  const path = join(ROOT, 'node_modules', '.bin', name);
  if (!existsSync(path)) {
    throw new Error(`${name}: ${path} is missing; run npm ci (the ${name} npm package ships the binary)`);
  }
  return path;
};

/** Runs a command to completion; any failure (cannot start, non-zero exit, signal) throws with its output. */
export const run = (command: string, args: ReadonlyArray<string>, env: NodeJS.ProcessEnv = {}): string => {
  const r = spawnSync(command, args, {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error !== undefined || r.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} failed (${r.error?.message ?? `exit ${r.status ?? r.signal}`}):\n${r.stdout}${r.stderr}`,
    );
  }
  return r.stdout;
};

/** Debian's Chromium, installed by scripts/chromium.sh when missing (no browser download). */
export const CHROMIUM = process.env['KUBETASKS_CHROMIUM'] ?? '/usr/bin/chromium';

/** Flags for a headless browser that talks to nothing but the page it is given. */
export const CHROMIUM_FLAGS: ReadonlyArray<string> = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A headless Chromium with a fresh profile directory; `close` ends it and removes the profile. */
export const launchChromium = async (): Promise<{ context: BrowserContext; close: () => Promise<void> }> => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: run scripts/chromium.sh (apt-get install chromium)`);
  }
  const profile = mkdtempSync(join(tmpdir(), 'kubetasks-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [...CHROMIUM_FLAGS],
    });
    return {
      context,
      close: async () => {
        await context.close();
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (e) {
    rmSync(profile, { recursive: true, force: true });
    throw new Error(`${CHROMIUM} did not start: ${e instanceof Error ? e.message : String(e)}`);
  }
};

/** A fresh folder under test-output/. */
export const outputDir = (name: string): string => {
  const dir = join(TEST_OUTPUT, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
};

/** The file's text. */
export const read = (path: string): string => readFileSync(path, 'utf8');

/**
 * Where two outputs first differ, with a few lines of each around it: the byte-for-byte comparison's message, which
 * must be readable when the outputs are megabytes long.
 */
export const firstDifference = (expected: string, actual: string): string | undefined => {
  if (expected === actual) return undefined;
  const a = expected.split('\n');
  const b = actual.split('\n');
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const around = (lines: ReadonlyArray<string>): string =>
    lines
      .slice(Math.max(0, i - 3), i + 3)
      .map((l, k) => `${Math.max(0, i - 3) + k + 1}: ${l}`)
      .join('\n');
  return `first difference at line ${i + 1} (lengths ${expected.length} and ${actual.length})\nNode:\n${around(a)}\nthis runtime:\n${around(b)}`;
};
