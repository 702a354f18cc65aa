// `kubetasks run` as a user meets it: it lives until the task ends, obeys Ctrl-C and closed pipes, and reads well.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { parse } from 'yaml';
import { cpuSeconds, runCli, sleep, startCli } from './spawn.js';

const HELLO = 'examples/tasks/hello.yaml';

/** The seconds column of the first progress line of a phase. */
const secondsOf = (stderr: string, phase: string): number => {
  const line = stderr.split('\n').find((l) => l.includes(`  ${phase}`));
  const m = /^\s*([\d.]+)s\s/u.exec(line ?? '');
  if (m === null) throw new Error(`no ${phase} line in:\n${stderr}`);
  return Number(m[1]);
};

const withTaskFile = (edit: (text: string) => string): string => {
  const dir = mkdtempSync(join(tmpdir(), 'kubetasks-run-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'task.yaml');
  writeFileSync(file, edit(readFileSync(HELLO, 'utf8')));
  return file;
};

describe('run: the process lives as long as the task', () => {
  it('runs to Success at wall-clock speed with --real-time (it used to exit 13 half-way)', () => {
    const r = runCli(['run', HELLO, '--real-time']);
    expect(r.stderr).toContain('attempt 0  Success');
    expect([r.code, r.stdout]).toEqual([0, 'Success\n']);
  });

  it('aborts on SIGINT, prints the Aborted line and exits 130 (--real-time, stuck-pending)', async () => {
    const p = startCli(['run', HELLO, '--real-time', '--scenario', 'stuck-pending']);
    await p.stderrHas('Initializing');
    p.child.kill('SIGINT');
    const code = await p.exited;
    expect(p.stderr()).toMatch(/\n\s+[\d.]+s {2}attempt 0 {2}Aborted {14}aborted\n$/u);
    expect(p.stdout()).toBe('Aborted  aborted\n');
    expect(code).toBe(130);
  });
});

describe('run: a closed output pipe ends it', () => {
  it('exits promptly with 141 when standard output and error are closed (it used to hang for ever)', async () => {
    const p = startCli(['run', HELLO, '--log-level', 'info'], true);
    const code = await Promise.race([p.exited, sleep(45_000).then(() => 'still running')]);
    if (code === 'still running') p.child.kill('SIGKILL');
    expect(code).toBe(141);
  });
});

describe('run: a stuck task on the virtual clock', () => {
  it('waits without spinning, and simulated time does not run away', async () => {
    const p = startCli(['run', HELLO, '--scenario', 'stuck-pending']);
    await p.stderrHas('Initializing');
    const pid = p.child.pid ?? 0;
    const wallStart = Date.now();
    const cpuStart = cpuSeconds(pid);
    await sleep(3000);
    const cpu = cpuSeconds(pid) - cpuStart;
    const waited = (Date.now() - wallStart) / 1000;
    p.child.kill('SIGINT');
    expect(await p.exited).toBe(130);
    const aborted = secondsOf(p.stderr(), 'Aborted');
    // Idle, simulated time passes at 60 times the wall clock: never the weeks a spinning clock reached.
    expect(aborted).toBeGreaterThan(0);
    expect(aborted).toBeLessThan(60 * (waited + 10));
    // Generous: a spinning clock uses a whole core; waiting uses next to none.
    expect(cpu / waited).toBeLessThan(0.5);
  });
});

describe('run: what the user reads', () => {
  it('prints one aligned line per phase change, without stray separators', () => {
    const r = runCli(['run', HELLO]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      [
        '    0.0s  attempt 0  Queued               pending, no cause reported yet (Demistify Pending)',
        '    0.0s  attempt 0  Initializing         ContainersNotReady/ContainerCreating: containers with unready status: [r7f3a2-hello-0]',
        '    1.0s  attempt 0  Running',
        '    2.0s  attempt 0  Success',
        '',
      ].join('\n'),
    );
    expect(r.stdout).toBe('Success\n');
  });

  it('folds a multi-line failure message onto one line, Flyte codes kept', () => {
    const r = runCli(['run', HELLO, '--scenario', 'oom']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      'PermanentFailure  USER OOMKilled: [r7f3a2-hello-2] terminated with exit code (137). Reason [OOMKilled]. Message: .\n',
    );
    const failures = r.stderr.split('\n').filter((l) => l.includes('Failure'));
    expect(failures).toHaveLength(3);
    for (const l of failures) expect(l).toMatch(/Failure {5}USER OOMKilled: \[r7f3a2-hello-\d\] terminated/u);
    // Every line is one line: no message continues on the next.
    for (const l of r.stderr.trimEnd().split('\n')) expect(l).toMatch(/^ +\d+\.\ds {2}attempt \d {2}[A-Z]/u);
  });

  it('prints the final PhaseInfo as YAML with -o yaml', () => {
    const r = runCli(['run', HELLO, '-o', 'yaml']);
    expect(r.code).toBe(0);
    expect(parse(r.stdout)).toMatchObject({ phase: 'Success', version: 0 });
  });
});

describe('run and render: task files that name an unknown task type', () => {
  it('warn on standard error, name the serving plugin and suggest the intended type', () => {
    const file = withTaskFile((t) => t.replace('type: container', 'type: sprak'));
    for (const args of [
      ['render', file],
      ['run', file],
    ]) {
      const r = runCli(args);
      expect(r.code).toBe(0);
      expect(r.stderr.split('\n')[0]).toBe(
        `${file}:11:9: task.type: warning: unknown task type "sprak" (did you mean "spark"?); the default plugin, pod, ` +
          'serves it (set tasks.task-plugins.unknown-task-types: reject to refuse unknown types); known task types: ' +
          'batch-job, container, dask, mpi, python, pytorch, raw-container, ray, sidecar, spark, tensorflow',
      );
    }
  });

  it('are refused, exit 2, under unknown-task-types: reject', () => {
    const file = withTaskFile((t) => t.replace('type: container', 'type: job'));
    const config = join(file, '..', 'platform.yaml');
    writeFileSync(config, 'tasks:\n  task-plugins:\n    unknown-task-types: reject\n');
    for (const cmd of ['render', 'run']) {
      const r = runCli([cmd, file, '-c', config]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(
        new RegExp(
          `^${file.replaceAll('.', '\\.')}:11:9: task\\.type: unknown task type "job" \\(did you mean "batch-job"\\?\\); tasks\\.task-plugins\\.unknown-task-types is reject;`,
          'u',
        ),
      );
      expect(r.stdout).toBe('');
    }
  });
});
