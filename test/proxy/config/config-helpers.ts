// Small helpers for the config tests: load text, pick messages, wrap proxy lines in a valid skeleton.
import { loadConfig } from '../../../proxy/load-config.ts';
import type { LoadResult } from '../../../proxy/api.ts';
import { formatDiagnostic, type Diagnostic } from '../../../proxy/config/diagnostics.ts';
import type { ConfigModel, ProxySpec } from '../../../proxy/config/model.ts';

export const DEFAULTS = `defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
`;

// Loads config text named haproxy.cfg.
export function load(text: string, env: Record<string, string> = {}): LoadResult {
  return loadConfig({ text, name: 'haproxy.cfg' }, { env });
}

// Loads text that must be valid; fails the test with HAProxy-style lines otherwise.
export function model(text: string): ConfigModel {
  const r = load(text);
  if (!r.model) throw new Error(`expected a valid config:\n${r.diagnostics.map((d) => formatDiagnostic(d, 0)).join('\n')}`);
  return r.model;
}

// The frontend (or listen) called name.
export function frontend(m: ConfigModel, name: string): ProxySpec {
  const p = m.frontends.find((f) => f.name === name);
  if (!p) throw new Error(`no frontend '${name}'`);
  return p;
}

export function backend(m: ConfigModel, name: string): ProxySpec {
  const p = m.backends.get(name);
  if (!p) throw new Error(`no backend '${name}'`);
  return p;
}

// "LINE: message" for each diagnostic of that severity, the way a test reads best.
export function messages(r: LoadResult | readonly Diagnostic[], severity: Diagnostic['severity'] = 'alert'): string[] {
  const ds = Array.isArray(r) ? (r as readonly Diagnostic[]) : (r as LoadResult).diagnostics;
  return ds.filter((d) => d.severity === severity).map((d) => `${d.loc?.line ?? '-'}: ${d.message}${d.hint ? `; ${d.hint}` : ''}`);
}

// A config with defaults, a frontend "f" holding feLines and a backend "b" holding beLines.
export function proxyConfig(feLines: string[], beLines: string[] = ['server s1 127.0.0.1:8001']): string {
  return `${DEFAULTS}frontend f\n    bind 127.0.0.1:8000\n${feLines.map((l) => `    ${l}\n`).join('')}    default_backend b\nbackend b\n${beLines.map((l) => `    ${l}\n`).join('')}`;
}
