/**
 * Test certificates made with the `openssl` command (a real CA, real leaf certificates with SANs):
 * `makeCa('root')` then `ca.issue('server', {dns: ['a.example.com']})` or a client certificate with
 * `ca.issue('client', {dns: ['client.example.com'], client: true})`. Files live in a temp directory
 * removed at process exit; PEM strings are returned for inlining into Secrets.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

let dir: string | null = null;
function workDir(): string {
  if (dir === null) {
    const d = mkdtempSync(path.join(tmpdir(), 'gloo-certs-'));
    dir = d;
    process.on('exit', () => rmSync(d, { recursive: true, force: true }));
  }
  return dir;
}

function openssl(args: string[]): void {
  execFileSync('openssl', args, { cwd: workDir(), stdio: ['ignore', 'ignore', 'pipe'] });
}

export interface KeyPair {
  name: string;
  cert: string;
  key: string;
  certFile: string;
  keyFile: string;
}

export interface IssueOptions {
  dns?: string[];
  ips?: string[];
  uris?: string[];
  /** extendedKeyUsage clientAuth instead of serverAuth. */
  client?: boolean;
  /** Common name (default: the first DNS name or the pair's name). */
  cn?: string;
}

export interface Ca extends KeyPair {
  issue(name: string, opts?: IssueOptions): KeyPair;
}

let serial = 1;

/** A self-signed CA (EC P-256, valid one day). */
export function makeCa(name: string): Ca {
  const d = workDir();
  const keyFile = path.join(d, `${name}.key`);
  const certFile = path.join(d, `${name}.crt`);
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', keyFile]);
  openssl(['req', '-x509', '-new', '-key', keyFile, '-out', certFile, '-days', '1', '-subj', `/CN=${name}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  const ca: Ca = {
    name,
    certFile,
    keyFile,
    cert: readFileSync(certFile, 'utf8'),
    key: readFileSync(keyFile, 'utf8'),
    issue(leaf: string, opts: IssueOptions = {}): KeyPair {
      const lk = path.join(d, `${leaf}.key`);
      const lc = path.join(d, `${leaf}.crt`);
      const csr = path.join(d, `${leaf}.csr`);
      const ext = path.join(d, `${leaf}.ext`);
      const sans = [...(opts.dns ?? []).map((x) => `DNS:${x}`), ...(opts.ips ?? []).map((x) => `IP:${x}`), ...(opts.uris ?? []).map((x) => `URI:${x}`)];
      writeFileSync(
        ext,
        [
          'basicConstraints=CA:FALSE',
          `extendedKeyUsage=${opts.client ? 'clientAuth' : 'serverAuth'}`,
          ...(sans.length > 0 ? [`subjectAltName=${sans.join(',')}`] : []),
        ].join('\n') + '\n',
      );
      openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', lk]);
      openssl(['req', '-new', '-key', lk, '-out', csr, '-subj', `/CN=${opts.cn ?? opts.dns?.[0] ?? leaf}`]);
      openssl(['x509', '-req', '-in', csr, '-CA', certFile, '-CAkey', keyFile, '-set_serial', String(serial++), '-days', '1', '-out', lc, '-extfile', ext]);
      return { name: leaf, certFile: lc, keyFile: lk, cert: readFileSync(lc, 'utf8'), key: readFileSync(lk, 'utf8') };
    },
  };
  return ca;
}
