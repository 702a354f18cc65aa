// Writes the JSON Schemas of the platform config and the task file into schema/, from the built CLI.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';

mkdirSync('schema', { recursive: true });
const run = (args) => execFileSync(process.execPath, ['dist/cli/main.js', ...args], { encoding: 'utf8' });
writeFileSync('schema/platform-config.schema.json', run(['config', 'schema']));
writeFileSync('schema/task-execution.schema.json', run(['config', 'schema', '--task']));
