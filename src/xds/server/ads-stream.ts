/**
 * What every ADS stream shares, state of the world or delta: the node session it serves, a nonce
 * counter, and the lifecycle of the gRPC call (requests dispatched to `onRequest`, which never lets
 * an exception escape; the stream closed once on end, error or close).
 */
import type * as grpc from '@grpc/grpc-js';
import { NodeSession, type StreamDeps } from './node-session.js';

export abstract class AdsStream<Req extends { type_url?: string }, Res> {
  protected readonly session: NodeSession;
  protected nonce = 0;
  protected closed = false;

  constructor(
    protected readonly call: grpc.ServerDuplexStream<Req, Res>,
    protected readonly deps: StreamDeps,
    kind: 'sotw' | 'delta',
  ) {
    this.session = new NodeSession(deps, kind, call.getPeer());
    call.on('data', (req: Req) => {
      try {
        this.onRequest(req);
      } catch (err) {
        deps.logger.error(`${kind === 'delta' ? 'delta ' : ''}ADS request failed`, { err, typeUrl: req?.type_url });
      }
    });
    call.on('end', () => {
      this.close();
      call.end();
    });
    call.on('error', () => this.close());
    call.on('close', () => this.close());
  }

  protected abstract onRequest(req: Req): void;

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.session.close();
  }
}
