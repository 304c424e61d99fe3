/**
 * Per-request facts the access log reads (Envoy's StreamInfo): timings, byte counts, the upstream
 * host and cluster, response flags. Only requests of a connection manager that needs them (access
 * log, filters, response hooks) carry one; it hangs off the ServerResponse under `kStreamInfo` so
 * local replies sent from anywhere (router included) can set their response flag.
 */
import { performance } from 'node:perf_hooks';
import type { Struct } from '../../xds/envoy-types.js';

export const kStreamInfo = Symbol('gloo.streamInfo');

/** Response flags, Envoy's short names (`%RESPONSE_FLAGS%`), in Envoy's rendering order. */
export const enum ResponseFlag {
  FailedLocalHealthCheck = 1 << 0, // LH
  NoHealthyUpstream = 1 << 1, // UH
  UpstreamRequestTimeout = 1 << 2, // UT
  LocalReset = 1 << 3, // LR
  UpstreamRemoteReset = 1 << 4, // UR
  UpstreamConnectionFailure = 1 << 5, // UF
  UpstreamConnectionTermination = 1 << 6, // UC
  UpstreamOverflow = 1 << 7, // UO
  NoRouteFound = 1 << 8, // NR
  DelayInjected = 1 << 9, // DI
  FaultInjected = 1 << 10, // FI
  RateLimited = 1 << 11, // RL
  DownstreamConnectionTermination = 1 << 12, // DC
  NoClusterFound = 1 << 13, // NC
  StreamIdleTimeout = 1 << 14, // SI
  DownstreamProtocolError = 1 << 15, // DPE
}

const FLAG_NAMES: readonly (readonly [number, string])[] = [
  [ResponseFlag.FailedLocalHealthCheck, 'LH'],
  [ResponseFlag.NoHealthyUpstream, 'UH'],
  [ResponseFlag.UpstreamRequestTimeout, 'UT'],
  [ResponseFlag.LocalReset, 'LR'],
  [ResponseFlag.UpstreamRemoteReset, 'UR'],
  [ResponseFlag.UpstreamConnectionFailure, 'UF'],
  [ResponseFlag.UpstreamConnectionTermination, 'UC'],
  [ResponseFlag.UpstreamOverflow, 'UO'],
  [ResponseFlag.NoRouteFound, 'NR'],
  [ResponseFlag.DelayInjected, 'DI'],
  [ResponseFlag.FaultInjected, 'FI'],
  [ResponseFlag.RateLimited, 'RL'],
  [ResponseFlag.DownstreamConnectionTermination, 'DC'],
  [ResponseFlag.NoClusterFound, 'NC'],
  [ResponseFlag.StreamIdleTimeout, 'SI'],
  [ResponseFlag.DownstreamProtocolError, 'DPE'],
];

/** `NR`, `UH,UF`, or `-` when none (Envoy's rendering). */
export function responseFlagsString(flags: number): string {
  if (flags === 0) return '-';
  let out = '';
  for (const [bit, name] of FLAG_NAMES) if ((flags & bit) !== 0) out = out === '' ? name : `${out},${name}`;
  return out;
}

/** The flag bit of a short name, or 0 when unknown. */
export function responseFlagByName(name: string): number {
  for (const [bit, n] of FLAG_NAMES) if (n === name) return bit;
  return 0;
}

export interface StreamInfo {
  /** Epoch ms. */
  readonly startTime: number;
  /** performance.now() at start. */
  readonly startHr: number;
  /** performance.now() when the request was fully received (-1: not yet / unknown). */
  requestEndHr: number;
  /** performance.now() when the response headers were written (-1: none). */
  responseStartHr: number;
  /** performance.now() when the response ended or the stream was reset. */
  endHr: number;
  /** The response headers as written, `[name, value, …]`. */
  responseHeaders: readonly string[] | null;
  responseFlags: number;
  bytesReceived: number;
  bytesSent: number;
  upstreamHost: string | null;
  upstreamCluster: string | null;
  routeName: string | null;
  healthCheck: boolean;
  /** Why the upstream connection failed at the transport level (TLS), for `%UPSTREAM_TRANSPORT_FAILURE_REASON%`. */
  upstreamTransportFailureReason?: string | null;
  /** Envoy's dynamic metadata: filter namespace → Struct (set by filters, e.g. transformations; `%DYNAMIC_METADATA%`). */
  dynamicMetadata?: Record<string, Struct> | null;
}

/** Adds a response flag to the request's stream info, when it has one (access logs). */
export function addResponseFlag(res: object, flag: number): void {
  const info = (res as Record<symbol, StreamInfo | undefined>)[kStreamInfo];
  if (info !== undefined) info.responseFlags |= flag;
}

/** The StreamInfo fields with their initial values; a stream (or an upgrade's log) extends it. */
export class StreamInfoRecord implements StreamInfo {
  readonly startTime = Date.now();
  readonly startHr = performance.now();
  requestEndHr = -1;
  responseStartHr = -1;
  endHr = -1;
  responseHeaders: readonly string[] | null = null;
  responseFlags = 0;
  bytesReceived = 0;
  bytesSent = 0;
  upstreamHost: string | null = null;
  upstreamCluster: string | null = null;
  upstreamTransportFailureReason: string | null = null;
  routeName: string | null = null;
  healthCheck = false;
  dynamicMetadata: Record<string, Struct> | null = null;
}
