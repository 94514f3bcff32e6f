// Test certificates made with the openssl command (as an admin would for HAProxy): a CA, server certificates
// as PEM files holding the chain and the key, and client certificates, all in a temp dir removed by cleanup().
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** True when an `openssl` binary runs here. */
export const hasOpenssl: boolean = spawnSync('openssl', ['version']).status === 0;

export interface TestCerts {
  readonly dir: string;
  /** The CA certificate (PEM) that signed everything below. */
  readonly caFile: string;
  /** name → a PEM file with the certificate and its key (what `crt` loads). */
  readonly pem: Record<string, string>;
  /** name → the certificate alone and the key alone (for Node servers and curl --cert/--key). */
  readonly crt: Record<string, string>;
  readonly key: Record<string, string>;
  cleanup(): void;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

// Makes a CA and one certificate per entry: servers get their name as CN and DNS SAN (plus extra SANs), clients
// a subject of their own.
export function makeCerts(servers: Record<string, { sans?: string[] }>, clients: Record<string, { subject: string }> = {}): TestCerts {
  const dir = mkdtempSync(join(tmpdir(), 'lab-certs-'));
  openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/O=Lab Test/CN=Lab Test CA']);
  const pem: Record<string, string> = {};
  const crt: Record<string, string> = {};
  const key: Record<string, string> = {};
  const issue = (name: string, subject: string, ext: string): void => {
    openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject]);
    writeFileSync(join(dir, `${name}.ext`), ext);
    openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`]);
    crt[name] = join(dir, `${name}.crt`);
    key[name] = join(dir, `${name}.key`);
    pem[name] = join(dir, `${name}.pem`);
    writeFileSync(pem[name], readFileSync(crt[name]!, 'utf8') + readFileSync(key[name]!, 'utf8'));
  };
  for (const [name, o] of Object.entries(servers)) {
    issue(name, `/CN=${name}`, `subjectAltName=${[name, ...(o.sans ?? [])].map((n) => `DNS:${n}`).join(',')}\n`);
  }
  for (const [name, o] of Object.entries(clients)) issue(name, o.subject, 'extendedKeyUsage=clientAuth\n');
  return { dir, caFile: join(dir, 'ca.pem'), pem, crt, key, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
