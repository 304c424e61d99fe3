/**
 * Works around undici 7's HTTP/2 client losing the end of a response body that has trailers.
 *
 * undici completes a request on the stream's 'trailers' event and removes its 'data' listeners there.
 * node emits 'trailers' as soon as the trailing HEADERS frame is parsed — when DATA frames that came
 * in the same read are still in the stream's readable buffer (or the stream is paused) — so those
 * bytes were never delivered: a gRPC response ended "OK" with its last message missing.
 *
 * The fix, applied once to node's ClientHttp2Stream prototype: a 'trailers' event that arrives while
 * body bytes are still buffered is held back and emitted right before the stream's 'end', i.e. after
 * the last 'data'. The event and its arguments are unchanged, only its moment moves, so other HTTP/2
 * clients in the process (grpc-js…) see the same events in an order that is also valid.
 */
import { connect } from 'node:http2';
import { Duplex } from 'node:stream';

const kHeld = Symbol('gloo.heldTrailers');

type Emit = (this: HeldStream, event: string | symbol, ...args: unknown[]) => boolean;
interface HeldStream {
  readableLength: number;
  readableEnded: boolean;
  [kHeld]?: unknown[] | undefined;
}

let applied = false;

/** Patches node's ClientHttp2Stream so 'trailers' never overtakes buffered body data (idempotent). */
export function deliverTrailersAfterData(): void {
  if (applied) return;
  applied = true;
  const proto = clientStreamPrototype();
  if (proto === null) return;
  const original = proto.emit as Emit;
  proto.emit = function (this: HeldStream, event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'trailers' && this.readableLength > 0 && !this.readableEnded) {
      this[kHeld] = args;
      return true;
    }
    if (event === 'end' && this[kHeld] !== undefined) {
      const held = this[kHeld];
      this[kHeld] = undefined;
      original.call(this, 'trailers', ...held);
    }
    return original.call(this, event, ...args);
  } as Emit;
}

/** node does not export ClientHttp2Stream: take the prototype of a stream of a session on a dummy duplex. */
function clientStreamPrototype(): { emit: unknown } | null {
  const dummy = new Duplex({
    read() {},
    write(_chunk, _enc, cb) {
      cb();
    },
  });
  try {
    const session = connect('http://localhost', { createConnection: () => dummy });
    session.on('error', () => undefined);
    const stream = session.request({ ':path': '/' });
    stream.on('error', () => undefined);
    const proto = Object.getPrototypeOf(stream) as { emit: unknown };
    stream.destroy();
    session.destroy();
    dummy.destroy();
    return proto;
  } catch {
    return null;
  }
}
