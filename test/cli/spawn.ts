// The built CLI for tests: run to its end, or spawned to signal it, close its pipes or watch it; input files for it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';

export const CLI = 'dist/cli/main.js';

/** The built CLI run to its end, synchronously. */
export const runCli = (args: ReadonlyArray<string>, input?: string) => {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    ...(input === undefined ? {} : { input }),
    env: { ...process.env, NO_COLOR: '1' },
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

/** The standard output of a CLI run that must succeed: exit code 0 and nothing on standard error. */
export const cliOutput = (args: ReadonlyArray<string>, input?: string): string => {
  const r = runCli(args, input);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout;
};

/** A running CLI process, its output so far, and its end. */
export interface Running {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Resolves with the exit code (null when a signal ended it) once the process has exited. */
  readonly exited: Promise<number | null>;
  /** Resolves once standard error contains `text`; rejects if the process exits first. */
  readonly stderrHas: (text: string) => Promise<void>;
}

export const startCli = (
  args: ReadonlyArray<string>,
  closePipes = false,
  env: Readonly<Record<string, string>> = {},
): Running => {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters: Array<() => void> = [];
  if (closePipes) {
    // Close the reading ends at once: the child's first write meets a closed pipe (EPIPE), as under `| head -0`.
    child.stdout.destroy();
    child.stderr.destroy();
  } else {
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      err += d;
      for (const w of waiters.splice(0)) w();
    });
  }
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const stderrHas = (text: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (err.includes(text)) resolve();
        else waiters.push(check);
      };
      void exited.then(() => {
        if (!err.includes(text)) reject(new Error(`exited without printing "${text}"; stderr:\n${err}`));
      });
      check();
    });
  return { child, stdout: () => out, stderr: () => err, exited, stderrHas };
};

/** CPU time (user + system) a process has used, in seconds, from /proc (Linux). */
export const cpuSeconds = (pid: number): number => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at state; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks / 100;
};

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A test file's folder of input files (see `tempFiles`). */
export interface TempFiles {
  /** A new path in the folder whose name ends in `name`; nothing is created there. */
  readonly path: (name: string) => string;
  /** Writes `text` to a new file whose name ends in `name` and returns its path. */
  readonly write: (name: string, text: string) => string;
}

/** One folder for the whole test file (named `prefix`...), removed after its last test. */
export const tempFiles = (prefix: string): TempFiles => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let serial = 0;
  const path = (name: string): string => join(dir, `${serial++}-${name}`);
  return {
    path,
    write: (name, text) => {
      const file = path(name);
      writeFileSync(file, text);
      return file;
    },
  };
};
