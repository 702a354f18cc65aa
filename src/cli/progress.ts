// Live progress on standard error: a phase timeline with times and reasons, and a spinner while waiting on a TTY.
import type { TaskUpdate } from '../app/manager.js';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

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

/** One line of the timeline: `  12.3s  attempt 1  Running  reason`. */
export const formatUpdate = (u: TaskUpdate, startedAt: number, color = false): string => {
  const t = `${((u.at - startedAt) / 1000).toFixed(1)}s`.padStart(7);
  const phase = paint(color, colorOf(u.phaseInfo.phase), u.phaseInfo.phase.padEnd(19));
  const err = u.phaseInfo.error;
  const why =
    err === undefined ? u.phaseInfo.reason : `${err.kind} ${err.code}: ${err.message.split('\n')[0] ?? ''}`;
  return `${t}  attempt ${u.attempt}  ${phase} ${why}`.trimEnd();
};

/**
 * Writes each update as a line. On a colour-capable TTY a spinner line shows the current phase and the elapsed
 * time between updates; elsewhere (pipes, CI, NO_COLOR) output is plain lines only.
 */
export class Progress {
  private readonly tty: boolean;
  private timer: NodeJS.Timeout | undefined;
  private frame = 0;
  private current = 'Submitting';

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
    this.clear();
    this.opts.stream.write(`${formatUpdate(u, taskStartedAt, this.tty)}\n`);
    this.current = u.phaseInfo.phase;
    this.spin();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.clear();
  }

  private clear(): void {
    if (this.tty) this.opts.stream.write('\r\u001b[2K');
  }

  private spin(): void {
    if (!this.tty || this.timer === undefined) return;
    this.frame = (this.frame + 1) % FRAMES.length;
    const elapsed = ((Date.now() - this.opts.startedAt) / 1000).toFixed(1);
    this.opts.stream.write(`\r\u001b[2K${FRAMES[this.frame] ?? ''} ${this.current} (${elapsed}s)`);
  }
}
