/**
 * The data plane's logger contract: four levels, a message and optional structured fields. The
 * proxy never formats log lines itself, so `gloo run` can hand in the process-wide logger and tests
 * can hand in a collecting or silent one. `debug` is optional so a disabled level costs one check.
 */

export type LogFields = Record<string, unknown>;

export interface Logger {
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  debug?(msg: string, fields?: LogFields): void;
}

/** Writes one JSON line per message to stderr (info and above). */
export const consoleLogger: Logger = {
  info: (msg, fields) => writeLine('info', msg, fields),
  warn: (msg, fields) => writeLine('warn', msg, fields),
  error: (msg, fields) => writeLine('error', msg, fields),
};

/** Drops everything; for tests and embedding. */
export const silentLogger: Logger = {
  info: () => {},
  warn: () => {},
  error: () => {},
};

function writeLine(level: string, msg: string, fields: LogFields | undefined): void {
  const line = { level, time: new Date().toISOString(), component: 'gateway-proxy', msg, ...fields };
  process.stderr.write(JSON.stringify(line, errorReplacer) + '\n');
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, code: (value as NodeJS.ErrnoException).code };
  return value;
}
