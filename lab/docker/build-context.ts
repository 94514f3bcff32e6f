// A Docker build context as the docker CLI makes it: every file under the directory, minus what .dockerignore
// excludes (Docker's own pattern rules, via @balena/dockerignore as dockerode uses them), packed as a tar.
import { lstatSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import DockerIgnore from '@balena/dockerignore';

export interface ContextEntry {
  /** Relative path with '/' separators; directories end in '/'. */
  readonly path: string;
  readonly kind: 'file' | 'dir' | 'symlink';
  readonly size: number;
  readonly mode: number;
}

export interface BuildContext {
  readonly dir: string;
  /** What is sent (files, dirs, symlinks). */
  readonly entries: readonly ContextEntry[];
  /** What .dockerignore kept out. */
  readonly ignored: readonly ContextEntry[];
  /** Whether a .dockerignore was read. */
  readonly dockerignore: boolean;
  readonly files: number;
  readonly bytes: number;
}

function walk(dir: string, rel = ''): ContextEntry[] {
  const out: ContextEntry[] = [];
  for (const name of readdirSync(join(dir, rel)).sort()) {
    const path = rel + name;
    const st = lstatSync(join(dir, path));
    if (st.isSymbolicLink()) out.push({ path, kind: 'symlink', size: 0, mode: st.mode & 0o7777 });
    else if (st.isDirectory()) {
      out.push({ path: path + '/', kind: 'dir', size: 0, mode: st.mode & 0o7777 });
      out.push(...walk(dir, path + '/'));
    } else if (st.isFile()) out.push({ path, kind: 'file', size: st.size, mode: st.mode & 0o7777 });
  }
  return out;
}

// The context of `docker build DIR`, honouring DIR/.dockerignore unless useIgnore is false.
export function readBuildContext(dir: string, useIgnore = true): BuildContext {
  const all = walk(dir);
  let rules: string | null = null;
  if (useIgnore) {
    try {
      rules = readFileSync(join(dir, '.dockerignore'), 'utf8');
    } catch {
      rules = null;
    }
  }
  // The package is CommonJS with a `default` on the factory; under NodeNext types that is `.default`.
  const ig = rules !== null ? DockerIgnore.default({ ignorecase: false }).add(rules) : null;
  // A directory's exclusion carries to everything under it, as in Docker (unless a '!' rule brings a file back).
  const kept = (e: ContextEntry): boolean => !ig || !ig.ignores(e.path.replace(/\/$/, ''));
  const entries = all.filter(kept);
  const ignored = all.filter((e) => !kept(e));
  const files = entries.filter((e) => e.kind !== 'dir');
  return {
    dir, entries, ignored, dockerignore: rules !== null,
    files: files.length, bytes: files.reduce((n, e) => n + e.size, 0),
  };
}

// "3 files, 1.2 KB" for messages.
export function describeContext(c: BuildContext): string {
  return `${c.files} file${c.files === 1 ? '' : 's'}, ${formatBytes(c.bytes)}`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

// One 512-byte ustar header.
function header(name: string, size: number, mode: number, type: '0' | '2' | '5', link = ''): Buffer {
  const h = Buffer.alloc(512);
  let prefix = '';
  let base = name;
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf('/', name.length - 2);
    prefix = name.slice(0, cut);
    base = name.slice(cut + 1);
    if (Buffer.byteLength(base) > 100 || Buffer.byteLength(prefix) > 155) throw new Error(`build context: path too long for tar: ${name}`);
  }
  const oct = (v: number, len: number): string => v.toString(8).padStart(len - 1, '0') + '\0';
  h.write(base, 0);
  h.write(oct(mode, 8), 100);
  h.write(oct(0, 8), 108);
  h.write(oct(0, 8), 116);
  h.write(oct(size, 12), 124);
  h.write(oct(Math.floor(Date.now() / 1000), 12), 136);
  h.write('        ', 148);
  h.write(type, 156);
  h.write(link, 157);
  h.write('ustar\0', 257);
  h.write('00', 263);
  h.write(prefix, 345);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  return h;
}

// The context as a tar archive; `replace` swaps a file's content (the lab's FROM mapping of the Dockerfile).
export function packContext(c: BuildContext, replace: ReadonlyMap<string, string> = new Map()): Buffer {
  const parts: Buffer[] = [];
  for (const e of c.entries) {
    const abs = join(c.dir, e.path);
    if (e.kind === 'dir') parts.push(header(e.path, 0, e.mode, '5'));
    else if (e.kind === 'symlink') parts.push(header(e.path, 0, 0o777, '2', readlinkSync(abs)));
    else {
      const body = replace.has(e.path) ? Buffer.from(replace.get(e.path)!) : readFileSync(abs);
      parts.push(header(e.path, body.length, e.mode, '0'), body);
      if (body.length % 512) parts.push(Buffer.alloc(512 - (body.length % 512)));
    }
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}
