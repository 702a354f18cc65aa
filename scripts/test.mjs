// `npm test`: runs the checks one stage at a time, with a header and a duration for each, stopping at the first failure.
import { spawnSync } from 'node:child_process';

/**
 * The stages of `npm test`, in order: the fast static checks first, the unit suite (which needs dist/) last. The API
 * docs check comes after typecheck because it skips TypeScript's own error checking to stay quick.
 */
const STAGES = [
  ['typecheck', 'npm', ['run', '-s', 'typecheck']],
  ['lint', 'npm', ['run', '-s', 'lint']],
  ['api-docs', 'npm', ['run', '-s', 'docs:check']],
  ['format', 'npm', ['run', '-s', 'format:check']],
  ['build', 'npm', ['run', '-s', 'build']],
  ['unit', 'npx', ['vitest', 'run', ...process.argv.slice(2)]],
];

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const done = [];
const started = Date.now();
for (const [name, command, args] of STAGES) {
  process.stdout.write(`\n== ${name} (${[command, ...args].join(' ')})\n`);
  const t0 = Date.now();
  const r = spawnSync(command, args, { stdio: 'inherit' });
  const took = Date.now() - t0;
  // A stage killed by a signal has no status: report it as a failure with the shell's 128 + signal convention.
  const code = r.status ?? (r.error === undefined ? 128 + 15 : 127);
  done.push(`${name} ${seconds(took)}`);
  if (code !== 0) {
    process.stdout.write(
      `\n== ${name} FAILED (exit ${code}) after ${seconds(took)}; stages run: ${done.join(', ')}\n`,
    );
    process.exit(code);
  }
  process.stdout.write(`== ${name} ok in ${seconds(took)}\n`);
}
process.stdout.write(`\n== npm test passed in ${seconds(Date.now() - started)}: ${done.join(', ')}\n`);
