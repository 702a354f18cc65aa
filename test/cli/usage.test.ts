// Exit codes and the shared flags: a usage error is always 2, a failed task 1; -n, -c and -o mean the same everywhere.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli } from './spawn.js';

const HELLO = 'examples/tasks/hello.yaml';

describe('usage errors exit 2', () => {
  it.each([
    ['no arguments', []],
    ['an unknown command', ['nope']],
    ['an unknown option of a subcommand', ['render', HELLO, '--bogus']],
    ['a subcommand without its file', ['render']],
    ['run without its file', ['run']],
    ['explain without its file', ['explain']],
    ['an unknown option of a nested subcommand', ['config', 'validate', 'x', '--bogus']],
    ['a bad -o value', ['render', HELLO, '-o', 'xml']],
  ])('%s', (_, args) => {
    const r = runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toBe('');
    expect(r.stderr).not.toMatch(/\n\s+at /u);
  });

  it('--help and --version exit 0', () => {
    expect(runCli(['--help']).code).toBe(0);
    expect(runCli(['render', '--help']).code).toBe(0);
    expect(runCli(['--version'])).toMatchObject({ code: 0, stdout: '0.1.0\n' });
  });
});

describe('namespaces are DNS-1123 labels', () => {
  it('rejects an invalid execution.namespace when the task file is decoded, for render and run', () => {
    for (const cmd of ['render', 'run']) {
      const r = runCli([cmd, '-'], readHelloWithNamespace('Not_A_Namespace'));
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(
        /^<stdin>:33:14: execution\.namespace: expected a namespace name \(a lowercase RFC 1123 label must consist of/u,
      );
    }
  });

  it('rejects an invalid --namespace as a usage error', () => {
    for (const cmd of ['render', 'run']) {
      const r = runCli([cmd, HELLO, '--namespace', 'Not_A_Namespace']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(
        /^--namespace: "Not_A_Namespace" is not a namespace name: a lowercase RFC 1123/u,
      );
    }
  });
});

const readHelloWithNamespace = (ns: string): string =>
  readFileSync(HELLO, 'utf8').replace('namespace: demo-development', `namespace: ${ns}`);

describe('the same flags on run, render and explain', () => {
  it('-n/--namespace: render puts the object in that namespace', () => {
    const r = runCli(['render', HELLO, '-n', 'other', '-o', 'json']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { metadata?: { namespace?: string } }).metadata?.namespace).toBe(
      undefined,
    );
    const m = runCli(['render', HELLO, '--namespace', 'other', '--with-metadata', '-o', 'json']);
    expect((JSON.parse(m.stdout) as { metadata: { namespace: string } }).metadata.namespace).toBe('other');
  });

  it('-c/--config and -o yaml on explain', () => {
    const pod = JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'ns', creationTimestamp: '2026-01-01T00:00:00Z' },
      status: { phase: 'Succeeded' },
    });
    const args = ['explain', '-', '--now', '2026-01-01T00:01:00Z'];
    const short = runCli([...args, '-c', 'examples/platform.yaml', '-o', 'yaml'], pod);
    const long = runCli([...args, '--config', 'examples/platform.yaml', '--output', 'json'], pod);
    expect(short.code).toBe(0);
    expect(parse(short.stdout)).toEqual(JSON.parse(long.stdout));
    expect((parse(short.stdout) as { phase: string }).phase).toBe('Success');
  });
});
