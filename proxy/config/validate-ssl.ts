// TLS checks made once every section is read, as HAProxy's ssl_sock_prepare_srv_ctx() and
// ssl_sock_prepare_bind_conf() make them: servers first (they are prepared with their proxy), then binds.
import { createSecureContext } from 'node:tls';
import type { Diagnostic } from './diagnostics.ts';
import type { ProxyDraft } from './draft.ts';

// Whether OpenSSL takes this cipher list (TLS 1.2 and below) or these TLS 1.3 suites.
function cipherListOk(list: string, tls13: boolean): boolean {
  try {
    // Node sends names starting with TLS_ to the TLS 1.3 list and the rest to the older one
    if (tls13) createSecureContext({ ciphers: list.split(':').every((n) => n.startsWith('TLS_')) ? list : '\0' });
    else createSecureContext({ ciphers: list.split(':').some((n) => n.startsWith('TLS_')) ? '\0' : list });
    return true;
  } catch {
    return false;
  }
}

export function validateSsl(proxies: readonly ProxyDraft[], d: Diagnostic[]): void {
  for (const p of proxies) {
    if (p.kind === 'frontend' || p.kind === 'defaults') continue;
    for (const s of p.servers) {
      const t = s.ssl;
      if (!t || (!t.use && !s.checkSsl)) continue;
      const at = { severity: 'alert' as const, form: 'bracket' as const, loc: s.loc };
      if (t.verify === 'required' && t.caPem === undefined) {
        d.push({
          ...at,
          message: `'server ${p.name}/${s.name}' : verify is enabled by default but no CA file specified. If you're running on a LAN where you're certain to trust the server's certificate, please set an explicit 'verify none' statement on the 'server' line, or use 'ssl-server-verify none' in the global section to disable server-side verifications by default.`,
        });
      }
      if (t.ciphers !== undefined && !cipherListOk(t.ciphers, false)) {
        d.push({ ...at, message: `'server ${p.name}/${s.name}' : unable to set SSL cipher list to '${t.ciphers}'.` });
      }
      if (t.ciphersuites !== undefined && !cipherListOk(t.ciphersuites, true)) {
        d.push({ ...at, message: `'server ${p.name}/${s.name}' : unable to set TLS 1.3 cipher suites to '${t.ciphersuites}'.` });
      }
    }
  }
  for (const p of proxies) {
    if (p.kind === 'backend' || p.kind === 'defaults') continue;
    for (const b of p.binds) {
      const t = b.ssl;
      if (!t) continue;
      const where = `for bind '${b.text}' at [${b.loc.file}:${b.loc.line}]`;
      const alert = (message: string): void => void d.push({ severity: 'alert', message: `Proxy '${p.name}': ${message} ${where}${message.startsWith('no SSL') ? " (use 'crt')" : ''}.`, form: 'plain', loc: b.loc });
      if (t.certs.length === 0) {
        alert('no SSL certificate specified');
        continue;
      }
      if (t.verify !== 'none' && t.caPem === undefined) alert('verify is enabled but no CA file specified');
      if (t.ciphers !== undefined && !cipherListOk(t.ciphers, false)) alert(`unable to set SSL cipher list to '${t.ciphers}'`);
      if (t.ciphersuites !== undefined && !cipherListOk(t.ciphersuites, true)) alert(`unable to set TLS 1.3 cipher suites to '${t.ciphersuites}'`);
    }
  }
}
