import { describe, it, expect } from 'vitest';
import { hasHaproxy, startHaproxy } from './haproxy.ts';
import { startNamedBackends, askSequence } from './named-backends.ts';

describe.skipIf(!hasHaproxy)('parity helpers', () => {
  it('haproxy in front of named backends rotates through them and stops cleanly', async () => {
    const be = await startNamedBackends(['s1', 's2']);
    const hp = await startHaproxy(`global
  nbthread 1
  stats socket {{sock}} level admin
defaults
  mode http
  timeout connect 1s
  timeout client 5s
  timeout server 5s
frontend fe
  bind 127.0.0.1:{{port}}
  default_backend be
backend be
  balance roundrobin
${be.servers.map((s) => `  server ${s.name} 127.0.0.1:${s.port}`).join('\n')}
`);
    try {
      const who = await askSequence(hp.port, ['/', '/', '/', '/']);
      expect(who).toEqual(['s1', 's2', 's1', 's2']);
      expect(be.log.length).toBe(4);
      expect(await hp.runtime('show servers state be')).toContain('s1');
    } finally {
      await hp.stop();
      await be.close();
    }
    expect(() => process.kill(hp.pid, 0)).toThrow();
  });
});
