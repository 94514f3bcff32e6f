// Checks made once every section is read, in proxy declaration order, worded as HAProxy 2.6's
// check_config_validity() (src/cfgparse.c) words them: backend references, modes, binds, servers, timeouts.
import { l6InHttpWarning } from '../acl/index.ts';
import { proxyTypeStr } from './context.ts';
import type { Diagnostic, SourceLoc } from './diagnostics.ts';
import type { ProxyDraft } from './draft.ts';
import type { PeersSpec } from './model.ts';
import type { ParseOutput } from './parse.ts';
import { validateSsl } from './validate-ssl.ts';
import { PLAIN_FORMAT, tryRuleFormat } from '../sample/rule-format.ts';
import { resolveArgReferences, type ProxyDirectory } from '../sample/arg-refs.ts';
import { validateStickReferences } from '../stick/validate-stick.ts';
import { captureCookieWarning, captureIdAlerts, tcpCaptureWarnings } from './keywords-capture.ts';
import { resolveErrorDecls } from './keywords-errors.ts';

const MISSING_TIMEOUTS =
  '\n   | While not properly invalid, you will certainly encounter various problems' +
  '\n   | with such a configuration. To fix this, please ensure that all following' +
  "\n   | timeouts are set to a non-zero value: 'client', 'connect', 'server'.";

const hasFe = (p: ProxyDraft): boolean => p.kind !== 'backend';
const hasBe = (p: ProxyDraft): boolean => p.kind !== 'frontend';
const where = (p: ProxyDraft): string => `${proxyTypeStr(p.kind)} '${p.name}'`;

// Adds the post-parse diagnostics to out.diagnostics; may turn settings off where HAProxy ignores them.
export function validate(out: ParseOutput): void {
  const d = out.diagnostics;
  const parseFailed = d.some((x) => x.severity === 'alert');
  const plain = (severity: Diagnostic['severity'], message: string, loc?: SourceLoc): void => {
    d.push({ severity, message, form: 'plain', ...(loc ? { loc } : {}) });
  };
  // proxy_be_by_name(): the first backend-capable proxy of that name.
  const backendByName = (name: string): ProxyDraft | undefined => out.proxies.find((p) => hasBe(p) && p.name === name);

  const directory = proxyDirectory(out.proxies, out.global.peers);
  resolveErrorDecls(out.proxies, out.httpErrors ?? [], out.errorfilesRefs ?? [], d);
  for (const p of out.proxies) {
    // The order below is check_config_validity()'s, so messages come out as haproxy -c prints them.
    if (p.mode === 'http') {
      for (const cond of p.conditions) {
        const w = l6InHttpWarning(cond, p.name);
        if (w) plain('warning', w, cond.loc);
      }
    }
    if (p.mode === 'tcp') ensureNoHttp(p);
    for (const m of captureIdAlerts(p)) plain('alert', m, p.loc);
    for (const m of tcpCaptureWarnings(p, proxyTypeStr(p.kind))) plain('warning', m.message, m.loc);
    const cookieCut = captureCookieWarning(p, proxyTypeStr(p.kind));
    if (cookieCut) plain('warning', cookieCut, p.loc);
    const lfHttp = p.logFormatHttpVars;
    if (p.mode === 'tcp' && hasFe(p) && p.logFormat !== undefined && lfHttp?.first) {
      d.push({ severity: 'alert', message: `failed to parse log-format : format variable '${lfHttp.first}' is reserved for HTTP mode.`, form: 'Parsing-tight', loc: lfHttp.loc });
    }
    if (hasFe(p) && p.binds.length === 0) {
      plain('warning', `${where(p)} has no 'bind' directive. Please declare it as a backend if this was intended.`, p.loc);
    }
    if (hasBe(p) && p.dispatch && p.balance.loc) plain('warning', `dispatch address of ${where(p)} will be ignored in balance mode.`, p.loc);
    if (p.httpCheckLoc && !p.options.httpchk && hasBe(p)) {
      plain('warning', `${where(p)} uses http-check rules without 'option httpchk', so the rules are ignored.`, p.httpCheckLoc);
    }
    if (hasFe(p) && p.defaultBackend) {
      checkTarget(p, p.defaultBackend.name, 'as its default backend', 'default_backend', p.defaultBackend.loc);
      const target = backendByName(p.defaultBackend.name);
      if (target && target !== p && p.servers.length > 0) {
        plain('warning', `In proxy '${p.name}', the 'default_backend' rule always has precedence over the servers, which will never be used.`, p.defaultBackend.loc);
      }
    }
    if (hasFe(p)) {
      for (const rule of p.useBackends) {
        if (!rule.dynamic) {
          checkTarget(p, rule.backend, "in a 'use_backend' rule", 'use_backend', rule.loc);
          continue;
        }
        // a dynamic name is a log-format string, parsed here (its map files load now, as in HAProxy)
        out.patterns.site = { file: rule.loc.file, line: rule.loc.line };
        const f = tryRuleFormat(rule.backend, { proxy: p.name, patterns: out.patterns, checkAt: ['use_backend'], site: { loc: rule.loc, context: 'use_backend expression', refs: p.argRefs } }, PLAIN_FORMAT);
        if ('error' in f) d.push({ severity: 'alert', message: `failed to parse use_backend rule '${rule.backend}' : ${f.error}.`, loc: rule.loc, form: 'Parsing-tight' });
        else rule.dynamic.build = f.format;
      }
    }
    // smp_resolve_args: the names in fetch and converter arguments, once every section is known
    if (p.kind !== 'defaults') {
      const unresolved = resolveArgReferences(p.argRefs, p.name, directory);
      if (unresolved) plain('alert', unresolved, p.argRefs[0]?.loc);
    }
    const t = p.timeouts;
    const missing =
      (hasFe(p) && !t.client) ||
      (hasBe(p) && p.servers.length > 0 && (!t.connect || (!t.server && (p.mode === 'http' || !t.tunnel))));
    if (missing) plain('warning', `missing timeouts for ${where(p)}.${MISSING_TIMEOUTS}`, p.loc);
    if (hasBe(p)) checkServers(p);
    // conn_get_best_mux_entry(): h1, h2 and fcgi speak HTTP, "none" passes TCP through
    if (hasBe(p)) {
      for (const s of p.servers) {
        if (s.proto === undefined || (s.proto === 'none') === (p.mode === 'tcp')) continue;
        plain('alert', `${where(p)} : MUX protocol '${s.proto}' is not usable for server '${s.name}' at [${s.loc.file}:${s.loc.line}].`);
      }
    }
    if (hasFe(p) && p.logs.length === 0 && (p.logFormat !== undefined || p.options.httplog || p.options.tcplog)) {
      plain('warning', `log format ignored for ${where(p)} since it has no log address.`, p.loc);
    }
    if (p.mode !== 'http') {
      if (p.stats?.enabled) plain('warning', `'stats' statement ignored for ${where(p)} as it requires HTTP mode.`, p.stats.loc);
      if (p.httpRequestRules.length > 0) {
        plain('warning', `'http-request' rules ignored for ${where(p)} as they require HTTP mode.`, p.httpRequestRules[0]!.loc);
      }
      if (p.httpResponseRules.length > 0) {
        plain('warning', `'http-response' rules ignored for ${where(p)} as they require HTTP mode.`, p.httpResponseRules[0]!.loc);
      }
      if (p.httpAfterResponseRules.length > 0) {
        plain('warning', `'http-after-response' rules ignored for ${where(p)} as they require HTTP mode.`, p.httpAfterResponseRules[0]!.loc);
      }
      if (p.options.forwardfor) {
        plain('warning', `'option forwardfor' ignored for ${where(p)} as it requires HTTP mode.`, p.loc);
        delete p.options.forwardfor;
      }
    }
  }

  validateStickReferences(out.proxies, out.global.peers, d);

  // HAProxy prepares TLS contexts only once the files parsed without error
  if (!parseFailed) validateSsl(out.proxies, d);

  // resolvers_finalize_config(): a server's resolvers section must exist.
  for (const p of parseFailed ? [] : out.proxies) {
    if (!hasBe(p)) continue;
    for (const s of p.servers) {
      if (s.resolvers !== undefined && !out.global.resolvers.has(s.resolvers)) {
        plain('alert', `${where(p)}, server '${s.name}': unable to find required resolvers '${s.resolvers}'`, s.loc);
      }
    }
  }

  // Health checks are set up after every proxy is checked (src/check.c init_srv_check()).
  // HAProxy shares one default tcp-check ruleset between proxies; once any check was set up (a checked server with a
  // port, or a backend's checked default-server, processed after its servers), later failures word it differently.
  let sharedRuleset = false;
  for (const p of out.proxies) {
    if (!hasBe(p)) continue;
    const ownRuleset = Boolean(p.options.httpchk || p.httpCheckLoc || p.options.tcpCheck);
    // a tcp-check ruleset whose first connect names a port needs no server port (init_srv_check)
    const firstConnect = p.options.tcpCheck?.kind === 'tcp-check' ? p.tcpCheckRules.find((r) => r.kind !== 'comment') : undefined;
    const rulePort = firstConnect?.kind === 'connect' && firstConnect.port !== undefined;
    for (const s of p.servers) {
      if (!s.check) continue;
      if (s.port !== 0 || s.checkPort || rulePort) {
        if (!ownRuleset) sharedRuleset = true;
        continue;
      }
      const tail = ownRuleset || sharedRuleset ? " nor tcp_check rule 'connect' with port information" : '';
      plain('alert', `config: ${where(p)}: server '${s.name}' has neither service port nor check port${tail}.`, s.loc);
    }
    if (p.defaultServer.check && !ownRuleset) sharedRuleset = true;
  }

  // proxy_cfg_ensure_no_http(): HTTP-only balancing and log formats fall back in tcp mode.
  function ensureNoHttp(p: ProxyDraft): void {
    if (p.cookie) {
      plain('warning', `cookie will be ignored for ${where(p)} (needs 'mode http').`, p.cookie.loc);
      delete p.cookie;
    }
    if (p.monitorUriLoc) plain('warning', `monitor-uri will be ignored for ${where(p)} (needs 'mode http').`, p.monitorUriLoc);
    for (const s of p.servers) {
      if (s.cookie !== undefined) plain('warning', `${where(p)} : ignoring cookie for server '${s.name}' as HTTP mode is disabled.`, s.loc);
    }
    if (['uri', 'url_param', 'hdr'].includes(p.balance.algorithm)) {
      plain('warning', `Layer 7 hash not possible for ${where(p)} (needs 'mode http'). Falling back to round robin.`, p.balance.loc);
      p.balance = { algorithm: 'roundrobin', options: [], ...(p.balance.loc ? { loc: p.balance.loc } : {}) };
    }
    if (p.options.httplog) {
      d.push({
        severity: 'warning',
        message: `'option httplog' not usable with ${where(p)} (needs 'mode http'). Falling back to 'option tcplog'.`,
        loc: p.httplogLoc ?? p.loc,
      });
      p.options.httplog = false;
      p.options.httplogClf = false;
      p.options.tcplog = true;
    }
  }

  function checkServers(p: ProxyDraft): void {
    const seen = new Map<string, SourceLoc>();
    const ids = new Map<number, { name: string; loc: SourceLoc }>();
    for (const s of p.servers) {
      const prev = seen.get(s.name);
      if (prev) {
        const at = prev.file === s.loc.file ? `line ${prev.line}` : `${prev.file}:${prev.line}`;
        d.push({
          severity: 'alert',
          message: `${where(p)}, another server named '${s.name}' was already defined at ${at}, please use distinct names.`,
          loc: s.loc,
        });
      } else seen.set(s.name, s.loc);
      if (s.id !== undefined) {
        const other = ids.get(s.id);
        if (other) {
          d.push({
            severity: 'alert',
            message: `'server ${p.name}/${s.name}' : 'id' : custom id ${s.id} already used at ${other.loc.file}:${other.loc.line} ('server ${other.name}').`,
            loc: s.loc,
            form: 'bracket',
          });
        } else ids.set(s.id, { name: s.name, loc: s.loc });
      }
    }
  }

  // peers sections without this process as a peer are dropped (their tables stay, shared with nobody)
  for (const s of out.global.peers.values()) {
    if (!s.disabled && !s.complete) plain('warning', `Removing incomplete section 'peers ${s.name}' (no peer named '${s.localPeer}').`);
  }
  const peerListeners = [...out.global.peers.values()].filter((s) => s.complete).length;
  const listeners = out.proxies.reduce((n, p) => n + (hasFe(p) ? p.binds.length : 0), 0) + out.global.statsSockets.length + peerListeners;
  if (listeners === 0 && !d.some((x) => x.severity === 'alert')) {
    plain('notice', 'Configuration file has no error but will not start (no listener) => exit(2).');
  }

  function checkTarget(p: ProxyDraft, name: string, how: string, keyword: string, loc: SourceLoc): void {
    const target = backendByName(name);
    if (!target) {
      plain('alert', `Proxy '${p.name}': unable to find required ${keyword}: '${name}'.`, loc);
      return;
    }
    if (target === p) {
      plain('alert', `Proxy '${p.name}': loop detected for ${keyword}: '${name}'.`, loc);
      return;
    }
    // A tcp frontend may hand its connections to an http backend (HAProxy upgrades them); not the reverse.
    if (target.mode !== p.mode && !(p.mode === 'tcp' && target.mode === 'http')) {
      plain(
        'alert',
        `${p.mode} ${where(p)} (${p.loc.file}:${p.loc.line}) tries to use incompatible ${target.mode} ${where(target)} (${target.loc.file}:${target.loc.line}) ${how} (see 'mode').`,
        loc,
      );
    }
  }
}

// What argument resolution looks up: proxy_be_by_name / proxy_fe_by_name (the first of that name with the
// capability), findserver, stktable_find_by_name (a proxy's own table carries its name).
function proxyDirectory(proxies: readonly ProxyDraft[], peers: ReadonlyMap<string, PeersSpec>): ProxyDirectory {
  const real = proxies.filter((p) => p.kind !== 'defaults');
  // tables declared in a peers section are named SECTION/NAME
  const peerTables = new Set([...peers.values()].flatMap((s) => s.tables.map((t) => t.name)));
  return {
    caps(name) {
      const named = real.filter((p) => p.name === name);
      if (named.length === 0) return undefined;
      return { frontend: named.some(hasFe), backend: named.some(hasBe) };
    },
    hasServer: (backend, server) => real.find((p) => hasBe(p) && p.name === backend)?.servers.some((s) => s.name === server) ?? false,
    hasTable: (name) => peerTables.has(name) || real.some((p) => p.name === name && p.stickTable !== undefined),
  };
}
