#!/usr/bin/env node
// The kubetasks command line: parses arguments, runs a command, and maps failures to exit codes.
import { Command, CommanderError } from '@commander-js/extra-typings';
import { configCommand } from './config-command.js';
import { controllerCommand } from './controller-command.js';
import { crdCommand } from './crd-command.js';
import { explainCommand } from './explain-command.js';
import { pluginsCommand } from './plugins-command.js';
import { renderCommand } from './render-command.js';
import { runCommand } from './run-command.js';
import { submitCommand } from './submit-command.js';
import { validateCommand } from './validate-command.js';
import { CliExit, ExitCode } from './io.js';
import { exitOnClosedOutput } from './lifetime.js';

exitOnClosedOutput();

const program = new Command('kubetasks')
  .description('Turn tasks into Kubernetes resources and follow them to a final phase')
  .version('0.1.0');

program.addCommand(configCommand());
program.addCommand(renderCommand());
program.addCommand(explainCommand());
program.addCommand(runCommand());
program.addCommand(pluginsCommand());
program.addCommand(validateCommand());
program.addCommand(crdCommand());
program.addCommand(controllerCommand());
program.addCommand(submitCommand());

/**
 * Commander copies exit handling only to subcommands made with `.command()`, not to those added with
 * `addCommand()`: without this, a subcommand's usage error (an unknown option, a missing argument) would call
 * process.exit(1) itself, the exit code of a failed task.
 */
const throwOnUsageErrors = (
  c: Command<unknown[], Record<string, unknown>, Record<string, unknown>>,
): void => {
  c.exitOverride().configureOutput({ writeErr: (s) => process.stderr.write(s) });
  for (const sub of c.commands) throwOnUsageErrors(sub);
};
throwOnUsageErrors(program);

const main = async (argv: ReadonlyArray<string>): Promise<number> => {
  try {
    await program.parseAsync(argv);
    // A command that decided its own exit code (run: 1 on a failed task) set it already.
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.ok;
  } catch (e) {
    if (e instanceof CliExit) {
      for (const line of e.lines) process.stderr.write(`${line}\n`);
      return e.code;
    }
    if (e instanceof CommanderError) {
      // --help and --version end with 0; every other commander error is a usage error.
      return e.exitCode === 0 ? ExitCode.ok : ExitCode.badInput;
    }
    process.stderr.write(
      `kubetasks: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
    );
    return ExitCode.internal;
  }
};

process.exitCode = await main(process.argv);
