// Reads tokenized lines section by section, as HAProxy 2.6's readcfgfile() + cfg_parse_listen() do: section
// headers, "defaults NAME" / "from NAME" inheritance, the "no"/"default" modifiers, and every error collected.
import type { ErrorfilesRef } from '../http/actions/http-reply.ts';
import { openHttpErrors, parseHttpErrorsLine } from './keywords-errors.ts';
import type { HttpErrorsDraft } from './draft.ts';
import { createAclRegistry, type AclRegistry } from '../acl/index.ts';
import { LineContext, ProxyLineContext, proxyTypeStr, type KeywordModifier, type ParseState } from './context.ts';
import type { Diagnostic, SourceLoc } from './diagnostics.ts';
import { inheritDraft, newGlobalDraft, newProxyDraft, type GlobalDraft, type ProxyDraft, type ProxyKind } from './draft.ts';
import { parseGlobalLine } from './keywords-global.ts';
import { invalidChar, parseProxyLine } from './keywords-proxy.ts';
import { Directives } from './directives.ts';
import { tokenize, type ConfigLine } from './tokenize.ts';
import { PatternRefs } from '../acl/pattern-refs.ts';
import { freezePeers, newPeers, parsePeersLine, type PeersDraft } from './keywords-peers.ts';
import { newResolvers, parseResolversLine, type ResolversDraft } from './keywords-resolvers.ts';
import { closeCache, openCache, parseCacheLine, type CacheDraft } from '../cache/cache-section.ts';
import { checkCacheReferences } from '../cache/cache-actions.ts';

export interface ConfigText {
  /** The name used in messages (a path as given, or an editor buffer's name). */
  readonly name: string;
  readonly text: string;
  /** Real files must end with a line feed (HAProxy alerts otherwise); editor buffers need not. */
  readonly isFile: boolean;
}

export interface ParseOptions {
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Where relative paths in the config are read from. */
  readonly baseDir?: string;
  /** The references to register pattern files in (a fresh set by default). */
  readonly patterns?: PatternRefs;
  /** HAProxy's -L: the local peer name (default: the host name, or the global `localpeer`). */
  readonly localPeer?: string;
}

export interface ParseOutput {
  readonly global: GlobalDraft;
  /** http-errors sections, and the replies that name one. */
  readonly httpErrors?: readonly HttpErrorsDraft[];
  readonly errorfilesRefs?: readonly ErrorfilesRef[];
  /** frontend, backend and listen sections in declaration order. */
  readonly proxies: readonly ProxyDraft[];
  readonly defaults: readonly ProxyDraft[];
  readonly diagnostics: Diagnostic[];
  /** Pattern files and ACL patterns (HAProxy's pattern references), shared by ACLs, maps and the runtime API. */
  readonly patterns: PatternRefs;
}

const PROXY_SECTIONS = new Set(['frontend', 'backend', 'listen', 'defaults']);
/** Other HAProxy 2.6 sections: valid, but nothing the lab runs. */
const OTHER_SECTIONS = new Set(['userlist', 'mailers', 'program', 'ring', 'log-forward', 'fcgi-app']);
/** Keywords that accept the "no"/"default" modifiers (readcfgfile()). */
const MODIFIABLE = new Set(['option', 'log', 'busy-polling', 'set-dumpable', 'strict-limits', 'insecure-fork-wanted', 'numa-cpu-mapping']);

type Section =
  | { kind: 'none' }
  | { kind: 'global' }
  | { kind: 'other'; name: string }
  | { kind: 'resolvers'; draft: ResolversDraft | null }
  | { kind: 'peers'; draft: PeersDraft | null }
  | { kind: 'http-errors'; draft: HttpErrorsDraft | null }
  | { kind: 'cache'; draft: CacheDraft | null }
  /** A proxy header HAProxy refused before creating the proxy: its lines have no proxy to go to. */
  | { kind: 'orphan' }
  | { kind: 'proxy'; draft: ProxyDraft; acls: AclRegistry };

// Parses the config texts in order (several -f files behave as one long file, sections reset per file).
export function parseConfig(texts: readonly ConfigText[], options: ParseOptions = {}): ParseOutput {
  const patterns = options.patterns ?? new PatternRefs(options.baseDir ?? process.cwd());
  return parseTexts(texts, options, patterns);
}

function parseTexts(texts: readonly ConfigText[], options: ParseOptions, patterns: PatternRefs): ParseOutput {
  const diagnostics: Diagnostic[] = [];
  const env = options.env ?? process.env;
  const errorfilesRefs: ErrorfilesRef[] = [];
  const httpErrors: HttpErrorsDraft[] = [];
  const state: ParseState = { diagnostics, global: newGlobalDraft(), baseDir: options.baseDir ?? process.cwd(), env, errorfilesRefs, notes: new Set(), patterns, tables: [] };
  if (options.localPeer !== undefined) {
    state.global.localPeer = options.localPeer;
    state.global.localPeerFromCmdline = true;
  }
  const peersDrafts: PeersDraft[] = [];
  const cacheDrafts: CacheDraft[] = [];
  const proxies: ProxyDraft[] = [];
  const defaults: ProxyDraft[] = [];
  let lastDefaults: ProxyDraft | undefined;

  // A fetch or converter HAProxy has and the engine lacks loads (as HAProxy accepts it) but never silently.
  // A line refused for another reason says only that, as HAProxy does.
  const warnLacking = (loc: SourceLoc, before: number): void => {
    const notes = [...state.notes];
    state.notes.clear();
    if (diagnostics.slice(before).some((d) => d.severity === 'alert')) return;
    for (const what of notes) {
      diagnostics.push({ severity: 'warning', message: `${what} is not supported by HAProxy Lab yet: it gives no sample.`, loc });
    }
  };
  const alertAt = (loc: SourceLoc, message: string, form?: Diagnostic['form']): void => {
    diagnostics.push({ severity: 'alert', message, loc, ...(form ? { form } : {}) });
  };

  // The section a header opens, or null when HAProxy refuses the header without creating a proxy.
  const openProxy = (line: ConfigLine, kind: ProxyKind): Section | null => {
    const w = line.words;
    const a = (i: number): string => w[i]?.text ?? '';
    const loc = w[0]!.loc;
    if (kind === 'defaults') {
      // "defaults", "defaults NAME", "defaults NAME from OTHER", "defaults from OTHER".
      let name = a(1);
      let fromAt = 2;
      if (a(1) === 'from' && a(2) !== '' && a(3) === '') {
        name = '';
        fromAt = 1;
      }
      let base: ProxyDraft | undefined;
      if (a(fromAt) === 'from') base = findDefaults(a(fromAt + 1), 'defaults', name, loc);
      if (base) checkInheritance(base, 'defaults', true, loc);
      const draft = base ? inheritDraft('defaults', name, loc, base) : newProxyDraft('defaults', name, loc);
      if (!base) delete draft.defaultsFrom;
      defaults.push(draft);
      lastDefaults = draft;
      return { kind: 'proxy', draft, acls: createAclRegistry() };
    }
    const name = a(1);
    if (name === '') {
      alertAt(loc, `'${kind}' expects an <id> argument`);
      // Keep reading its lines (to report their errors) into a section that is not part of the model.
      return { kind: 'proxy', draft: newProxyDraft(kind, '', loc), acls: createAclRegistry() };
    }
    const bad = invalidChar(name);
    if (bad) alertAt(loc, `character '${bad}' is not permitted in '${kind}' name '${name}'.`);
    const isFe = kind !== 'backend';
    const clash = proxies.find((p) => p.name === name && (isFe ? p.kind !== 'backend' : p.kind !== 'frontend'));
    if (clash) {
      alertAt(
        loc,
        `Parsing [${loc.file}:${loc.line}]: ${proxyTypeStr(kind)} '${name}' has the same name as ${proxyTypeStr(clash.kind)} '${name}' declared at ${clash.loc.file}:${clash.loc.line}.`,
        'plain',
      );
    }
    let base = lastDefaults;
    let explicit = false;
    if (a(2) !== '') {
      if (a(2) !== 'from' || a(3) === '') {
        // HAProxy gives up on the header here (and only explains itself for sections that listen).
        alertAt(loc, kind !== 'backend' ? `please use the 'bind' keyword for listening addresses.` : `'${kind}' cannot handle unexpected argument '${a(2)}'.`);
        return null;
      }
      if (a(4) !== '') {
        alertAt(loc, `'${kind}' cannot handle unexpected argument '${a(4)}'.`);
        return null;
      }
      base = findDefaults(a(3), kind, name, loc);
      explicit = true;
    }
    if (base) checkInheritance(base, kind, explicit, loc);
    const draft = base ? inheritDraft(kind, name, loc, base) : newProxyDraft(kind, name, loc);
    if (!clash) proxies.push(draft);
    return { kind: 'proxy', draft, acls: createAclRegistry() };
  };

  // How each defaults section has been used so far (HAProxy's PR_FL_EXPLICIT_REF / IMPLICIT_REF and its cap).
  const usage = new Map<ProxyDraft, { explicit: boolean; implicit: boolean; side?: 'frontend' | 'backend' }>();
  // HAProxy's sanity checks on a defaults section that defines tcp/http rules (cfg_parse_listen()).
  const checkInheritance = (base: ProxyDraft, kind: ProxyKind, explicit: boolean, loc: SourceLoc): void => {
    const u = usage.get(base) ?? { explicit: false, implicit: false };
    usage.set(base, u);
    if (explicit) u.explicit = true;
    else u.implicit = true;
    if (u.explicit && u.implicit) {
      diagnostics.push({
        severity: 'warning',
        message: `defaults section '${base.name}' (declared at ${base.loc.file}:${base.loc.line}) is explicitly referenced by another proxy and implicitly used here. To avoid any ambiguity don't mix both usage. Add a last defaults section not explicitly used or always use explicit references.`,
        loc,
      });
    }
    const hasRules = base.httpRequestRules.length + base.httpResponseRules.length + base.httpAfterResponseRules.length + base.tcpRequestRules.length + base.tcpResponseRules.length > 0;
    if (!hasRules) return;
    const at = `(defaults section at ${base.loc.file}:${base.loc.line})`;
    if (kind === 'defaults') {
      alertAt(loc, `a defaults section cannot inherit from a defaults section defining TCP/HTTP rules ${at}.`, 'parsing-tight');
    } else if (kind === 'listen') {
      alertAt(loc, 'a listen section cannot inherit from a defaults section defining TCP/HTTP rules.', 'parsing-tight');
    } else if (u.side !== undefined && u.side !== kind) {
      alertAt(loc, `frontends and backends cannot inherit from the same defaults section if it defines TCP/HTTP rules ${at}.`, 'parsing-tight');
    } else if (kind === 'backend' && base.tcpRequestRules.some((r) => r.stage === 'connection' || r.stage === 'session')) {
      alertAt(loc, `a backend section cannot inherit from a defaults section defining 'tcp-request connection' or 'tcp-request session' rules ${at}.`, 'parsing-tight');
    } else if (kind === 'frontend' && base.tcpResponseRules.length > 0) {
      alertAt(loc, `a frontend section cannot inherit from a defaults section defining 'tcp-response content' rules ${at}.`, 'parsing-tight');
    } else {
      u.side = kind;
    }
  };

  const findDefaults = (ref: string, kind: string, name: string, loc: SourceLoc): ProxyDraft | undefined => {
    const found = defaults.filter((d) => d.name === ref && ref !== '');
    if (found.length === 0) {
      alertAt(loc, `defaults section '${ref}' not found for ${proxyTypeStr(kind as ProxyKind)} '${name}'.`);
      return undefined;
    }
    // HAProxy's name lookup finds the first section of that name.
    if (found.length > 1) {
      const [x, y] = [found[0]!, found[1]!];
      alertAt(
        loc,
        `ambiguous defaults section name '${ref}' referenced by ${proxyTypeStr(kind as ProxyKind)} '${name}' exists at least at ${x.loc.file}:${x.loc.line} and ${y.loc.file}:${y.loc.line}.`,
      );
    }
    return found[0];
  };

  // HAProxy keeps its current proxy across a refused header (even across files): later lines still go to it.
  let lastProxy: Section | undefined;
  for (const src of texts) {
    const tok = tokenize(src.text, src.name, { env, requireFinalNewline: src.isFile });
    // Line-syntax errors are reported in line order among the keyword messages, as HAProxy reads line by line.
    const pending = [...tok.diagnostics];
    const flushUpTo = (line: number): void => {
      while (pending.length > 0 && (pending[0]!.loc?.line ?? 0) <= line) diagnostics.push(pending.shift()!);
    };
    let section: Section = { kind: 'none' };
    const directives = new Directives(diagnostics, env);
    for (const line of tok.lines) {
      flushUpTo(line.line);
      patterns.site = { file: src.name, line: line.line };
      if (line.words[0]!.text.startsWith('.')) {
        directives.handle(line.words);
        continue;
      }
      if (directives.masked) continue;
      let words = line.words;
      let kwm: KeywordModifier = 'std';
      if (words[0]!.text === 'no' || words[0]!.text === 'default') {
        kwm = words[0]!.text === 'no' ? 'no' : 'default';
        words = words.slice(1);
        const kw = words[0]?.text ?? '';
        if (!MODIFIABLE.has(kw)) {
          alertAt(
            line.words[0]!.loc,
            'negation/default currently supported only for options, log, busy-polling, set-dumpable, strict-limits, insecure-fork-wanted and numa-cpu-mapping.',
            'parsing-tight',
          );
        }
        if (words.length === 0) words = [{ text: '', loc: line.words[0]!.loc }];
      }
      const kw = words[0]!.text;
      if (kw === 'global') {
        section = { kind: 'global' };
        if (words.length > 1) {
          new LineContext(line, words, kwm, state).tooManyArgs(0);
        }
        continue;
      }
      if (PROXY_SECTIONS.has(kw)) {
        const opened = openProxy({ ...line, words }, kw as ProxyKind);
        section = opened ?? lastProxy ?? { kind: 'orphan' };
        if (opened) lastProxy = opened;
        continue;
      }
      if (kw === 'resolvers') {
        const name = words[1]?.text ?? '';
        const loc = words[0]!.loc;
        let draft: ResolversDraft | null = null;
        const bad = /[^A-Za-z0-9_.:-]/.exec(name);
        const dup = state.global.resolvers.get(name);
        if (name === '') alertAt(loc, 'missing name for resolvers section.', 'parsing-tight');
        else if (bad) alertAt(loc, `character '${bad[0]}' is not permitted in 'resolvers' name '${name}'.`, 'parsing-tight');
        else if (dup) alertAt(loc, `Parsing [${loc.file}:${loc.line}]: resolvers '${name}' has same name as another resolvers (declared at ${dup.loc.file}:${dup.loc.line}).`, 'plain');
        else {
          draft = newResolvers(name, loc);
          state.global.resolvers.set(name, draft);
        }
        section = { kind: 'resolvers', draft };
          continue;
        }
      if (kw === 'peers') {
        const name = words[1]?.text ?? '';
        const loc = words[0]!.loc;
        state.global.peersSeen = true;
        let draft: PeersDraft | null = null;
        const bad = /[^A-Za-z0-9_.:-]/.exec(name);
        const dup = peersDrafts.find((x) => x.name === name);
        if (name === '') alertAt(loc, 'missing name for peers section.');
        else if (new LineContext(line, words, kwm, state).tooManyArgs(1)) draft = null;
        else if (bad) alertAt(loc, `character '${bad[0]}' is not permitted in 'peers' name '${name}'.`);
        else {
          if (dup) alertAt(loc, `Parsing [${loc.file}:${loc.line}]: peers section '${name}' has the same name as another peers section declared at ${dup.loc.file}:${dup.loc.line}.`, 'plain');
          draft = newPeers(name, loc);
          peersDrafts.push(draft);
        }
        section = { kind: 'peers', draft };
        continue;
      }
      if (kw === 'cache') {
        const draft = openCache(new LineContext(line, words, kwm, state), cacheDrafts);
        if (draft) cacheDrafts.push(draft);
        section = { kind: 'cache', draft };
        continue;
      }
      if (kw === 'http-errors') {
        const draft = openHttpErrors(new LineContext(line, words, kwm, state), httpErrors);
        if (draft) httpErrors.push(draft);
        section = { kind: 'http-errors', draft };
        continue;
      }
      if (OTHER_SECTIONS.has(kw)) {
        section = { kind: 'other', name: kw };
        diagnostics.push({
          severity: 'warning',
          message: `section '${kw}' is not supported by HAProxy Lab yet and is ignored.`,
          loc: words[0]!.loc,
        });
        continue;
      }
      const lineStart = diagnostics.length;
      switch (section.kind) {
        case 'none':
          alertAt(words[0]!.loc, `unknown keyword '${kw}' out of section.`, 'parsing-tight');
          break;
        case 'other':
          break;
        case 'peers':
          if (section.draft) parsePeersLine(new LineContext(line, words, kwm, state), section.draft, state.global.localPeer, state.tables!);
          break;
        case 'resolvers':
          if (section.draft) parseResolversLine(new LineContext(line, words, kwm, state), section.draft);
          break;
        case 'cache':
          if (section.draft) parseCacheLine(new LineContext(line, words, kwm, state), section.draft);
          break;
        case 'http-errors':
          if (section.draft) parseHttpErrorsLine(new LineContext(line, words, kwm, state), section.draft);
          break;
        case 'orphan':
          alertAt(words[0]!.loc, `'listen' or 'defaults' expected.`);
          break;
        case 'global':
          state.notes.clear();
          parseGlobalLine(new LineContext(line, words, kwm, state));
          warnLacking(words[0]!.loc, lineStart);
          break;
        case 'proxy':
          state.notes.clear();
          parseProxyLine(new ProxyLineContext(line, words, kwm, state, section.draft, section.acls));
          warnLacking(words[0]!.loc, lineStart);
          break;
      }
    }
    flushUpTo(Number.MAX_SAFE_INTEGER);
    directives.finish({ file: src.name, line: src.text.split('\n').length - (src.text.endsWith('\n') ? 1 : 0), col: 1 });
  }
  for (const d of cacheDrafts) {
    const spec = closeCache(d, diagnostics);
    if (spec) state.global.caches.set(spec.name, spec);
  }
  checkCacheReferences(proxies, new Set(cacheDrafts.map((d) => d.name)), diagnostics);
  for (const p of peersDrafts) if (!state.global.peers.has(p.name)) state.global.peers.set(p.name, freezePeers(p, state.global.localPeer));
  return { global: state.global, proxies, defaults, diagnostics, patterns, httpErrors, errorfilesRefs };
}
