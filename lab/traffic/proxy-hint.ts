// After `lab up`, only the apps run: a request to the document's proxy port finds nothing. Instead of a dead end,
// say how to put a proxy in front of them: `lab proxy` on the document's config with the right --resolve.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { UpRecord } from '../commands/up-state.ts';
import { labStateDir } from './port-map.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface ConfigShape {
  readonly bindPorts: number[];
  readonly servers: { host: string; port: number }[];
}

function shape(text: string): ConfigShape {
  const out: ConfigShape = { bindPorts: [], servers: [] };
  for (const raw of text.split('\n')) {
    const w = raw.replace(/(^|\s)#.*$/, '').trim().split(/\s+/);
    const addr = /^(?:ipv4@)?([^\s:]*):(\d+)$/.exec(w[w[0] === 'bind' ? 1 : 2] ?? '');
    if (!addr) continue;
    if (w[0] === 'bind') out.bindPorts.push(Number(addr[2]));
    if (w[0] === 'server') out.servers.push({ host: addr[1]!, port: Number(addr[2]) });
  }
  return out;
}

// The lines to print when localhost:docPort found nothing but `lab up` runs a document's apps; null otherwise.
export function proxyHint(docPort: number, env: NodeJS.ProcessEnv = process.env, records: readonly UpRecord[] = upRecords(env), root = ROOT): string[] | null {
  for (const r of records) {
    if (!alive(r.pid)) continue;
    const cfg = join(root, 'apps', r.target, 'haproxy.cfg');
    if (!existsSync(cfg)) continue;
    const s = shape(readFileSync(cfg, 'utf8'));
    if (!s.bindPorts.includes(docPort)) continue;
    const rel = relative(process.cwd(), cfg) || cfg;
    const listen = docPort < 1024 ? 8080 : docPort;
    const names = [...new Set(s.servers.map((x) => x.host).filter((h) => !/^\d+\.\d+\.\d+\.\d+$/.test(h) && h !== 'localhost'))];
    const moved = s.servers.filter((x) => !r.apps.some((a) => a.address.endsWith(`:${x.port}`)));
    const cmd = [`lab proxy -f ${rel}`, ...(listen !== docPort ? [`--map ${docPort}=${listen}`] : []), ...names.map((n) => `--resolve ${n}=127.0.0.1`)].join(' ');
    const lines = [
      `* nothing listens on localhost:${docPort}: \`lab up ${r.target}\` (pid ${r.pid}) runs only the apps (${r.apps.map((a) => `${a.name} ${a.address}`).join(', ')}).`,
      `* Put a proxy in front of them, in another shell:`,
      `*   ${cmd}`,
      `*   then: lab curl http://localhost:${listen}/`,
      `* Or tinker with it: lab play ${rel}${names.map((n) => ` --resolve ${n}=127.0.0.1`).join('')}`,
    ];
    if (moved.length > 0) lines.push(`* (the apps are not on the config's ports ${moved.map((m) => m.port).join(', ')}: start \`lab up ${r.target}\` without --port-base for that)`);
    return lines;
  }
  return null;
}

// The records `lab up` keeps in the state dir (up-state.ts), read without creating anything.
function upRecords(env: NodeJS.ProcessEnv): UpRecord[] {
  const dir = join(labStateDir(env), 'up');
  const out: UpRecord[] = [];
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  } catch {
    return out;
  }
  for (const f of files) {
    try {
      out.push(JSON.parse(readFileSync(join(dir, f), 'utf8')) as UpRecord);
    } catch {
      // a record being written or broken: not a hint
    }
  }
  return out;
}
