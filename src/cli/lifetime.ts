// The CLI process's life: kept alive while a command waits, ended promptly by a closed output pipe.
import { ExitCode } from './io.js';

/**
 * Keeps the event loop alive until `work` settles. The library's system clock unrefs its timers, so that an
 * embedding application exits when it wants to; the CLI's whole job is to wait for the task, and a run on the
 * embedded cluster has nothing else (no socket) to keep the process alive meanwhile: without this, Node would end
 * it half-way with exit code 13 (an unsettled top-level await).
 */
export const holdOpen = async <A>(work: Promise<A>): Promise<A> => {
  // The longest interval Node accepts; it never fires in practice, it only holds a ref on the loop.
  const hold = setInterval(() => undefined, 2 ** 31 - 1);
  try {
    return await work;
  } finally {
    clearInterval(hold);
  }
};

/**
 * Ends the process when standard output or standard error is closed under it (`kubetasks run ... | head -4`): like
 * a Unix tool killed by SIGPIPE, at once and with 141 (128 + SIGPIPE). Node ignores SIGPIPE and reports the closed
 * pipe as an EPIPE error on the stream; unhandled, that would crash with a stack trace, or worse, leave a logger
 * retrying its write at exit for ever.
 */
export const exitOnClosedOutput = (): void => {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      // Nothing can be printed any more: whatever broke the stream, the output is gone.
      process.exit(e.code === 'EPIPE' ? ExitCode.closedPipe : ExitCode.internal);
    });
  }
};
