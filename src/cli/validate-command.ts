// `kubetasks validate`: check Kubernetes manifests against the CRDs in a directory, strictly, as kubectl apply would.
import { Command } from '@commander-js/extra-typings';
import { parseAllDocuments } from 'yaml';
import { isPlainObject } from '../domain/codec.js';
import { checkObjects, exitOnCrdErrors, loadCrdDirOrExit } from './crds.js';
import { CliExit, ExitCode, readText } from './io.js';
import * as E from 'fp-ts/lib/Either.js';

/** The objects of a manifest file: every YAML document, with the items of a `List` (kubectl's dumps) taken out. */
const objectsOf = (file: string, text: string): ReadonlyArray<unknown> => {
  const docs = parseAllDocuments(text, { prettyErrors: false });
  const out: unknown[] = [];
  for (const doc of Array.isArray(docs) ? docs : []) {
    const err = doc.errors[0];
    if (err !== undefined) {
      throw new CliExit(ExitCode.badInput, [
        `${file}: not valid YAML or JSON: ${err.message.split('\n')[0] ?? ''}`,
      ]);
    }
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) continue;
    const kind = isPlainObject(value) ? value['kind'] : undefined;
    if (
      isPlainObject(value) &&
      typeof kind === 'string' &&
      kind.endsWith('List') &&
      Array.isArray(value['items'])
    ) {
      out.push(...(value['items'] as unknown[]));
    } else if (isPlainObject(value) && kind === 'TaskExecution') {
      throw new CliExit(ExitCode.badInput, [
        `${file}: a task file, not a manifest; check what it renders to with: kubetasks render ${file} --validate-crds DIR`,
      ]);
    } else out.push(value);
  }
  if (out.length === 0) throw new CliExit(ExitCode.badInput, [`${file}: holds no Kubernetes object`]);
  return out;
};

export const validateCommand = () =>
  new Command('validate')
    // A usage error (no --crds) is thrown to main, which exits 2, instead of commander exiting 1 itself.
    .exitOverride()
    .description(
      'Check Kubernetes manifests (kubetasks render output, kubectl dumps, Lists) against CRD files: exit 0 valid, 1 invalid, 2 bad input',
    )
    .argument(
      '<manifest-files...>',
      'YAML or JSON manifests, several documents or a List each; - for standard input',
    )
    .requiredOption('--crds <dir>', 'directory of CRD files (kubectl get crd NAME -o yaml > DIR/NAME.yaml)')
    .option('-q, --quiet', 'print nothing when every object is valid')
    .action((files, opts) => {
      const catalog = loadCrdDirOrExit('--crds', opts.crds);
      const reports = files.map((f) => {
        const text = readText(f);
        if (E.isLeft(text)) throw new CliExit(ExitCode.badInput, [`${text.left.file}: ${text.left.message}`]);
        const name = f === '-' ? '<stdin>' : f;
        return checkObjects(catalog, name, objectsOf(name, text.right));
      });
      const merged = {
        errors: reports.flatMap((r) => r.errors),
        notes: reports.flatMap((r) => r.notes),
        checked: reports.reduce((n, r) => n + r.checked, 0),
      };
      exitOnCrdErrors(merged);
      if (opts.quiet !== true) {
        process.stdout.write(`${merged.checked} object(s) valid against the CRDs in ${opts.crds}\n`);
      }
    });
