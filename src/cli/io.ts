// CLI input and output helpers: reading files, printing documents, and the exit codes.
import { readFileSync } from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import { renderInputError, type InputError } from '../app/source.js';
import { toYaml } from '../app/yaml-output.js';

/**
 * The exit codes, documented in docs/cli.md: 0 success; 1 the task failed; 2 a usage error or bad input (an unknown
 * command or flag, a missing argument, a file that does not decode); 70 an internal error (EX_SOFTWARE); 130 `run`
 * was interrupted (SIGINT, 128 + 2: the task was aborted and cleaned up first) and 143 terminated (SIGTERM, 128 + 15);
 * 141 an output pipe was closed (128 + SIGPIPE, what a shell reports for a process SIGPIPE killed).
 */
export const ExitCode = {
  ok: 0,
  failed: 1,
  badInput: 2,
  internal: 70,
  interrupted: 130,
  closedPipe: 141,
  terminated: 143,
} as const;

/** Ends the command with `code`, its lines printed on standard error (no stack trace: they are for a person). */
export class CliExit extends Error {
  constructor(
    readonly code: number,
    readonly lines: ReadonlyArray<string>,
  ) {
    super(lines.join('\n'));
  }
}

/** Reads a file, or standard input for "-". */
export const readText = (file: string): E.Either<InputError, string> => {
  try {
    return E.right(readFileSync(file === '-' ? 0 : file, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : String(e);
    return E.left({ file, message: `cannot read: ${why}` });
  }
};

/** Reads and decodes an input file, or exits with code 2 and every error positioned. */
export const loadOrExit = <A>(
  file: string,
  load: (file: string, text: string) => E.Either<ReadonlyArray<InputError>, A>,
): A => {
  const text = readText(file);
  if (E.isLeft(text)) throw new CliExit(ExitCode.badInput, [renderInputError(text.left)]);
  const r = load(file === '-' ? '<stdin>' : file, text.right);
  if (E.isLeft(r)) throw new CliExit(ExitCode.badInput, r.left.map(renderInputError));
  return r.right;
};

export type OutputFormat = 'yaml' | 'json';

/** Prints a document as indented JSON or as YAML that YAML 1.1 readers such as kubectl read the same (toYaml). */
export const printDocument = (value: unknown, format: OutputFormat): void => {
  process.stdout.write(format === 'json' ? `${JSON.stringify(value, null, 2)}\n` : toYaml(value));
};

export const parseOutputFormat = (s: string, allowed: ReadonlyArray<string> = ['yaml', 'json']): string => {
  if (!allowed.includes(s)) {
    throw new CliExit(ExitCode.badInput, [`-o: expected one of ${allowed.join(', ')}, got "${s}"`]);
  }
  return s;
};
