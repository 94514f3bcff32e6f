// The local peer's status line for a hello, line by line as HAProxy's peer applet judges it (the same statuses the
// parity test reads from haproxy: 200, 501, 502, 503, 504).
import { describe, expect, it } from 'vitest';
import { peerHandshake } from '../../../proxy/peers/peer-handshake.ts';

const PEERS = ['lab1', 'far'];

describe('the local peer answers a hello', () => {
  it('waits for the three lines before welcoming a known peer', () => {
    expect(peerHandshake('HAProxyS 2.1\nlab1\n', 'lab1', PEERS)).toBeNull();
    expect(peerHandshake('HAProxyS 2.1\nlab1\nfar 12 1\n', 'lab1', PEERS)).toBe(200);
    expect(peerHandshake('HAProxyS 2.1\r\nlab1\r\nfar 12 1\r\n', 'lab1', PEERS)).toBe(200);
  });

  it('judges each line as soon as it is complete', () => {
    expect(peerHandshake('hello\n', 'lab1', PEERS)).toBe(501);
    expect(peerHandshake('HAProxyS 3.1\n', 'lab1', PEERS)).toBe(502);
    expect(peerHandshake('HAProxyS 2.2\n', 'lab1', PEERS)).toBe(502);
    expect(peerHandshake('HAProxyS 2.1x\n', 'lab1', PEERS)).toBe(502);
    expect(peerHandshake('HAProxyS 2.0\nother\n', 'lab1', PEERS)).toBe(503);
    expect(peerHandshake('HAProxyS 2.1\nlab1\nnobody 1 1\n', 'lab1', PEERS)).toBe(504);
    expect(peerHandshake('HAProxyS 2.1\nlab1\nfar\n', 'lab1', PEERS)).toBe(501);
  });
});
