// CRD checks for the CLI: reads a directory of CRD files and checks objects against it, exiting 1 when one breaks it.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import {
  checkObject,
  crdCatalog,
  renderViolation,
  type CrdCatalog,
  type CrdFile,
} from '../app/crd-validation.js';
import { CliExit, ExitCode } from './io.js';

/** File names a CRD directory is read from; anything else beside them (a README) is left alone. */
const CRD_FILE = /\.(ya?ml|json)$/i;

/**
 * Reads every `*.yaml`, `*.yml` and `*.json` file in `dir` (as `kubectl get crd NAME -o yaml > DIR/NAME.yaml`
 * writes them, or a multi-document file or a kubectl List) into a catalog, or exits 2 naming the bad file.
 */
export const loadCrdDirOrExit = (option: string, dir: string): CrdCatalog => {
  let names: string[];
  try {
    if (!statSync(dir).isDirectory())
      throw new CliExit(ExitCode.badInput, [`${option} ${dir}: not a directory`]);
    names = readdirSync(dir)
      .filter((n) => CRD_FILE.test(n))
      .sort();
  } catch (e) {
    if (e instanceof CliExit) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliExit(ExitCode.badInput, [
      `${option} ${dir}: ${code === 'ENOENT' ? 'no such directory' : String(e)}`,
    ]);
  }
  if (names.length === 0) {
    throw new CliExit(ExitCode.badInput, [
      `${option} ${dir}: no CRD files (*.yaml, *.yml, *.json); write them with kubectl get crd NAME -o yaml > ${dir}/NAME.yaml`,
    ]);
  }
  const files: CrdFile[] = names.map((n) => ({
    file: join(dir, n),
    text: readFileSync(join(dir, n), 'utf8'),
  }));
  const catalog = crdCatalog(files);
  if (E.isLeft(catalog)) {
    throw new CliExit(
      ExitCode.badInput,
      catalog.left.map((e) => `${e.file}: ${e.message}`),
    );
  }
  return catalog.right;
};

/** The name an object is shown by in messages: `SparkApplication my-app`, or only the kind before it is named. */
const describeObject = (o: unknown): string => {
  const r = (typeof o === 'object' && o !== null ? o : {}) as Record<string, unknown>;
  const meta = (typeof r['metadata'] === 'object' && r['metadata'] !== null ? r['metadata'] : {}) as Record<
    string,
    unknown
  >;
  const kind = typeof r['kind'] === 'string' ? r['kind'] : 'object';
  const name = typeof meta['name'] === 'string' ? ` ${meta['name']}` : '';
  return `${kind}${name}`;
};

/** What checking a batch of objects found: one line per problem, and notes on the objects no CRD describes. */
export interface CrdReport {
  readonly errors: ReadonlyArray<string>;
  readonly notes: ReadonlyArray<string>;
  readonly checked: number;
}

/** Checks objects from `source` (a file name, shown in every line) against the catalog. */
export const checkObjects = (
  catalog: CrdCatalog,
  source: string,
  objects: ReadonlyArray<unknown>,
): CrdReport => {
  const errors: string[] = [];
  const notes: string[] = [];
  let checked = 0;
  const check = checkObject(catalog);
  for (const o of objects) {
    const r = check(o);
    const who = `${source}: ${describeObject(o)}`;
    if (r._tag === 'BuiltIn')
      notes.push(`${who}: ${r.apiVersion} ${r.kind} is a built-in kind; no CRD checks it`);
    else {
      checked++;
      if (r._tag === 'Invalid') errors.push(...r.violations.map((v) => `${who}: ${renderViolation(r)(v)}`));
    }
  }
  return { errors, notes, checked };
};

/** Prints a report's notes and errors on standard error; exits 1 (the objects would not be stored as written). */
export const exitOnCrdErrors = (report: CrdReport): void => {
  for (const n of report.notes) process.stderr.write(`note: ${n}\n`);
  if (report.errors.length > 0) throw new CliExit(ExitCode.failed, report.errors);
};
