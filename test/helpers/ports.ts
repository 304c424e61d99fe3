/**
 * Free TCP ports for tests: bind port 0, read the port the OS chose, close. A tiny race with other
 * processes remains; tests that need a port held use `holdPort`.
 */
import { createServer, type Server } from 'node:net';

export async function freePort(host = '127.0.0.1'): Promise<number> {
  const server = await holdPort(host);
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A server holding a free port until closed (to provoke EADDRINUSE). */
export function holdPort(host = '127.0.0.1', port = 0): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => resolve(server));
  });
}
