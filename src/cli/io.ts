// CLI input and output helpers: reading files, printing documents, and the exit codes.
import { readFileSync } from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import { renderInputError, type InputError } from '../app/source.js';
import { toYaml } from '../app/yaml-output.js';

/** 0: success; 1: the task failed; 2: bad input (file, flags, config). */
export const ExitCode = { ok: 0, failed: 1, badInput: 2 } as const;

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
