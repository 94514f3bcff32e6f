// Freezes the parsed drafts into the ConfigModel the engine runs: ids in declaration order, frontends and
// backends apart, the http-check expectation folded into its option.
import type { Diagnostic } from './diagnostics.ts';
import { assignServerIds, finalizeGlobal, type ProxyDraft } from './draft.ts';
import type { ConfigModel, ProxySpec } from './model.ts';
import { withDynamicCookies } from './keywords-cookie.ts';
import { dispatchTarget } from './keywords-dispatch.ts';
import type { ParseOutput } from './parse.ts';
import { freezeCompression } from '../compression/compression-keyword.ts';

function finalizeProxy(p: ProxyDraft, id: number): ProxySpec {
  const options = { ...p.options };
  if (options.httpchk && p.httpCheckSend) {
    const { method, uri, version, host, headers, body } = p.httpCheckSend;
    options.httpchk = {
      ...options.httpchk,
      ...(method !== undefined ? { method } : {}),
      ...(uri !== undefined ? { uri } : {}),
      ...(version !== undefined ? { version } : {}),
      ...(host !== undefined ? { host } : {}),
      ...(headers !== undefined ? { headers } : {}),
      ...(body !== undefined ? { body } : {}),
    };
  }
  if (options.httpchk && p.httpCheckExpect) {
    const { statuses, expect } = p.httpCheckExpect;
    options.httpchk = { ...options.httpchk, ...(statuses.length > 0 ? { expectStatus: statuses } : {}), ...(expect && (expect.type !== 'status' || expect.inverse) ? { expect } : {}) };
  }
  if (options.tcpCheck?.kind === 'tcp-check') options.tcpCheck = { kind: 'tcp-check', rules: [...p.tcpCheckRules] };
  return {
    kind: p.kind === 'defaults' ? 'listen' : p.kind,
    name: p.name,
    id,
    loc: p.loc,
    mode: p.mode,
    binds: p.kind === 'backend' ? [] : [...p.binds],
    useBackends: [...p.useBackends],
    httpRequestRules: [...p.httpRequestRules],
    httpResponseRules: [...p.httpResponseRules],
    httpAfterResponseRules: [...p.httpAfterResponseRules],
    tcpRequestRules: [...p.tcpRequestRules],
    tcpResponseRules: [...p.tcpResponseRules],
    ...(p.tcpResponseInspectDelay !== undefined ? { tcpResponseInspectDelay: p.tcpResponseInspectDelay } : {}),
    inheritedTcpRules: p.inherited.tcp,
    stickRules: [...p.stickRules],
    storeResponseRules: [...p.storeResponseRules],
    ...(p.stickTable ? { stickTable: p.stickTable } : {}),
    ...(p.description !== undefined && p.kind !== 'defaults' ? { description: p.description } : {}),
    errorPages: new Map(p.errorPages),
    ...(p.errorReplies.size > 0 ? { errorReplies: new Map(p.errorReplies) } : {}),
    captures: { req: [...p.captures.req], res: [...p.captures.res] },
    ...(p.captureCookie ? { captureCookie: { ...p.captureCookie } } : {}),
    ...(p.uniqueIdFormat ? { uniqueId: { format: p.uniqueIdFormat.format, formatter: p.uniqueIdFormat.formatter, ...(p.uniqueIdHeader !== undefined ? { header: p.uniqueIdHeader } : {}) } } : {}),
    redirectRules: [...p.redirectRules],
    ...(p.compression ? { compression: freezeCompression(p.compression)! } : {}),
    balance: {
      algorithm: p.balance.algorithm,
      options: [...p.balance.options],
      hashType: p.hashType,
      ...(p.balance.arg !== undefined ? { arg: p.balance.arg } : {}),
      ...(p.balance.loc ? { loc: p.balance.loc } : {}),
    },
    servers: p.kind === 'frontend' ? [] : withDynamicCookies(p, assignServerIds(p.servers)),
    ...(p.kind !== 'frontend' && dispatchTarget(p) ? { dispatch: dispatchTarget(p)! } : {}),
    retries: p.retries,
    timeouts: { ...p.timeouts },
    options,
    maxconn: p.maxconn,
    logs: [...p.logs],
    ...(p.kind !== 'backend' && p.defaultBackend ? { defaultBackend: p.defaultBackend.name } : {}),
    ...(p.tcpInspectDelay !== undefined ? { tcpInspectDelay: p.tcpInspectDelay } : {}),
    ...(p.fullconn !== undefined ? { fullconn: p.fullconn } : {}),
    ...(p.logFormat !== undefined ? { logFormat: p.logFormat } : {}),
    ...(p.logTag !== undefined ? { logTag: p.logTag } : {}),
    ...(p.logFormatter !== undefined ? { logFormatter: p.logFormatter } : {}),
    ...(p.stats ? { stats: { ...p.stats } } : {}),
    ...(p.kind !== 'frontend' && p.cookie ? { cookie: p.cookie } : {}),
    persistRules: p.kind === 'frontend' ? [] : [...p.persistRules],
    ...(p.kind !== 'backend' && p.monitorUri !== undefined ? { monitorUri: p.monitorUri, monitorFail: [...p.monitorFail] } : {}),
    ...(p.defaultsFrom !== undefined ? { defaultsFrom: p.defaultsFrom } : {}),
  };
}

// The model for parsed (and validated) sections.
export function buildModel(out: ParseOutput, files: readonly string[], diagnostics: readonly Diagnostic[]): ConfigModel {
  const frontends: ProxySpec[] = [];
  const backends = new Map<string, ProxySpec>();
  // HAProxy gives the stats socket's internal proxy the first id, so declared proxies then start at 2
  const firstId = out.global.statsSockets.length > 0 ? 2 : 1;
  out.proxies.forEach((p, i) => {
    const spec = finalizeProxy(p, i + firstId);
    if (p.kind !== 'backend') frontends.push(spec);
    if (p.kind !== 'frontend' && !backends.has(p.name)) backends.set(p.name, spec);
  });
  out.patterns.finalize();
  return { files: [...files], global: finalizeGlobal(out.global), frontends, backends, diagnostics: [...diagnostics], patterns: out.patterns };
}
