/**
 * The downstream request body when the router may need it more than once (retries) or in two places
 * (mirroring). The body still streams: each attempt's body is an async generator that replays what was
 * recorded so far and then pulls the rest from the IncomingMessage, so undici's backpressure reaches
 * the client. Chunks are recorded up to `limit` bytes; past it the body can no longer be replayed and
 * the request is not retried (Envoy does the same with its retry buffer).
 *
 * Mirrors get a copy through a PassThrough each; a mirror that falls more than `limit` bytes behind is
 * dropped (destroyed) rather than slowing the main request down.
 */
import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';

/**
 * A request body an HTTP filter buffered (and maybe replaced) before routing (filter.ts `decodeBody`):
 * the router sends it instead of reading the IncomingMessage, which has been consumed.
 */
export const kBufferedBody = Symbol('gloo.bufferedBody');

/** The body a filter buffered for this request, or undefined (the router streams the request). */
export function bufferedBody(req: IncomingMessage): Buffer | undefined {
  return (req as IncomingMessage & { [kBufferedBody]?: Buffer })[kBufferedBody];
}

/**
 * A request body that streaming HTTP filters transform as it arrives (filter.ts `decodeData`, e.g.
 * gRPC-Web text mode): the router sends it instead of the IncomingMessage, which it reads from.
 */
export const kBodyStream = Symbol('gloo.bodyStream');

type ReplacedBody = IncomingMessage & { [kBufferedBody]?: Buffer; [kBodyStream]?: AsyncIterable<Buffer> };

/** What the router sends instead of streaming the IncomingMessage (a filter buffered or transforms it), or undefined. */
export function replacedBody(req: IncomingMessage): Buffer | AsyncIterable<Buffer> | undefined {
  const r = req as ReplacedBody;
  return r[kBufferedBody] ?? r[kBodyStream];
}

async function* once(b: Buffer): AsyncGenerator<Buffer> {
  yield b;
}

/** Default retry / shadow buffer: 64 KiB. */
export const DEFAULT_BODY_BUFFER_LIMIT = 64 * 1024;

export class RequestBody {
  /** Chunks read so far, from absolute index `dropped` on. */
  private readonly chunks: Buffer[] = [];
  private dropped = 0;
  private size = 0;
  private pending: Promise<void> | null = null;
  /** The body went past the limit: it cannot be replayed. */
  overflowed: boolean;
  /** The downstream body has been read to the end. */
  ended = false;
  private readonly source: AsyncIterator<Buffer>;
  private mirrors: PassThrough[] | null = null;
  /** Called for every chunk read from downstream (stream idle timer). */
  onChunk: (() => void) | null = null;

  constructor(
    req: IncomingMessage,
    private readonly limit: number,
    record: boolean,
  ) {
    this.overflowed = !record;
    const replaced = replacedBody(req);
    this.source =
      replaced === undefined
        ? (req.iterator({ destroyOnReturn: false }) as AsyncIterator<Buffer>)
        : Buffer.isBuffer(replaced)
          ? once(replaced)
          : replaced[Symbol.asyncIterator]();
  }

  /** A stream fed with a copy of the body from now on (and what is recorded so far, when replayable). */
  mirror(): PassThrough | null {
    const p = new PassThrough();
    p.on('error', noop);
    if (!this.overflowed) for (const c of this.chunks) p.write(c);
    else if (this.size > 0) return null; // part of the body is gone already: no mirror
    if (this.ended) p.end();
    else (this.mirrors ??= []).push(p);
    return p;
  }

  /**
   * The body for one attempt: replays recorded chunks, then continues the downstream read. Reads are
   * shared (one pending read at most), so an abandoned attempt's read still lands in the record.
   */
  async *attempt(cancelled: { readonly aborted: boolean } = NEVER): AsyncGenerator<Buffer> {
    let i = this.dropped;
    for (;;) {
      if (cancelled.aborted) return;
      if (i < this.dropped) i = this.dropped;
      if (i - this.dropped < this.chunks.length) {
        const c = this.chunks[i - this.dropped]!;
        i++;
        if (this.overflowed) {
          // Not replayable any more: keep only what the current attempt has not consumed yet.
          this.chunks.splice(0, i - this.dropped);
          this.dropped = i;
        }
        yield c;
        continue;
      }
      if (this.ended) return;
      await this.pull();
    }
  }

  private pull(): Promise<void> {
    this.pending ??= this.source.next().then(
      (r) => {
        this.pending = null;
        if (r.done === true) {
          this.ended = true;
          this.endMirrors(null);
          return;
        }
        const chunk = r.value;
        this.size += chunk.length;
        if (!this.overflowed && this.size > this.limit) this.overflowed = true;
        this.chunks.push(chunk);
        this.tee(chunk);
        this.onChunk?.();
      },
      (err: unknown) => {
        this.pending = null;
        this.endMirrors(err as Error);
        throw err;
      },
    );
    return this.pending;
  }

  /** The exchange is over before the body was read: drop the mirrors' partial copies. */
  abandon(): void {
    if (!this.ended) this.endMirrors(new Error('request abandoned'));
  }

  private tee(chunk: Buffer): void {
    const ms = this.mirrors;
    if (ms === null) return;
    for (let i = ms.length - 1; i >= 0; i--) {
      const m = ms[i]!;
      if (m.destroyed || m.writableLength > this.limit) {
        // The mirror is slow or gone: drop its copy, never slow the main request.
        m.destroy(new Error('shadow request dropped: it fell behind'));
        ms.splice(i, 1);
      } else {
        m.write(chunk);
      }
    }
  }

  private endMirrors(err: Error | null): void {
    const ms = this.mirrors;
    if (ms === null) return;
    this.mirrors = null;
    for (const m of ms) {
      if (err === null) m.end();
      else m.destroy(err);
    }
  }
}

function noop(): void {}

const NEVER = { aborted: false } as const;
