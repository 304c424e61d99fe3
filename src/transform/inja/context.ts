/**
 * What a render needs from the request, supplied by the transformation filter. It is an interface of
 * methods so the filter's per-request object can implement it directly — no adapter object, no
 * closures, nothing computed that the template does not ask for (`body()` is called only by templates
 * that use it).
 *
 * Example (a request transformation):
 *   class RequestTransformation implements InjaContext {
 *     json: JsonValue = null;                      // parsed body, extractions merged when not advanced
 *     header(name: string) { return firstValue(this.req.headers[name]); }   // name is lowercase
 *     requestHeader(name: string) { return this.header(name); }
 *     extraction(name: string) { return this.extractions.get(name); }
 *     body() { return this.bodyText ??= this.bodyBuffer.toString('utf8'); }
 *   }
 */
import type { JsonValue } from './json-value.js';

/** `google.protobuf.Value` in protobufjs' object form (the shape xDS metadata arrives in). */
export type MetadataValue =
  | { nullValue: 'NULL_VALUE' | 0 }
  | { numberValue: number }
  | { stringValue: string }
  | { boolValue: boolean }
  | { structValue: MetadataStruct }
  | { listValue: { values: MetadataValue[] } };

/** `google.protobuf.Struct` in the object form: `{fields: {key: {stringValue: 'v'}}}`. */
export interface MetadataStruct {
  fields: Record<string, MetadataValue>;
}

/** Envoy `Metadata.filter_metadata`: filter namespace → Struct. */
export type FilterMetadata = Readonly<Record<string, MetadataStruct>>;

export interface InjaContext {
  /**
   * `header(name)`: the first value of header `name` (already lowercase) of the message being
   * transformed — request headers in a request transformation, response headers in a response one —
   * pseudo-headers included (`:path`, `:method`, `:authority`, `:status`). Undefined when absent.
   */
  header(name: string): string | undefined;
  /** `request_header(name)`: the request's header, in request and response transformations alike. */
  requestHeader?(name: string): string | undefined;
  /**
   * `extraction(name)`: an extractor's result (undefined when no extractor has that name). envoy-gloo
   * fills this only with advanced templates; without them it merges extractions into `json`
   * (`setExtraction`) and `extraction()` finds nothing — return undefined then.
   */
  extraction(name: string): string | undefined;
  /** `body()`: the buffered body as text. */
  body(): string;
  /**
   * The template context: the parsed JSON body (see `parseJson`), with extractions merged in when
   * templates are not advanced (`setExtraction`); null when the body was not parsed. Variables are
   * looked up in it when it is an object; `context()` returns it whatever it is.
   */
  readonly json: JsonValue;
  /** `cluster_metadata(key)` / `clusterMetadata(key)`: the routed cluster's metadata; undefined without a cluster. */
  clusterMetadata?(): FilterMetadata | undefined;
  /** `dynamic_metadata(key)`: the stream's dynamic metadata. */
  dynamicMetadata?(): FilterMetadata | undefined;
  /** `host_metadata(key)`: the selected endpoint's metadata (only known after routing to a host). */
  hostMetadata?(): FilterMetadata | undefined;
}
