/**
 * Listener `options.accessLoggingService.accessLog[]` (spec §2.7.3) → the HTTP connection manager's
 * `access_log`: a `fileSink` becomes `envoy.access_loggers.file` (FileAccessLog `{path, log_format}`,
 * `stringFormat` → `text_format_source.inline_string`, `jsonFormat` → `json_format`;
 * `stringFormat: ""` or neither ⇒ Envoy's default format). gRPC and OpenTelemetry sinks and access
 * log filters are not translated (reported as unsupported fields).
 */
import type { Plugin } from '../../plugin.js';
import type { AccessLog as GlooAccessLog } from '../../../../api/types/listener.js';
import { TYPE_URL, toStruct, type AccessLog, type TypedConfig } from '../../../../xds/envoy-types.js';

export const FILE_ACCESS_LOG = 'envoy.access_loggers.file';

/** The Envoy access logs of Gloo access log entries (file sinks only). */
export function accessLogs(logs: readonly GlooAccessLog[]): AccessLog[] {
  const out: AccessLog[] = [];
  for (const l of logs) {
    const f = l.fileSink;
    if (!f) continue;
    const cfg: TypedConfig = { '@type': TYPE_URL.fileAccessLog, path: f.path ?? '' };
    if (f.stringFormat) cfg.log_format = { text_format_source: { inline_string: f.stringFormat } };
    else if (f.jsonFormat) cfg.log_format = { json_format: toStruct(f.jsonFormat as Record<string, unknown>) };
    out.push({ name: FILE_ACCESS_LOG, typed_config: cfg });
  }
  return out;
}

export const accessLogPlugin: Plugin = {
  name: 'access-log',
  processHttpConnectionManager(_params, listener, out) {
    const logs = accessLogs(listener.options?.accessLoggingService?.accessLog ?? []);
    if (logs.length > 0) out.access_log = logs;
  },
};
