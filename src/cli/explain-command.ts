// `kubetasks explain`: map a resource file (kubectl get -o json|yaml) to its PhaseInfo and print why.
import { Command } from '@commander-js/extra-typings';
import * as E from 'fp-ts/lib/Either.js';
import * as O from 'fp-ts/lib/Option.js';
import { explainJson, explainResources, explainText } from '../app/explain.js';
import { loadPlatformConfig } from '../app/inputs.js';
import { parseSourceStream, renderInputError, type SourceDocument } from '../app/source.js';
import { defaultPlatformConfig, type PlatformConfig } from '../domain/platform-config.js';
import { showRegistryError } from '../domain/registry.js';
import { parseInstant, type Instant } from '../domain/time.js';
import { builtInRegistry } from '../plugins/index.js';
import { CliExit, ExitCode, loadOrExit, parseOutputFormat, printDocument } from './io.js';

const parseNow = (s: string | undefined): Instant => {
  if (s === undefined) return Date.now();
  const parsed = parseInstant(s);
  if (O.isNone(parsed)) {
    throw new CliExit(ExitCode.badInput, [
      `--now: expected an RFC 3339 time such as 2026-03-02T10:00:00Z, got "${s}"`,
    ]);
  }
  return parsed.value;
};

// -------------------------------------------------------------------------------------
// the command
// -------------------------------------------------------------------------------------

/** The documents of the input, or exit 2 naming the file (and line:column) of what is wrong. */
const readDocuments = (file: string): ReadonlyArray<SourceDocument> => loadOrExit(file, parseSourceStream);

/** Explains a resource file; the logic is src/app/explain.ts, here only input, output and exit codes. */
export const explainCommand = () =>
  new Command('explain')
    .description(
      'Print the PhaseInfo of a resource and why: the plugin chosen by apiVersion and kind, the evidence and the rule that decided',
    )
    .argument(
      '<resource-file>',
      'the resource as JSON or YAML (kubectl get pytorchjob/NAME -o yaml); a List or a YAML stream may add its pods and events; - for standard input',
    )
    .option('--now <time>', 'observation time, RFC 3339 (default: the current time)')
    .option('-c, --config <file>', 'platform config (default: the built-in defaults)')
    .option('--plugin <id>', 'the plugin that reads the resource (default: chosen by apiVersion and kind)')
    .option('-o, --output <format>', 'text, json or yaml', 'text')
    .action((file, opts) => {
      const format = parseOutputFormat(opts.output, ['text', 'json', 'yaml']);
      const now = parseNow(opts.now);
      const config: PlatformConfig =
        opts.config === undefined ? defaultPlatformConfig : loadOrExit(opts.config, loadPlatformConfig);
      const registry = builtInRegistry();
      if (E.isLeft(registry)) throw new CliExit(70, [showRegistryError(registry.left)]);
      const shown = file === '-' ? '<stdin>' : file;
      const docs = readDocuments(file);
      const r = explainResources(
        registry.right,
        { now, config },
        docs.map((d) => d.value),
        opts.plugin === undefined ? {} : { pluginId: opts.plugin },
      );
      if (E.isLeft(r)) {
        const { at, message } = r.left;
        if (at === undefined) {
          throw new CliExit(ExitCode.badInput, [
            message.startsWith('--plugin') ? message : `${shown}: ${message}`,
          ]);
        }
        const doc = docs[at.document];
        const position = doc?.locate(at.path);
        const where = docs.length > 1 ? `document ${at.document + 1}: ` : '';
        throw new CliExit(ExitCode.badInput, [
          renderInputError({
            file: shown,
            ...(position === undefined ? {} : { position }),
            message: `${where}${message}`,
          }),
        ]);
      }
      if (format === 'text') process.stdout.write(explainText(r.right));
      else printDocument(explainJson(r.right), format === 'json' ? 'json' : 'yaml');
    });
