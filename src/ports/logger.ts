// The logging port: structured records at four levels, with a silent default.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Structured context for a record: stable keys (`pod`, `namespace`, `phase`) with JSON values. */
export type LogFields = Readonly<Record<string, unknown>>;

/**
 * A structured logger. Messages are constant strings; what varies goes into fields, so records can be searched
 * and counted. `child` binds fields to every record it writes (a component name, an object reference).
 */
export interface Logger {
  readonly debug: (message: string, fields?: LogFields) => void;
  readonly info: (message: string, fields?: LogFields) => void;
  readonly warn: (message: string, fields?: LogFields) => void;
  readonly error: (message: string, fields?: LogFields) => void;
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
