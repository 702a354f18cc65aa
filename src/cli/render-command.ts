// `kubetasks render`: print the manifest a task's plugin would create for a task file, as `helm template` does for charts.
import { Command } from '@commander-js/extra-typings';
import * as E from 'fp-ts/lib/Either.js';
import { loadPlatformConfig } from '../app/inputs.js';
import { buildTask, renderedText } from '../app/render.js';
import { loadDocument, renderInputError } from '../app/source.js';
import { setOwn } from '../domain/own-keys.js';
import { defaultPlatformConfig } from '../domain/platform-config.js';
import { showRegistryError } from '../domain/registry.js';
import { builtInRegistry } from '../plugins/index.js';
import { decodeKubePodTemplates, templateStore } from '../plugins/pod/build/index.js';
import { checkObjects, exitOnCrdErrors, loadCrdDirOrExit } from './crds.js';
import { CliExit, ExitCode, loadOrExit, parseOutputFormat, type OutputFormat } from './io.js';
import { checkNamespaceFlag, loadTask } from './task-input.js';

const loadPodTemplates = loadDocument(decodeKubePodTemplates);

const processEnv = (): Readonly<Record<string, string>> => {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) setOwn(out, k, v);
  return out;
};

export const renderCommand = () =>
  new Command('render')
    .description(
      'Print the manifest the plugin would create for a task file (what `helm template` is to helm)',
    )
    .argument('<task-file>', 'task execution file (YAML or JSON); - for standard input')
    .option('-c, --config <file>', 'platform config file (built-in defaults without one)')
    .option('-n, --namespace <ns>', "namespace (default: the task's)")
    .option(
      '-t, --pod-template <files...>',
      'PodTemplate manifests (or Lists of them) for the base template store',
    )
    .option('-o, --output <format>', 'yaml or json', 'yaml')
    .option(
      '--with-metadata',
      'the object exactly as the plugin manager creates it (name, labels, annotations, ...)',
    )
    .option(
      '--validate-crds <dir>',
      "check the manifest against the operator's CRD in dir first (kubectl get crd NAME -o yaml > dir/NAME.yaml); exit 1 if it breaks it",
    )
    .action((file, opts) => {
      const format = parseOutputFormat(opts.output) as OutputFormat;
      const namespace = checkNamespaceFlag(opts.namespace);
      const config =
        opts.config === undefined ? defaultPlatformConfig : loadOrExit(opts.config, loadPlatformConfig);
      const templates = (opts.podTemplate ?? []).flatMap((f) => loadOrExit(f, loadPodTemplates));
      const registry = builtInRegistry();
      if (E.isLeft(registry)) throw new CliExit(ExitCode.internal, [showRegistryError(registry.left)]);
      const { source, plugin } = loadTask(file, config, registry.right, namespace);
      const built = buildTask(plugin, config, source, {
        podTemplates: templateStore(templates),
        processEnv: processEnv(),
      });
      if (E.isLeft(built)) throw new CliExit(ExitCode.badInput, [renderInputError(built.left)]);
      const withMetadata = opts.withMetadata === true;
      // What is checked is what the manager creates; nothing is printed for a manifest the cluster would not take.
      if (opts.validateCrds !== undefined) {
        const catalog = loadCrdDirOrExit('--validate-crds', opts.validateCrds);
        exitOnCrdErrors(checkObjects(catalog, source.doc.file, [built.right.created]));
      }
      process.stdout.write(
        renderedText({ source, plugin, ...built.right, warnings: [] }, format, withMetadata),
      );
    });
