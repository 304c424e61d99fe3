/**
 * The access loggers of one HTTP connection manager (`access_log[]`), compiled once per config:
 * `envoy.access_loggers.file` (FileAccessLog: `path`, `log_format.text_format_source.inline_string`
 * / `text_format` / `json_format`, or the legacy `format` / `json_format`; Envoy's default format
 * when none) with its optional `filter`. Other loggers (gRPC, OpenTelemetry, stdout/stderr
 * extensions are mapped to the file logger on /dev/stdout and /dev/stderr) are reported once and skipped.
 * `compileAccessLogs` returns null when nothing is configured, so requests pay one check.
 */
import type { AccessLog, FileAccessLog, SubstitutionFormatString } from '../../xds/envoy-types.js';
import type { Logger } from '../logger.js';
import { compileAccessLogFilter, type LogPredicate } from './access-log-filter.js';
import { compileJsonFormat, compileTextFormat, DEFAULT_FORMAT, type LogContext, type TextFormatter } from './format.js';
import type { FileSink, SinkRegistry } from './sink.js';

export interface CompiledAccessLog {
  readonly path: string;
  readonly sink: FileSink;
  readonly format: TextFormatter;
  readonly filter: LogPredicate | null;
}

export class AccessLogs {
  constructor(readonly logs: readonly CompiledAccessLog[]) {}

  /** The file paths in use (for the sink registry after a swap). */
  paths(): string[] {
    return this.logs.map((l) => l.path);
  }

  log(c: LogContext): void {
    for (const l of this.logs) {
      if (l.filter !== null && !l.filter(c)) continue;
      let line: string;
      try {
        line = l.format(c);
      } catch {
        continue;
      }
      l.sink.write(line);
    }
  }
}

function formatOf(log: FileAccessLog | { log_format?: SubstitutionFormatString }, onUnknown: (op: string) => void): TextFormatter {
  const lf = log.log_format;
  if (lf !== undefined) {
    if (lf.json_format !== undefined) return compileJsonFormat(lf.json_format, onUnknown);
    const text = lf.text_format_source?.inline_string ?? lf.text_format;
    if (text !== undefined && text !== '') return compileTextFormat(text, onUnknown);
    return compileTextFormat(DEFAULT_FORMAT, onUnknown);
  }
  const legacy = log as FileAccessLog;
  if (legacy.json_format !== undefined) return compileJsonFormat(legacy.json_format, onUnknown);
  if (legacy.format !== undefined && legacy.format !== '') return compileTextFormat(legacy.format, onUnknown);
  return compileTextFormat(DEFAULT_FORMAT, onUnknown);
}

const STDIO_LOGGERS: Record<string, string> = {
  'envoy.access_loggers.stdout': '/dev/stdout',
  'envoy.access_loggers.stderr': '/dev/stderr',
};

export function compileAccessLogs(list: readonly AccessLog[] | undefined, sinks: SinkRegistry | null, logger: Logger, where: string): AccessLogs | null {
  if (list === undefined || list.length === 0 || sinks === null) return null;
  const out: CompiledAccessLog[] = [];
  for (const al of list) {
    const t = (al.typed_config ?? {}) as unknown as FileAccessLog;
    const type = t['@type'] ?? '';
    const isFile = al.name === 'envoy.access_loggers.file' || type.endsWith('.FileAccessLog');
    const stdio = STDIO_LOGGERS[al.name] ?? (type.endsWith('.StdoutAccessLog') ? '/dev/stdout' : type.endsWith('.StderrAccessLog') ? '/dev/stderr' : undefined);
    if (!isFile && stdio === undefined) {
      logger.warn('access logger not supported by this data plane; skipped', { listener: where, accessLog: al.name, type });
      continue;
    }
    const path = stdio ?? t.path;
    if (!path) {
      logger.warn('file access log without a path; skipped', { listener: where });
      continue;
    }
    const unknown = (op: string): void => logger.warn('access log format uses an operator this data plane does not know; it renders as -', { listener: where, operator: op });
    let format: TextFormatter;
    let filter: LogPredicate | null = null;
    try {
      format = formatOf(t, unknown);
      if (al.filter !== undefined) {
        filter = compileAccessLogFilter(al.filter, (what) => logger.warn('access log filter not supported; it lets every line through', { listener: where, filter: what }));
      }
    } catch (err) {
      logger.warn('access log rejected', { listener: where, path, err });
      continue;
    }
    out.push({ path, sink: sinks.get(path), format, filter });
  }
  return out.length === 0 ? null : new AccessLogs(out);
}

export type { LogContext };
