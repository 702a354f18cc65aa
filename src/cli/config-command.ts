// `kubetasks config validate|defaults|schema`: check, show and describe the platform configuration.
import { Command } from '@commander-js/extra-typings';
import { schemaDocument } from '../domain/json-schema.js';
import { builtInPlatformConfigC } from '../plugins/index.js';
import { TaskExecutionC } from '../domain/task.js';
import { renderConfigReference } from '../app/config-reference.js';
import { loadPlatformConfig } from '../app/inputs.js';
import { loadOrExit, parseOutputFormat, printDocument, type OutputFormat } from './io.js';

export const SCHEMA_BASE = 'https://kubetasks.dev/schema';

export const configCommand = (): Command => {
  const config = new Command('config').description('Check, show and describe the platform configuration');
  config
    .command('validate')
    .description('Decode a platform config file strictly; print every problem with its path, line and column')
    .argument('<file>', 'platform config (YAML or JSON); - for standard input')
    .option('-q, --quiet', 'print nothing on success')
    .action((file, opts) => {
      loadOrExit(file, loadPlatformConfig);
      if (opts.quiet !== true) process.stdout.write(`${file}: valid\n`);
    });
  config
    .command('defaults')
    .description('Print the built-in defaults as a complete config file')
    .option('-o, --output <format>', 'yaml or json', 'yaml')
    .action((opts) => {
      const format = parseOutputFormat(opts.output) as OutputFormat;
      const defaults = builtInPlatformConfigC.decode({});
      if (defaults._tag === 'Right') printDocument(builtInPlatformConfigC.encode(defaults.right), format);
    });
  config
    .command('schema')
    .description('Print the JSON Schema of the platform config (or of task files with --task)')
    .option('--task', 'the schema of task execution files instead')
    .action((opts) => {
      const doc =
        opts.task === true
          ? schemaDocument(
              TaskExecutionC,
              `${SCHEMA_BASE}/task-execution.schema.json`,
              'kubetasks task execution',
            )
          : schemaDocument(
              builtInPlatformConfigC,
              `${SCHEMA_BASE}/platform-config.schema.json`,
              'kubetasks platform config',
            );
      printDocument(doc, 'json');
    });
  config
    .command('reference')
    .description('Print the configuration reference (markdown), generated from the codecs')
    .action(() => {
      process.stdout.write(renderConfigReference(builtInPlatformConfigC));
    });
  return config;
};
