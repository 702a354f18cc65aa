// Runs the built CLI under plain node (not vitest's loader), proving the ESM import paths work for real users.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { CLI, runCli } from './spawn.js';

describe('built CLI under plain node', () => {
  it('has been built (npm test builds before testing)', () => {
    expect(existsSync(CLI), `${CLI} is missing: run "npm run build" first`).toBe(true);
  });

  it('validates the example platform config', () => {
    expect(runCli(['config', 'validate', 'examples/platform.yaml'])).toEqual({
      code: 0,
      stdout: 'examples/platform.yaml: valid\n',
      stderr: '',
    });
  });

  it('reports a bad config with file, line, column and path, and exits 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubetasks-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'plugins:\n  k8s:\n    default-cpus: lots\n    defualt-memory: 1Gi\n');
    const r = runCli(['config', 'validate', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `${file}:3:19: plugins.k8s.default-cpus: expected a quantity such as "500m" or "2", got "lots"\n` +
        `${file}:4:5: plugins.k8s.defualt-memory: unknown key (did you mean "default-memory"?)\n`,
    );
  });

  it('reads standard input for "-" and names a missing file', () => {
    expect(runCli(['config', 'validate', '-'], 'executor: {max-system-failures: 5}\n').code).toBe(0);
    const r = runCli(['config', 'validate', 'no/such/file.yaml']);
    expect([r.code, r.stderr]).toEqual([2, 'no/such/file.yaml: cannot read: no such file\n']);
  });

  it('prints defaults that validate, and a JSON Schema', () => {
    const defaults = runCli(['config', 'defaults']);
    expect(defaults.code).toBe(0);
    expect(defaults.stdout).toContain('default-cpus: "1"');
    expect(runCli(['config', 'validate', '-'], defaults.stdout).code).toBe(0);
    const schema = runCli(['config', 'schema']);
    expect(JSON.parse(schema.stdout).$schema).toBe('http://json-schema.org/draft-07/schema#');
  });

  it('exits 2 on an unknown command or flag', () => {
    expect(runCli(['nope']).code).toBe(2);
    expect(runCli(['config', 'defaults', '-o', 'xml'])).toMatchObject({
      code: 2,
      stderr: '-o: expected one of yaml, json, got "xml"\n',
    });
  });
});
