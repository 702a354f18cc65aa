// Live progress on standard error: one aligned line per phase change, and a spinner with the latest reason on a TTY.
import type { TaskUpdate } from '../app/manager.js';
import type { PhaseInfo } from '../domain/phase-info.js';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** The widest phase name (WaitingForResources), so the reasons line up. */
const PHASE_WIDTH = 19;

// Flyte's reason when a pending pod shows no cause yet: its spelling is kept so searches still match.
const DEFAULT_PENDING_REASON = 'Demistify Pending';

export interface ProgressOptions {
  readonly stream: NodeJS.WriteStream;
  /** Wall-clock milliseconds, for the spinner only; the timeline uses the manager's clock. */
  readonly startedAt: number;
}

const useColor = (stream: NodeJS.WriteStream): boolean =>
  stream.isTTY && process.env['NO_COLOR'] === undefined && process.env['TERM'] !== 'dumb';

const paint = (on: boolean, code: number, s: string): string => (on ? `\u001b[${code}m${s}\u001b[0m` : s);

const colorOf = (phase: string): number => {
  if (phase === 'Success') return 32;
  if (phase.endsWith('Failure')) return 31;
  if (phase === 'Aborted') return 33;
  return 36;
};

/** A message on one line: its lines trimmed and joined, blank ones dropped. */
export const foldLines = (s: string): string =>
  s
    .split(/\r?\n/u)
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .join(' ');

const nonEmpty = (parts: ReadonlyArray<string>): ReadonlyArray<string> =>
  parts.map((p) => p.trim()).filter((p) => p !== '');

// Flyte's waiting reason, `[<Ready.reason>|<waiting.reason>]: <Ready.message>|<waiting.message>` (or one code and one
// message): '|' separates the parts, and an empty part leaves a stray one at the end.
const BRACKETED = /^\[([^\]]*)\]: (.*)$/su;

/**
 * A reason as a person reads it, Flyte's codes kept: `[ContainersNotReady|ContainerCreating]: containers with
 * unready status: [x]|` becomes `ContainersNotReady/ContainerCreating: containers with unready status: [x]`.
 */
export const readableReason = (reason: string): string => {
  const folded = foldLines(reason);
  if (folded === DEFAULT_PENDING_REASON) return `pending, no cause reported yet (${DEFAULT_PENDING_REASON})`;
  const m = BRACKETED.exec(folded);
  if (m === null) return folded;
  const codes = nonEmpty((m[1] ?? '').split('|')).join('/');
  const messages = nonEmpty((m[2] ?? '').split('|')).join('; ');
  return codes === '' ? messages : messages === '' ? codes : `${codes}: ${messages}`;
};

/**
 * What a PhaseInfo says, on one line: `USER OOMKilled: <message>` for an error (a code joining several waiting
 * reasons with '|' has its message's parts joined with '; '), else the readable reason.
 */
export const describePhaseInfo = (pi: PhaseInfo): string => {
  const err = pi.error;
  if (err === undefined) return readableReason(pi.reason);
  const parts = err.code.includes('|')
    ? nonEmpty(foldLines(err.message).split('|'))
    : [foldLines(err.message)];
  const message = parts.join('; ');
  return `${err.kind} ${err.code}${message === '' ? '' : `: ${message}`}`;
};

/** The final PhaseInfo as `run` prints it on standard output: `PermanentFailure  USER OOMKilled: <message>`. */
export const formatFinal = (pi: PhaseInfo): string => `${pi.phase}  ${describePhaseInfo(pi)}`.trimEnd();

/** One line of the timeline: `    12.3s  attempt 1  Running              reason`. */
export const formatUpdate = (u: TaskUpdate, startedAt: number, color = false): string => {
  const t = `${((u.at - startedAt) / 1000).toFixed(1)}s`.padStart(8);
  const phase = u.phaseInfo.phase;
  const detail = describePhaseInfo(u.phaseInfo);
  const padded = detail === '' ? phase : phase.padEnd(PHASE_WIDTH);
  return `${t}  attempt ${u.attempt}  ${paint(color, colorOf(phase), padded)}${detail === '' ? '' : `  ${detail}`}`;
};

/**
 * Writes a line for each phase change as Flyte counts them: a new phase, a new attempt or a new phase version (the
 * plugin's signal that the reason is news: the scheduler's message, an image pull backing off). Repeats of the same
 * (attempt, phase, version) are not written. On a colour-capable TTY a spinner line shows the latest reason and the
 * time since the start; elsewhere (pipes, CI, NO_COLOR) output is plain lines only.
 */
export class Progress {
  private readonly tty: boolean;
  private timer: NodeJS.Timeout | undefined;
  private frame = 0;
  private current = 'Submitting';
  private last: string | undefined;

  constructor(private readonly opts: ProgressOptions) {
    this.tty = useColor(opts.stream);
  }

  start(): void {
    if (!this.tty) return;
    this.timer = setInterval(() => {
      this.spin();
    }, 100);
    this.timer.unref();
  }

  update(u: TaskUpdate, taskStartedAt: number): void {
    const key = `${u.attempt} ${u.phaseInfo.phase} ${u.phaseInfo.version}`;
    this.current = `${u.phaseInfo.phase} ${describePhaseInfo(u.phaseInfo)}`.trimEnd();
    if (key !== this.last) {
      this.last = key;
      this.clear();
      this.opts.stream.write(`${formatUpdate(u, taskStartedAt, this.tty)}\n`);
    }
    this.spin();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.clear();
  }

  private clear(): void {
    if (this.tty) this.opts.stream.write('\r\u001b[2K');
  }

  private spin(): void {
    if (!this.tty || this.timer === undefined) return;
    this.frame = (this.frame + 1) % FRAMES.length;
    const elapsed = ((Date.now() - this.opts.startedAt) / 1000).toFixed(1);
    const line = `${FRAMES[this.frame] ?? ''} ${this.current} (${elapsed}s)`;
    // One terminal row, or the next clear would leave the wrapped part behind.
    const width = this.opts.stream.columns > 0 ? this.opts.stream.columns - 1 : 79;
    this.opts.stream.write(`\r\u001b[2K${line.length > width ? `${line.slice(0, width - 1)}…` : line}`);
  }
}
