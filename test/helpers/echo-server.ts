/**
 * A real upstream HTTP server for end-to-end tests: answers every request with JSON describing it
 * (`server`, `method`, `path`, `headers`, `bodyLength`). `?delay=MS` delays the answer;
 * `?status=N` sets the status.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EchoServer {
  port: number;
  requests: number;
  close(): Promise<void>;
}

export async function startEchoServer(name: string, host = '127.0.0.1'): Promise<EchoServer> {
  const state = { requests: 0 };
  const server = http.createServer((req, res) => {
    state.requests++;
    let bodyLength = 0;
    req.on('data', (c: Buffer) => (bodyLength += c.length));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const delay = Number(url.searchParams.get('delay') ?? 0);
      const status = Number(url.searchParams.get('status') ?? 200);
      const answer = () => {
        const body = JSON.stringify({ server: name, method: req.method, path: req.url, headers: req.headers, bodyLength });
        res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      };
      if (delay > 0) setTimeout(answer, delay);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return {
    port: (server.address() as AddressInfo).port,
    get requests() {
      return state.requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
