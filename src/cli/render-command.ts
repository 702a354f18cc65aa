// `kubetasks render`: print the manifest the pod plugin would create for a task file, as `helm template` does for charts.
import { Command } from '@commander-js/extra-typings';
import * as E from 'fp-ts/lib/Either.js';
import { buildErrorToInputError, loadTaskSource } from '../app/build-errors.js';
import { loadPlatformConfig } from '../app/inputs.js';
import { loadDocument, renderInputError } from '../app/source.js';
import { addObjectMetadata } from '../domain/object-metadata.js';
import { defaultPlatformConfig } from '../domain/platform-config.js';
import { defaultPluginProperties, type BuildContext } from '../domain/plugin.js';
import { buildPodResource, decodeKubePodTemplates, templateStore } from '../plugins/pod/build/index.js';
import { CliExit, ExitCode, loadOrExit, parseOutputFormat, printDocument, type OutputFormat } from './io.js';

const loadPodTemplates = loadDocument(decodeKubePodTemplates);

const processEnv = (): Readonly<Record<string, string>> => {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) out[k] = v;
  return out;
};

const note = (file: string): string =>
  `# kubetasks render ${file}: the pod plugin's manifest. At create time the plugin manager also sets the name,\n` +
  '# namespace, config and execution labels and annotations, owner reference and finalizer (--with-metadata).\n';

export const renderCommand = () =>
  new Command('render')
    .description(
      'Print the manifest the plugin would create for a task file (what `helm template` is to helm)',
    )
    .argument('<task-file>', 'task execution file (YAML or JSON); - for standard input')
    .option('-c, --config <file>', 'platform config file (built-in defaults without one)')
    .option(
      '-t, --pod-template <files...>',
      'PodTemplate manifests (or Lists of them) for the base template store',
    )
    .option('-o, --output <format>', 'yaml or json', 'yaml')
    .option('--with-metadata', 'include the metadata the plugin manager adds at create time')
    .action((file, opts) => {
      const format = parseOutputFormat(opts.output) as OutputFormat;
      const config =
        opts.config === undefined ? defaultPlatformConfig : loadOrExit(opts.config, loadPlatformConfig);
      const templates = (opts.podTemplate ?? []).flatMap((f) => loadOrExit(f, loadPodTemplates));
      const source = loadOrExit(file, loadTaskSource);
      const ctx: BuildContext = {
        task: source.task,
        config,
        podTemplates: templateStore(templates),
        processEnv: processEnv(),
      };
      const pod = buildPodResource(ctx);
      if (E.isLeft(pod)) {
        throw new CliExit(ExitCode.badInput, [
          renderInputError(buildErrorToInputError(source.doc, pod.left)),
        ]);
      }
      const withMetadata = opts.withMetadata === true;
      const manifest = withMetadata ? addObjectMetadata(ctx, defaultPluginProperties, pod.right) : pod.right;
      if (format === 'yaml' && !withMetadata) process.stdout.write(note(source.doc.file));
      // A plain copy: values the pod shares between containers would otherwise print as YAML anchors and aliases.
      printDocument(JSON.parse(JSON.stringify(manifest)) as unknown, format);
    });
