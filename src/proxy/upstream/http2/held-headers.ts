/**
 * Response headers for an HTTP/2 downstream, held back for a moment so a response that turns out to
 * have no body and no trailers goes out as one HEADERS frame with END_STREAM — gRPC's "trailers-only"
 * response, which carries `grpc-status` in the headers. A gRPC client reads a status only from
 * HEADERS that end the stream (or from trailers), so sending the headers first and an empty DATA frame
 * after would turn every gRPC error status into "no status received" (Envoy keeps end-of-stream on
 * headers the same way).
 *
 * The headers are written at the first body byte, at the end, or on the next turn of the event loop
 * (`setImmediate`), whichever comes first — a streaming response is not delayed. Only HTTP/2
 * downstream responses are held; HTTP/1.1 has no such message.
 */
import type { ServerResponse } from 'node:http';
import { addTrailers } from '../../http/trailers.js';

/** An HTTP/2 downstream response (node's compatibility API), whose headers can end the stream. */
export function isHttp2Response(res: ServerResponse): boolean {
  return (res as { stream?: unknown }).stream !== undefined;
}

/**
 * The downstream response was written to its end (not cut short). node's HTTP/2 compatibility
 * response reports `writableFinished` after a client's RST_STREAM too (it emits 'finish' then
 * 'close'), but then it was never ended: both must hold.
 */
export function responseCompleted(res: ServerResponse): boolean {
  return res.writableFinished && res.writableEnded;
}

/** Upstream trailers with at least one field (undici: a flat list over HTTP/1.1, an object over HTTP/2). */
export function hasTrailers(trailers: readonly unknown[] | Readonly<Record<string, unknown>> | null): boolean {
  if (trailers === null) return false;
  if (Array.isArray(trailers)) return trailers.length > 0;
  for (const k in trailers) if (k.charCodeAt(0) !== 58 /* ':' */) return true;
  return false;
}

export class HeldHeaders {
  private timer: NodeJS.Immediate | null;
  /** The headers were written (by the timer or a flush). */
  private sent = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly status: number,
    private readonly list: string[],
    /** writeHead refused the headers (invalid upstream header): the caller fails the request. */
    private readonly onInvalid: () => void,
  ) {
    this.timer = setImmediate(flushHeld, this);
  }

  /** Writes the headers now (once); false when they were refused (onInvalid is not called then). */
  flush(): boolean {
    this.cancel();
    if (this.sent) return true;
    this.sent = true;
    try {
      this.res.writeHead(this.status, this.list);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Ends the response with the headers alone (HEADERS + END_STREAM). node's compatibility `end()`
   * writes the headers itself, with end of stream, through `res.writeHead` (so the connection
   * manager's hooks still see them): this passes our status and list to that call.
   */
  endHeadersOnly(): void {
    this.cancel();
    const res = this.res;
    if (this.sent) {
      // The timer already sent them: the stream ends with an empty DATA frame.
      res.end();
      return;
    }
    this.sent = true;
    endWithHeaders(res, this.status, this.list);
  }

  cancel(): void {
    if (this.timer !== null) {
      clearImmediate(this.timer);
      this.timer = null;
    }
  }

  /** Called by the timer. */
  timedFlush(): void {
    this.timer = null;
    if (!this.flush()) this.onInvalid();
  }
}

function flushHeld(h: HeldHeaders): void {
  h.timedFlush();
}

/**
 * Ends an HTTP/2 response with its headers alone (HEADERS + END_STREAM). node's compatibility `end()`
 * writes the headers itself, with end of stream, through `res.writeHead` (so the connection manager's
 * hooks still see them): this passes `status` and `list` to that call, through `writeHead` (the
 * response's own by default), and ends the response with `end` (the response's own by default).
 */
export function endWithHeaders(
  res: ServerResponse,
  status: number,
  list: string[],
  writeHead: ServerResponse['writeHead'] = res.writeHead,
  end: ServerResponse['end'] = res.end,
): void {
  const own = Object.getOwnPropertyDescriptor(res, 'writeHead');
  const restore = (): void => {
    if (own !== undefined) Object.defineProperty(res, 'writeHead', own);
    else delete (res as Partial<ServerResponse>).writeHead;
  };
  const wrapper = function (this: ServerResponse) {
    restore();
    return writeHead.call(this, status, list);
  } as ServerResponse['writeHead'];
  res.writeHead = wrapper;
  try {
    (end as (this: ServerResponse) => ServerResponse).call(res);
  } catch {
    res.destroy();
  } finally {
    if (res.writeHead === wrapper) restore();
  }
}


/** What ends an exchange, for `endUpstreamResponse`. */
export interface Finishable {
  /** The exchange is over (timers, slots, counters). */
  finish(): void;
  /** The held headers were refused (an invalid upstream header): the exchange fails. */
  invalidResponseHeaders(): void;
}

/**
 * The upstream's status and headers reach the downstream response: held on HTTP/2 (see HeldHeaders),
 * written at once on HTTP/1.1. Returns the held headers, null when written, or undefined when node
 * refused them (`exchange.invalidResponseHeaders()` has run).
 */
export function beginUpstreamResponse(res: ServerResponse, status: number, list: string[], exchange: Finishable): HeldHeaders | null | undefined {
  if (isHttp2Response(res)) {
    // HTTP/2 downstream: a headers-only answer must end the stream on its HEADERS (gRPC trailers-only).
    return new HeldHeaders(res, status, list, () => exchange.invalidResponseHeaders());
  }
  try {
    res.writeHead(status, list);
  } catch {
    exchange.invalidResponseHeaders();
    return undefined;
  }
  return null;
}

/**
 * The upstream response is complete: with headers still held and no trailers, the headers alone end
 * the stream (trailers-only); otherwise the headers go out, then the trailers, then the end.
 */
export function endUpstreamResponse(
  res: ServerResponse,
  held: HeldHeaders | null,
  trailers: readonly (Buffer | string)[] | null,
  exchange: Finishable,
): void {
  if (held !== null && !hasTrailers(trailers)) {
    exchange.finish();
    held.endHeadersOnly();
    return;
  }
  if (held !== null && !held.flush()) {
    exchange.invalidResponseHeaders();
    return;
  }
  exchange.finish();
  if (trailers !== null) addTrailers(res, trailers);
  res.end();
}
