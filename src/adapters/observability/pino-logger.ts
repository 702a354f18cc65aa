// The logging port on pino: one JSON line per record, fields as top-level keys, levels as pino's.
import { pino, type Logger as PinoLogger, type DestinationStream } from 'pino';
import type { LogFields, Logger, LogLevel } from '../../ports/logger.js';

const wrap = (p: PinoLogger): Logger => ({
  debug: (message, fields) => {
    p.debug(fields ?? {}, message);
  },
  info: (message, fields) => {
    p.info(fields ?? {}, message);
  },
  warn: (message, fields) => {
    p.warn(fields ?? {}, message);
  },
  error: (message, fields) => {
    p.error(fields ?? {}, message);
  },
  child: (fields: LogFields) => wrap(p.child(fields)),
});

/**
 * A pino logger behind the port. `destination` defaults to standard error, so logs never mix with the
 * documents kubetasks prints on standard output.
 */
export const makePinoLogger = (
  options: { level?: LogLevel; destination?: DestinationStream; name?: string } = {},
): Logger =>
  wrap(
    pino(
      { level: options.level ?? 'info', name: options.name ?? 'kubetasks', base: null },
      options.destination ?? pino.destination(2),
    ),
  );

/** Adapts an existing pino logger (an embedding application's) to the port. */
export const fromPino = (p: PinoLogger): Logger => wrap(p);
