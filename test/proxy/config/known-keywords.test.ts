// Our keyword tables against the installed binary's own list (`haproxy -dKcfg`), so a valid keyword never reads as
// "unknown" and gets the "not supported by HAProxy Lab yet" warning instead.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIND_KEYWORDS, GLOBAL_KEYWORDS, PROXY_KEYWORDS, SERVER_KEYWORDS } from '../../../proxy/config/known-keywords.ts';
import { hasHaproxy } from '../../helpers/haproxy.ts';
import { DEFAULTS, load, messages } from './config-helpers.ts';

function registered(): Map<string, string[]> {
  const out = spawnSync('haproxy', ['-dKcfg', '-q', '-c', '-f', '/dev/null'], { encoding: 'utf8' }).stdout;
  const sections = new Map<string, string[]>();
  let current = '';
  for (const line of out.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    if (!line.startsWith('\t')) {
      current = line.trim();
      sections.set(current, []);
    } else sections.get(current)!.push(line.trim());
  }
  return sections;
}

describe.skipIf(!hasHaproxy)('keyword tables match `haproxy -dKcfg` (skipped: haproxy not installed)', () => {
  const kws = hasHaproxy ? registered() : new Map<string, string[]>();

  it('knows every registered global keyword', () => {
    for (const k of kws.get('global') ?? []) expect(GLOBAL_KEYWORDS).toContain(k);
  });

  it('knows every registered proxy, server and bind keyword', () => {
    for (const k of kws.get('listen') ?? []) {
      const server = /^server <name> <addr> (\S+)/.exec(k);
      const bind = /^bind <addr> (?:ssl )?(\S+)/.exec(k);
      if (server) expect(Object.keys(SERVER_KEYWORDS)).toContain(server[1]);
      else if (bind) expect(Object.keys(BIND_KEYWORDS)).toContain(bind[1]);
      else if (!/^(option|tcp-request|tcp-response|http-request|http-response|http-after-response) /.test(k)) expect(PROXY_KEYWORDS).toContain(k.split(' ')[0]);
    }
  });
});

describe('known keywords', () => {
  it('never calls a valid proxy keyword unknown', () => {
    const text = `${DEFAULTS}listen l\n    bind 127.0.0.1:8000\n${PROXY_KEYWORDS.filter((k) => !['listen', 'frontend', 'backend', 'defaults'].includes(k)).map((k) => `    ${k}\n`).join('')}`;
    expect(messages(load(text)).filter((m) => m.includes('unknown keyword'))).toEqual([]);
  });

  it('never calls a valid global keyword unknown', () => {
    const text = `global\n${GLOBAL_KEYWORDS.filter((k) => !['global', 'listen', 'frontend', 'backend', 'defaults', 'peers', 'resolvers'].includes(k)).map((k) => `    ${k}\n`).join('')}`;
    expect(messages(load(text)).filter((m) => m.includes('unknown keyword'))).toEqual([]);
  });
});
