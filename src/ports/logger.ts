// The logging port: structured records at four levels, with a silent default.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Structured context for a record: stable keys (`pod`, `namespace`, `phase`) with JSON values. */
export type LogFields = Readonly<Record<string, unknown>>;

/**
 * A structured logger. Messages are constant strings; what varies goes into fields, so records can be searched
 * and counted. `child` binds fields to every record it writes (a component name, an object reference).
 */
export interface Logger {
  /** Detail for whoever debugs kubetasks itself; off in production. */
  readonly debug: (message: string, fields?: LogFields) => void;
  /** A normal event worth a line in an operator's log (a task submitted, a task finished). */
  readonly info: (message: string, fields?: LogFields) => void;
  /**
   * Something went wrong and was handled (a retried request, a dropped event); worth a look if it repeats.
   */
  readonly warn: (message: string, fields?: LogFields) => void;
  /**
   * Something went wrong that kubetasks could not handle by itself (a record it cannot read, a store it
   * cannot write).
   */
  readonly error: (message: string, fields?: LogFields) => void;
  /**
   * A logger that adds `fields` to every record, so a component logs its identity once instead of in every
   * call.
   */
  readonly child: (fields: LogFields) => Logger;
}

/** Writes nothing. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};
