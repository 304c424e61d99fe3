/**
 * Certificates for upstream TLS tests, made with the `openssl` command in a temporary directory: a
 * self-signed CA and leaf certificates it signs (server and client use, chosen subject alt names).
 * Keys are P-256 (fast to make). Also a TLS "server" that accepts TCP and never answers the handshake
 * (for the connect timeout).
 *
 * Example:
 *   const pki = createPki();
 *   const server = pki.issue('backend', ['DNS:backend.internal', 'IP:127.0.0.1']);
 *   await UpstreamServer.startTls('tls', { key: server.key, cert: server.cert });
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface IssuedCert {
  /** PEM. */
  cert: string;
  key: string;
  certPath: string;
  keyPath: string;
}

export interface Pki {
  readonly dir: string;
  /** The CA certificate, PEM. */
  readonly caCert: string;
  readonly caPath: string;
  /** A leaf signed by the CA, usable as a server and as a client certificate. */
  issue(commonName: string, subjectAltNames: string[]): IssuedCert;
  /** Removes the directory. */
  remove(): void;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A new CA (`CN=<name>`) in a fresh temporary directory. */
export function createPki(name = 'gloo-ts test CA'): Pki {
  const dir = mkdtempSync(join(tmpdir(), 'gloo-pki-'));
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(
    ['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '3', '-subj', `/CN=${name}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
    dir,
  );
  let serial = 0;
  return {
    dir,
    caCert: readFileSync(join(dir, 'ca.crt'), 'utf8'),
    caPath: join(dir, 'ca.crt'),
    issue(commonName, sans) {
      const base = `leaf-${++serial}`;
      writeFileSync(
        join(dir, `${base}.ext`),
        [`basicConstraints=CA:FALSE`, `keyUsage=digitalSignature,keyEncipherment`, `extendedKeyUsage=serverAuth,clientAuth`, ...(sans.length > 0 ? [`subjectAltName=${sans.join(',')}`] : [])].join('\n'),
      );
      openssl(['req', ...ec, '-keyout', `${base}.key`, '-out', `${base}.csr`, '-subj', `/CN=${commonName}`], dir);
      openssl(['x509', '-req', '-in', `${base}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-set_serial', String(1000 + serial), '-days', '2', '-out', `${base}.crt`, '-extfile', `${base}.ext`], dir);
      const certPath = join(dir, `${base}.crt`);
      const keyPath = join(dir, `${base}.key`);
      return { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8'), certPath, keyPath };
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A TCP server that accepts connections and never says anything (a TLS handshake to it hangs). */
export async function startSilentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
