// getting-started.md's scenario table is what the built CLI does: every row is run and its phases compared.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scenarioTags } from '../../src/adapters/kubelet/index.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const DOC = 'docs/getting-started.md';
const HEADER = '| scenario | what the kubelet does | each failed try | the task ends |';
/** How long a task that never ends is watched before Ctrl-C. */
const NEVER_MS = 1500;

/** What a cell says kubetasks reports. */
type Outcome =
  | { readonly _tag: 'None' }
  | { readonly _tag: 'Never'; readonly phase: string }
  | { readonly _tag: 'Phase'; readonly phase: string; readonly kind?: string; readonly code?: string };

interface Row {
  readonly scenario: string;
  readonly eachTry: Outcome;
  readonly end: Outcome;
  /** "after N tries": how many objects were tried in all. */
  readonly tries?: number;
  /** "once the attempts are used up": the task ends on its last attempt. */
  readonly attemptsUsedUp: boolean;
}

/** Cells split on `|` but not on `\|`, which a cell uses for a code such as `ContainersNotReady\|ImagePullBackOff`. */
const cells = (line: string): string[] =>
  line
    .replace(/^\s*\|/, '')
    .replace(/\|\s*$/, '')
    .split(/(?<!\\)\|/)
    .map((c) => c.trim().replace(/\\\|/g, '|'));

const outcome = (cell: string): Outcome => {
  if (cell.startsWith('—')) return { _tag: 'None' };
  const never = /^never: `(\w+)`/.exec(cell);
  if (never !== null) return { _tag: 'Never', phase: never[1] ?? '' };
  const m = /^`(\w+)`(?: (USER|SYSTEM) `([^`]+)`)?/.exec(cell);
  if (m === null) throw new Error(`${DOC}: cannot read "${cell}" as \`Phase\` [USER|SYSTEM \`Code\`]`);
  return {
    _tag: 'Phase',
    phase: m[1] ?? '',
    ...(m[2] === undefined ? {} : { kind: m[2] }),
    ...(m[3] === undefined ? {} : { code: m[3] }),
  };
};

const table = (): ReadonlyArray<Row> => {
  const lines = readFileSync(join(ROOT, DOC), 'utf8').split('\n');
  const at = lines.findIndex((l) => l.trim() === HEADER);
  if (at < 0) throw new Error(`${DOC}: no table with the header ${HEADER}`);
  const rows: Row[] = [];
  for (const line of lines.slice(at + 2)) {
    if (!line.trim().startsWith('|')) break;
    const [scenario, , eachTry, end] = cells(line);
    const tries = /after (\d+) tries/.exec(end ?? '')?.[1];
    rows.push({
      scenario: (scenario ?? '').replace(/`/g, ''),
      eachTry: outcome(eachTry ?? ''),
      end: outcome(end ?? ''),
      ...(tries === undefined ? {} : { tries: Number(tries) }),
      attemptsUsedUp: (end ?? '').includes('once the attempts are used up'),
    });
  }
  return rows;
};

interface Record {
  readonly attempt: number;
  readonly phase: string;
  readonly kind?: string;
  readonly code?: string;
  readonly final: boolean;
}

interface Run {
  readonly exit: number | null;
  /** The task's PhaseInfos, from the JSON log. */
  readonly records: ReadonlyArray<Record>;
  /** The last PhaseInfo before Ctrl-C, when the task was interrupted. */
  readonly beforeInterrupt?: Record;
  readonly final: { readonly phase: string; readonly kind?: string; readonly code?: string };
  readonly output: string;
}

/** Runs the hello example under a scenario; with `interruptAt`, presses Ctrl-C once that phase has lasted a while. */
const runScenario = (scenario: string, interruptAt: string | undefined): Promise<Run> =>
  new Promise((done, fail) => {
    const child = spawn(
      process.execPath,
      [CLI, 'run', 'examples/tasks/hello.yaml', '--scenario', scenario, '-o', 'json', '--log-level', 'info'],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    const records: Record[] = [];
    let beforeInterrupt: Record | undefined;
    let interruptArmed = false;
    const killer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      const lines = stderr.split('\n');
      records.length = 0;
      for (const l of lines.slice(0, -1)) {
        if (!l.startsWith('{')) continue;
        const j = JSON.parse(l) as { msg?: string } & Record;
        if (j.msg !== 'task phase') continue;
        records.push({
          attempt: j.attempt,
          phase: j.phase,
          final: j.final,
          ...(j.kind === undefined ? {} : { kind: j.kind }),
          ...(j.code === undefined ? {} : { code: j.code }),
        });
      }
      if (interruptAt !== undefined && !interruptArmed && records.some((r) => r.phase === interruptAt)) {
        interruptArmed = true;
        setTimeout(() => {
          beforeInterrupt = records[records.length - 1];
          child.kill('SIGINT');
        }, NEVER_MS);
      }
    });
    child.on('error', fail);
    child.on('close', (exit) => {
      clearTimeout(killer);
      try {
        const j = JSON.parse(stdout) as { phase: string; error?: { kind: string; code: string } };
        done({
          exit,
          records,
          ...(beforeInterrupt === undefined ? {} : { beforeInterrupt }),
          final: {
            phase: j.phase,
            ...(j.error === undefined ? {} : { kind: j.error.kind, code: j.error.code }),
          },
          output: `${stderr}\n${stdout}`,
        });
      } catch (e) {
        fail(
          new Error(`${scenario}: no PhaseInfo on stdout (exit ${String(exit)}):\n${stderr}\n${stdout}`, {
            cause: e,
          }),
        );
      }
    });
  });

const shown = (o: { phase: string; kind?: string; code?: string }) =>
  [o.phase, o.kind, o.code].filter((x) => x !== undefined).join(' ');
const expected = (o: Outcome): string => (o._tag === 'Phase' ? shown(o) : o._tag);

describe(`${DOC}: the scenario table`, () => {
  if (!existsSync(CLI)) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  const rows = table();

  it('has a row for every scenario the kubelet knows', () => {
    const documented = rows.map((r) => r.scenario.replace(/:.*$/, ''));
    expect([...documented].sort()).toEqual([...scenarioTags].sort());
  });

  it.each(rows.map((r) => [r.scenario, r] as const))(
    '%s ends as documented',
    async (_, row) => {
      const scenario = row.scenario.replace(':CODE', ':3');
      const r = await runScenario(scenario, row.end._tag === 'Never' ? row.end.phase : undefined);
      const failedTries = r.records.filter((x) => x.phase === 'RetryableFailure').map(shown);
      if (row.eachTry._tag === 'None') expect(failedTries, r.output).toEqual([]);
      else {
        expect(failedTries.length, r.output).toBeGreaterThan(0);
        expect(new Set(failedTries), r.output).toEqual(new Set([expected(row.eachTry)]));
      }
      if (row.end._tag === 'Never') {
        expect(r.beforeInterrupt?.phase, r.output).toBe(row.end.phase);
        expect(r.beforeInterrupt?.final, r.output).toBe(false);
        expect(r.final.phase, r.output).toBe('Aborted');
      } else {
        expect(shown(r.final), r.output).toBe(expected(row.end));
        expect(r.exit, r.output).toBe(r.final.phase === 'Success' ? 0 : 1);
      }
      // examples/tasks/hello.yaml has retries: 2, so its attempts are 0, 1 and 2.
      const lastAttempt = r.records[r.records.length - 1]?.attempt;
      if (row.attemptsUsedUp) expect(lastAttempt, r.output).toBe(2);
      else expect(lastAttempt, r.output).toBe(0);
      if (row.tries !== undefined) expect(failedTries.length + 1, r.output).toBe(row.tries);
    },
    120_000,
  );
});
