// Certificates as HAProxy's "crt" and "crt-list" load them (src/ssl_ckch.c, src/ssl_crtlist.c): a PEM file with
// the chain and its key (or the key beside it in FILE.key), a directory of such files in name order, or a list
// file of "cert [ssl options] [sni filters]" lines. Messages are HAProxy's.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { CertEntry } from './model.ts';

export type CertLoad = { readonly ok: true; readonly entries: CertEntry[]; readonly warnings: string[] } | { readonly ok: false; readonly error: string };

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;
const KEY_BLOCK = /-----BEGIN (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----[\s\S]*?-----END (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----/;
/** Files a certificate directory holds beside the certificates, which HAProxy does not load as certificates. */
const SIDE_FILES = ['.issuer', '.ocsp', '.sctl', '.key'];

function errnoText(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'No such file or directory';
  if (code === 'EACCES') return 'Permission denied';
  if (code === 'ENOTDIR') return 'Not a directory';
  return (err as Error).message;
}

// The names a certificate answers for SNI: its DNS subjectAltNames and its CN, lower-cased (HAProxy indexes both).
export function certNames(cert: X509Certificate): string[] {
  const names: string[] = [];
  for (const part of (cert.subjectAltName ?? '').split(',')) {
    const t = part.trim();
    if (t.startsWith('DNS:')) names.push(t.slice(4).toLowerCase());
  }
  for (const line of cert.subject.split('\n')) {
    if (line.startsWith('CN=')) {
      const cn = line.slice(3).toLowerCase();
      if (!names.includes(cn)) names.push(cn);
    }
  }
  return names;
}

// One PEM file: its certificate chain and private key (from the file, else from FILE.key).
export function loadCertFile(path: string, filters?: { names: string[]; excluded: string[] }): CertLoad {
  let text: string;
  try {
    text = readFileSync(path, 'latin1');
  } catch (err) {
    return { ok: false, error: `unable to stat SSL certificate from file '${path}' : ${errnoText(err)}.` };
  }
  const certs = text.match(CERT_BLOCK);
  if (!certs) return { ok: false, error: `unable to load certificate from file '${path}'.` };
  let key = KEY_BLOCK.exec(text)?.[0];
  if (!key) {
    try {
      key = KEY_BLOCK.exec(readFileSync(`${path}.key`, 'latin1'))?.[0];
    } catch {
      key = undefined;
    }
    if (!key) return { ok: false, error: `No Private Key found in '${path}.key'.` };
  }
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(certs[0]);
    if (!leaf.checkPrivateKey(createPrivateKey(key))) throw new Error('mismatch');
  } catch (err) {
    if ((err as Error).message === 'mismatch') return { ok: false, error: `inconsistencies between private key and certificate loaded '${path}'.` };
    return { ok: false, error: `unable to load certificate from file '${path}'.` };
  }
  const entry: CertEntry = {
    file: path,
    certPem: certs.join('\n') + '\n',
    keyPem: key + '\n',
    names: filters && filters.names.length > 0 ? filters.names : certNames(leaf),
    excluded: filters?.excluded ?? [],
  };
  return { ok: true, entries: [entry], warnings: [] };
}

// "crt PATH": a file, or every certificate file of a directory in name order (as scandir with alphasort).
export function loadCertLocation(path: string): CertLoad {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch (err) {
    return { ok: false, error: `unable to stat SSL certificate from file '${path}' : ${errnoText(err)}.` };
  }
  if (!isDir) return loadCertFile(path);
  const entries: CertEntry[] = [];
  const dir = path.replace(/\/+$/, '');
  const names = readdirSync(dir).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const name of names) {
    const dot = name.lastIndexOf('.');
    if (dot >= 0 && SIDE_FILES.includes(name.slice(dot))) continue;
    const file = join(dir, name);
    try {
      if (!statSync(file).isFile()) continue;
    } catch {
      continue;
    }
    const one = loadCertFile(file);
    if (!one.ok) return one;
    entries.push(...one.entries);
  }
  return { ok: true, entries, warnings: [] };
}

// "crt-list FILE": one certificate per line, with optional [ssl options] and SNI filters ("!name" excludes).
export function loadCrtList(listPath: string, resolveCrt: (p: string) => string): CertLoad {
  let text: string;
  try {
    text = readFileSync(listPath, 'utf8');
  } catch (err) {
    return { ok: false, error: `cannot open file '${listPath}' : ${errnoText(err)}` };
  }
  const entries: CertEntry[] = [];
  const warnings: string[] = [];
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.replace(/#.*$/, '').trim();
    if (line === '') continue;
    const bracket = /\[([^\]]*)\]/.exec(line);
    const rest = bracket ? line.slice(0, bracket.index) + ' ' + line.slice(bracket.index + bracket[0].length) : line;
    const words = rest.split(/\s+/).filter((w) => w !== '');
    const crt = words.shift();
    if (crt === undefined) continue;
    if (bracket && bracket[1]!.trim() !== '') {
      warnings.push(`crt-list '${listPath}' line ${n + 1}: the per-certificate options [${bracket[1]!.trim()}] are not supported by HAProxy Lab yet and are ignored.`);
    }
    const filters = { names: [] as string[], excluded: [] as string[] };
    for (const w of words) {
      if (w.startsWith('!')) filters.excluded.push(w.slice(1).toLowerCase());
      else filters.names.push(w.toLowerCase());
    }
    const one = loadCertLocation(resolveCrt(crt));
    if (!one.ok) return { ok: false, error: `${one.error.replace(/\.$/, '')} (${listPath}:${n + 1}).` };
    for (const e of one.entries) entries.push(filters.names.length > 0 || filters.excluded.length > 0 ? { ...e, names: filters.names.length > 0 ? filters.names : e.names, excluded: filters.excluded } : e);
  }
  return { ok: true, entries, warnings };
}
