// `kubetasks render`: print the manifest a task's plugin would create for a task file, as `helm template` does for charts.
import { Command } from '@commander-js/extra-typings';
import * as E from 'fp-ts/lib/Either.js';
import { buildErrorToInputError } from '../app/build-errors.js';
import { loadPlatformConfig } from '../app/inputs.js';
import { loadDocument, renderInputError } from '../app/source.js';
import { addObjectMetadata, markManaged } from '../domain/object-metadata.js';
import { setOwn } from '../domain/own-keys.js';
import { defaultPlatformConfig } from '../domain/platform-config.js';
import type { BuildContext } from '../domain/plugin.js';
import { showRegistryError } from '../domain/registry.js';
import { builtInRegistry } from '../plugins/index.js';
import { decodeKubePodTemplates, templateStore } from '../plugins/pod/build/index.js';
import { checkObjects, exitOnCrdErrors, loadCrdDirOrExit } from './crds.js';
import { CliExit, ExitCode, loadOrExit, parseOutputFormat, printDocument, type OutputFormat } from './io.js';
import { checkNamespaceFlag, loadTask, taskIdOf } from './task-input.js';

const loadPodTemplates = loadDocument(decodeKubePodTemplates);

const processEnv = (): Readonly<Record<string, string>> => {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) setOwn(out, k, v);
  return out;
};

const note = (file: string, plugin: string): string =>
  `# kubetasks render ${file}: the ${plugin} plugin's manifest. At create time the plugin manager also sets the name,\n` +
  '# namespace, config and execution labels and annotations, owner reference, finalizer, and its managed label and\n' +
  '# task annotation (--with-metadata shows exactly what is created).\n';

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
      const ctx: BuildContext = {
        task: source.task,
        config,
        podTemplates: templateStore(templates),
        processEnv: processEnv(),
      };
      const pod = plugin.buildResource(ctx);
      if (E.isLeft(pod)) {
        throw new CliExit(ExitCode.badInput, [
          renderInputError(buildErrorToInputError(source.doc, pod.left)),
        ]);
      }
      const withMetadata = opts.withMetadata === true;
      // The manager's own steps, in its order: addObjectMetadata when it builds, markManaged when it creates.
      const created = markManaged(
        taskIdOf(source.task),
        addObjectMetadata(ctx, plugin.properties, pod.right),
      );
      // What is checked is what the manager creates; nothing is printed for a manifest the cluster would not take.
      if (opts.validateCrds !== undefined) {
        const catalog = loadCrdDirOrExit('--validate-crds', opts.validateCrds);
        exitOnCrdErrors(checkObjects(catalog, source.doc.file, [created]));
      }
      const manifest = withMetadata ? created : pod.right;
      if (format === 'yaml' && !withMetadata) process.stdout.write(note(source.doc.file, plugin.id));
      // A plain copy: values the pod shares between containers would otherwise print as YAML anchors and aliases.
      printDocument(JSON.parse(JSON.stringify(manifest)) as unknown, format);
    });
