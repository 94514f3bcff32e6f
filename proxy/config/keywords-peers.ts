// "peers" sections (cfg_parse_peers() in src/cfgparse.c): the peers of a section, which of them is this process
// (the local peer, named by -L, `localpeer` or the host name), where it listens, and the tables declared there,
// named "SECTION/TABLE". The sync itself runs in proxy/peers/.
import type { SourceLoc } from './diagnostics.ts';
import type { LineContext } from './context.ts';
import { parseAddress } from './address.ts';
import type { PeerSpec, PeersSpec } from './model.ts';
import { parseStickTable, type StickTableSpec } from '../stick/table-spec.ts';

export interface PeersDraft {
  readonly name: string;
  readonly loc: SourceLoc;
  readonly peers: PeerSpec[];
  readonly tables: StickTableSpec[];
  disabled: boolean;
  /** A "bind" or local "peer" line made the section's frontend (HAProxy's peers_fe): where it listens. */
  listen?: { host: string; port: number; loc: SourceLoc };
  /** Any line but the header creates the section's frontend; without it the section has no local peer at all. */
  hasFrontend: boolean;
  /** Which form the section uses: "peer" lines, or "bind" + "server" lines (mixing them is refused). */
  form?: 'peer' | 'bind';
}

export function newPeers(name: string, loc: SourceLoc): PeersDraft {
  return { name, loc, peers: [], tables: [], disabled: false, hasFrontend: false };
}

export function freezePeers(p: PeersDraft, localPeer: string): PeersSpec {
  const local = p.peers.find((x) => x.local);
  return {
    name: p.name,
    loc: p.loc,
    peers: [...p.peers],
    tables: [...p.tables],
    disabled: p.disabled,
    localPeer,
    hasFrontend: p.hasFrontend,
    ...(local && p.listen ? { listen: { host: p.listen.host, port: p.listen.port } } : {}),
    complete: !p.disabled && local !== undefined && local.name !== '',
  };
}

/** The stick tables declared so far, for the name conflicts HAProxy checks on each new table. */
export interface DeclaredTable {
  readonly name: string;
  readonly where: string;
  readonly loc: SourceLoc;
}

// One line inside a peers section.
export function parsePeersLine(c: LineContext, p: PeersDraft, localPeer: string, declared: DeclaredTable[]): void {
  const kw = c.arg(0);
  switch (kw) {
    case 'peer':
    case 'server': {
      p.hasFrontend = true;
      const name = c.arg(1);
      const isLocal = name === localPeer;
      if (kw === 'peer') {
        if (p.form === 'bind') {
          c.alert(`mixing "peer" and "bind" line is forbidden`);
          return;
        }
        p.form = 'peer';
      }
      const known = p.peers.find((x) => x.local);
      if (known && known.name === '' && isLocal) {
        // the local peer was started by a "bind" line: this line names it
        (known as { name: string }).name = name;
        return;
      }
      if (isLocal && known) {
        c.alert(`'${kw} ${name}' : local peer name already referenced at ${known.loc.file}:${known.loc.line}. ${known.name}`);
        return;
      }
      if (name === '') {
        c.alert(`'${kw}' expects <name> and <addr>[:<port>] as arguments.`);
        return;
      }
      // the address is read on "peer" lines, and on "server" lines of remote peers
      const addrText = c.arg(2);
      let address: { host: string; port: number } | undefined;
      if (addrText !== '' && (kw === 'peer' || !isLocal)) {
        const a = parseAddress(addrText, { keyword: kw, portRequired: false, allowPortZero: false, env: c.state.env });
        if (!a.ok) {
          c.alert(`'${kw} ${name}' : ${'error' in a ? a.error : `${a.unsupported} are not supported by HAProxy Lab`}`);
          return;
        }
        address = { host: a.host ?? '0.0.0.0', port: a.port };
      }
      for (const w of c.args.slice(3)) {
        if (w.text === 'check' || w.text === 'agent-check' || w.text === 'init-addr' || w.text === 'resolvers') {
          c.warn(`'${kw} ${name}' : init_addr, resolvers, check and agent are ignored for peers.`);
          break;
        }
      }
      p.peers.push({ name, local: isLocal, loc: c.loc, ...(address ? { address } : {}) });
      if (isLocal && kw === 'peer' && address) {
        if (p.listen) {
          c.alert(`One listener per "peers" section is authorized but another is already configured at [${p.listen.loc.file}:${p.listen.loc.line}].`);
          return;
        }
        p.listen = { ...address, loc: c.loc };
      }
      return;
    }
    case 'bind':
    case 'default-bind': {
      p.hasFrontend = true;
      if (kw === 'default-bind') return;
      if (p.form === 'peer') {
        c.alert(`mixing "peer" and "bind" line is forbidden`);
        return;
      }
      p.form = 'bind';
      if (p.listen) {
        c.alert(`One listener per "peers" section is authorized but another is already configured at [${p.listen.loc.file}:${p.listen.loc.line}].`);
        return;
      }
      const a = parseAddress(c.arg(1), { keyword: 'bind', portRequired: true, allowPortZero: false, env: c.state.env });
      if (!a.ok) {
        c.alert(`'${kw} ${c.arg(1)}' : ${'error' in a ? a.error : `${a.unsupported} are not supported by HAProxy Lab`}`);
        return;
      }
      p.listen = { host: a.host ?? '0.0.0.0', port: a.port, loc: c.loc };
      // the local peer, not named yet: its "server" line names it
      if (!p.peers.some((x) => x.local)) p.peers.push({ name: '', local: true, loc: c.loc, address: { host: p.listen.host, port: p.listen.port } });
      return;
    }
    case 'table': {
      p.hasFrontend = true;
      const other = declared.find((t) => t.name === c.arg(1));
      if (other) {
        c.alert(`stick-table name '${c.arg(1)}' conflicts with table declared in ${other.where} at ${other.loc.file}:${other.loc.line}.`);
        return;
      }
      const words = c.args.map((w) => w.text);
      const r = parseStickTable(['table', ...words.slice(2)], `${p.name}/${c.arg(1)}`, c.loc, 'peers');
      if ('error' in r) {
        c.alert(r.error, r.tight ? { form: 'parsing-tight' } : {});
        return;
      }
      for (const w of r.warnings) c.warn(w, { form: 'parsing-tight' });
      p.tables.push(r.table);
      // HAProxy's table id is the whole name: a later proxy named like the bare table does not conflict
      declared.push({ name: r.table.name, where: `peers '${p.name}'`, loc: c.loc });
      return;
    }
    case 'disabled':
      p.disabled = true;
      return;
    case 'enabled':
      p.disabled = false;
      return;
    case 'default-server':
    case 'log':
      p.hasFrontend = true;
      return;
    default:
      c.alert(`unknown keyword '${kw}' in 'peers' section`);
  }
}
