// The config as real HAProxy runs it beside the engine: the same text, line for line (so messages keep their
// line numbers), with binds on the playground's ports, servers on their loopback places, logs to stdout, and
// everything that would reach past this machine (remote peers, resolvers, mailers, rings, lua, the stats socket)
// turned into a comment. A peers section stays, so that its tables ("table SECTION/NAME") exist for haproxy too:
// its local peer listens on a port of its own on loopback (the engine has the document's), its remote peers
// are commented out, so haproxy dials none of them.
import { hostname } from 'node:os';
import type { Placement } from './placement.ts';

const DROPPED_SECTIONS = new Set(['resolvers', 'mailers', 'ring', 'program', 'log-forward']);
const SECTIONS = new Set(['global', 'defaults', 'frontend', 'backend', 'listen', 'userlist', 'cache', 'http-errors', 'peers', ...DROPPED_SECTIONS]);
// Process settings that need a system install (chroot, users), or send things elsewhere.
const DROPPED_GLOBAL = new Set(['chroot', 'user', 'group', 'uid', 'gid', 'pidfile', 'daemon', 'master-worker', 'lua-load', 'lua-load-per-thread', 'external-check', 'stats']);
const DROPPED_PROXY = new Set(['email-alert', 'external-check']);

function splitAddr(text: string): { host: string; port: number } | null {
  const m = /^(?:ipv4@|ipv6@)?(\[[^\]]*\]|[^\s:]*):(\d{1,5})$/.exec(text);
  return m ? { host: m[1]!, port: Number(m[2]) } : null;
}

/** The peers sections of a config, in order (for the ports their local peers get in the copy). */
export function peersSections(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*peers\s+(\S+)/.exec(line.replace(/(^|\s)#.*$/, ''));
    if (m) out.push(m[1]!);
  }
  return out;
}

// One line of a peers section in the copy: the local peer on its loopback port, remote peers and logs left out.
function peersLine(indent: string, word: string, words: readonly string[], line: string, localPeer: string, port: number | undefined): string {
  if (port === undefined) return `# ${line.trim()}`;
  if (word === 'peer') return words[0] === localPeer ? `${indent}peer ${words[0]} 127.0.0.1:${port}` : `# lab: not dialled beside the engine: ${line.trim()}`;
  if (word === 'server') return words[0] === localPeer ? `${indent}server ${words[0]}` : `# lab: not dialled beside the engine: ${line.trim()}`;
  if (word === 'bind') return `${indent}bind 127.0.0.1:${port}`;
  if (word === 'log') return `# lab: not run beside the engine: ${line.trim()}`;
  return line;
}

// Rewrites the config for haproxy: its binds listen on `bindPorts` (document port → port), the local peer of a
// peers section on `peerPorts` (section name → port; a section without one is left out as a comment).
export function haproxyCopy(text: string, place: Placement, bindPorts: ReadonlyMap<number, number>, peerPorts: ReadonlyMap<string, number> = new Map()): string {
  let section = '';
  let name = '';
  // HAProxy's local peer name: "localpeer" read before the section, else the host name
  let localPeer = hostname();
  return text
    .split('\n')
    .map((line) => {
      const code = line.replace(/(^|\s)#.*$/, '');
      const m = /^(\s*)(\S+)(.*)$/.exec(code);
      if (!m) return line;
      const [, indent, word, rest] = m as unknown as [string, string, string, string];
      const words = rest.trim().split(/\s+/).filter((w) => w !== '');
      if (SECTIONS.has(word)) {
        section = word;
        name = words[0] ?? '';
        if (word === 'peers' && !peerPorts.has(name)) return `# lab: not run beside the engine: ${line.trim()}`;
        return DROPPED_SECTIONS.has(word) ? `# lab: not run beside the engine: ${line.trim()}` : line;
      }
      if (DROPPED_SECTIONS.has(section)) return `# ${line.trim()}`;
      if (section === 'peers') return peersLine(indent, word, words, line, localPeer, peerPorts.get(name));
      if (section === 'global' && word === 'localpeer' && words[0]) localPeer = words[0];
      if (section === 'global' && DROPPED_GLOBAL.has(word)) return `# lab: not run beside the engine: ${line.trim()}`;
      if (DROPPED_PROXY.has(word) || (word === 'option' && words[0] === 'external-check')) return `# lab: not run beside the engine: ${line.trim()}`;
      if (word === 'log' && words[0] && !['global', 'stdout', 'stderr'].includes(words[0]) && !words[0].startsWith('fd@')) {
        return `${indent}log stdout format raw ${keepLogWords(words.slice(1)).join(' ')}`.trimEnd();
      }
      if (word === 'bind' && words[0] && (section === 'frontend' || section === 'listen')) {
        const addrs = words[0].split(',').map((a) => {
          const s = splitAddr(a);
          const port = s ? bindPorts.get(s.port) : undefined;
          return port !== undefined ? `127.0.0.1:${port}` : a;
        });
        return `${indent}bind ${[addrs.join(','), ...words.slice(1)].join(' ')}`;
      }
      if (word === 'server' && words[0] && words[1] && (section === 'backend' || section === 'listen')) {
        const p = place.servers.find((s) => s.backend === name && s.server === words[0]);
        if (!p) return line;
        const opts = words.slice(2);
        const out: string[] = [];
        for (let i = 0; i < opts.length; i++) {
          const o = opts[i]!;
          // checks and agents go where the engine sends them: to the server's own place
          if (o === 'addr' || o === 'port' || o === 'agent-addr') {
            i++;
            continue;
          }
          if (o === 'resolvers') {
            i++;
            continue;
          }
          out.push(o);
        }
        return `${indent}server ${words[0]} ${p.host}:${p.port}${out.length ? ' ' + out.join(' ') : ''}`;
      }
      if (word === 'default-server') {
        const out: string[] = [];
        for (let i = 0; i < words.length; i++) {
          if (words[i] === 'addr' || words[i] === 'port' || words[i] === 'agent-addr' || words[i] === 'resolvers') i++;
          else out.push(words[i]!);
        }
        return `${indent}default-server ${out.join(' ')}`.trimEnd();
      }
      return line;
    })
    .join('\n');
}

// A log line's words after its target, without the framing options raw output does not use.
function keepLogWords(words: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    if (words[i] === 'len' || words[i] === 'format' || words[i] === 'sample') i++;
    else out.push(words[i]!);
  }
  return out;
}

/** Every address the copy would make haproxy reach: server places, log targets (for the no-packet test). */
export function outboundAddresses(copy: string): string[] {
  const out: string[] = [];
  for (const line of copy.split('\n')) {
    const code = line.replace(/(^|\s)#.*$/, '').trim();
    const w = code.split(/\s+/);
    if (w[0] === 'server' && w[2]) out.push(w[2]);
    if (w[0] === 'log' && w[1] && w[1] !== 'global') out.push(w[1]);
    for (let i = 0; i + 1 < w.length; i++) if (w[0] === 'server' && (w[i] === 'addr' || w[i] === 'agent-addr')) out.push(w[i + 1]!);
    if (w[0] === 'nameserver' || w[0] === 'peer' || w[0] === 'mailer') out.push(w[2] ?? '');
  }
  return out;
}
