/**
 * The process-wide logger: levels, a component name, structured fields; text for people (default)
 * or JSON lines for machines. A disabled level is a no-op function, so it costs one call.
 */
import type { Logger, LogFields } from './proxy/logger.js';

export type { Logger, LogFields };
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export type LogFormat = 'text' | 'json';

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };
const noop = () => {};

export interface LoggerOptions {
  level?: LogLevel;
  format?: LogFormat;
  component?: string;
  write?: (line: string) => void;
}

export function createLogger(opts: LoggerOptions = {}): Logger & { child(component: string): Logger } {
  const level = opts.level ?? 'info';
  const format = opts.format ?? 'text';
  const write = opts.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const component = opts.component ?? 'gloo';
  const make = (lvl: Exclude<LogLevel, 'silent'>) =>
    ORDER[lvl] < ORDER[level]
      ? noop
      : (msg: string, fields?: LogFields) => write(format === 'json' ? jsonLine(lvl, component, msg, fields) : textLine(lvl, component, msg, fields));
  return {
    debug: make('debug'),
    info: make('info'),
    warn: make('warn'),
    error: make('error'),
    child: (c: string) => createLogger({ ...opts, component: c }),
  };
}

function errorValue(v: unknown): unknown {
  if (v instanceof Error) return { message: v.message, code: (v as NodeJS.ErrnoException).code };
  return v;
}

function jsonLine(level: string, component: string, msg: string, fields?: LogFields): string {
  const out: Record<string, unknown> = { time: new Date().toISOString(), level, component, msg };
  for (const [k, v] of Object.entries(fields ?? {})) out[k] = errorValue(v);
  return JSON.stringify(out);
}

function textLine(level: string, component: string, msg: string, fields?: LogFields): string {
  let line = `${new Date().toISOString()} ${level.padEnd(5)} [${component}] ${msg}`;
  for (const [k, v] of Object.entries(fields ?? {})) {
    const val = errorValue(v);
    const s = typeof val === 'string' ? val : JSON.stringify(val);
    line += ` ${k}=${typeof val === 'string' && /\s/.test(s) ? JSON.stringify(s) : s}`;
  }
  return line;
}
