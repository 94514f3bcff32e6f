// The switching rules and the queue timeout shared by mode http and mode tcp (proxy/stream/).
import { describe, expect, it } from 'vitest';
import { queueTimeoutMs } from '../../../proxy/stream/assign-server.ts';
import { chooseBackend } from '../../../proxy/stream/switching.ts';
import { Generation } from '../../../proxy/live/generation.ts';
import type { SampleContext } from '../../../proxy/sample/context.ts';
import { frontend, model, proxyConfig } from '../config/config-helpers.ts';

const ctx = (path: string): SampleContext => ({
  src: '127.0.0.1', srcPort: 40000, dst: '127.0.0.1', dstPort: 8000,
  req: { method: 'GET', uri: path, version: '1.1', path, query: null, headers: [] },
});

describe('queue timeout', () => {
  it('reads 0 as unset, falls back to timeout connect, and else waits as long as a timer can', () => {
    expect(queueTimeoutMs({ queue: 400, connect: 250 })).toBe(400);
    expect(queueTimeoutMs({ queue: 0, connect: 250 })).toBe(250);
    expect(queueTimeoutMs({ connect: 250 })).toBe(250);
    expect(queueTimeoutMs({ queue: 0, connect: 0 })).toBe(2 ** 31 - 1);
    expect(queueTimeoutMs({})).toBe(2 ** 31 - 1);
  });
});

describe('switching rules', () => {
  it('takes the first use_backend whose condition holds, else default_backend, and names the rule', () => {
    const m = model(proxyConfig(['use_backend api if { path_beg /api }'], ['server s1 127.0.0.1:8001']) + 'backend api\n    server a 127.0.0.1:8002\n');
    const gen = new Generation(1, m);
    const fe = frontend(m, 'f');
    const api = chooseBackend(fe, gen, ctx('/api/x'));
    expect([api.backend?.name, api.decidedBy, api.rule?.text]).toEqual(['api', 'use_backend', 'use_backend api if { path_beg /api }']);
    const other = chooseBackend(fe, gen, ctx('/'));
    expect([other.backend?.name, other.decidedBy, other.rule]).toEqual(['b', 'default_backend', undefined]);
  });
});
