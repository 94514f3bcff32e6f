// The reused read buffer's rule: a view goes out directly only onto an empty, uncorked socket; otherwise it is
// copied; and when a direct write leaves bytes queued, reading stops until they are written.
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OwnedReads } from '../../../proxy/io/owned-reads.ts';
import { hasOpenssl, makeCerts } from '../../helpers/certs.ts';

/** A stand-in client socket whose queue we control. */
function fakeDest(opts: { corked?: number; queued?: number; leaveQueued?: number }) {
  const writes: { chunk: Buffer; cb?: () => void }[] = [];
  let queued = opts.queued ?? 0;
  return {
    writes,
    get writableCorked() {
      return opts.corked ?? 0;
    },
    get writableLength() {
      return queued;
    },
    write(chunk: Buffer, cb?: () => void) {
      writes.push({ chunk, cb });
      queued += opts.leaveQueued ?? 0;
      return queued < 16384;
    },
    flush() {
      queued = 0;
      for (const w of writes) w.cb?.();
    },
  };
}

describe('OwnedReads.forward', () => {
  let server: net.Server;
  let reads: OwnedReads;
  beforeAll(async () => {
    server = net.createServer((s) => s.on('error', () => {}));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    reads = new OwnedReads({ host: '127.0.0.1', port: (server.address() as net.AddressInfo).port }, { onData: () => {} });
    await new Promise((r) => reads.sock.once('connect', r));
  });
  afterAll(() => {
    reads.sock.destroy();
    server.close();
  });

  it('writes the view itself onto an empty socket and keeps reading', () => {
    const dest = fakeDest({});
    const view = Buffer.from('abc');
    reads.forward(dest as unknown as net.Socket, view);
    expect(dest.writes[0]!.chunk).toBe(view);
    expect(reads.sock.isPaused()).toBe(false);
  });

  it('copies the view when the socket is corked or already holds data', () => {
    for (const dest of [fakeDest({ corked: 1 }), fakeDest({ queued: 10 })]) {
      const view = Buffer.from('abc');
      reads.forward(dest as unknown as net.Socket, view);
      expect(dest.writes[0]!.chunk).not.toBe(view);
      expect(dest.writes[0]!.chunk.equals(view)).toBe(true);
    }
  });

  it('stops reading while part of a direct write is queued, and resumes once it is written', () => {
    const dest = fakeDest({ leaveQueued: 1000 });
    reads.forward(dest as unknown as net.Socket, Buffer.alloc(64 * 1024));
    expect(reads.sock.isPaused()).toBe(true);
    expect(dest.writes.at(-1)!.cb).toBeTypeOf('function');
    dest.flush();
    expect(reads.sock.isPaused()).toBe(false);
  });
});

describe('OwnedReads.adopt', () => {
  // an accepted connection, adopted in the server's 'connection' handler as the engine does
  async function adoptedPair(copying = false): Promise<{ server: net.Server; client: net.Socket; owned: OwnedReads; views: Buffer[]; texts: string[] }> {
    const views: Buffer[] = [];
    const texts: string[] = [];
    let resolveOwned!: (o: OwnedReads) => void;
    const adopted = new Promise<OwnedReads>((r) => (resolveOwned = r));
    const server = net.createServer({ allowHalfOpen: true }, (sock) => {
      const owned = OwnedReads.adopt(sock, true, { copying });
      if (!owned) throw new Error('adopt refused a fresh plain TCP connection');
      owned.setReader({
        onData: (view) => {
          views.push(view);
          texts.push(view.toString('latin1'));
        },
      });
      resolveOwned(owned);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
    await new Promise((r) => client.once('connect', r));
    return { server, client, owned: await adopted, views, texts };
  }

  it('reads every chunk of an accepted connection into one buffer of its own', async () => {
    const { server, client, owned, views, texts } = await adoptedPair();
    try {
      client.write('first');
      await until(() => texts.length === 1);
      client.write('second');
      await until(() => texts.length === 2);
      expect(texts).toEqual(['first', 'second']);
      expect(views[0]!.buffer).toBe(views[1]!.buffer);
      expect(owned.sock.remotePort).toBe(client.localPort);
    } finally {
      client.destroy();
      owned.sock.destroy();
      await new Promise((r) => server.close(r));
    }
  });

  it('keeps the half-close and the write side, and lets the server close once the adopted socket is gone', async () => {
    const { server, client, owned, texts } = await adoptedPair();
    const ended = new Promise((r) => owned.sock.once('end', r));
    const answer = new Promise<string>((r) => client.once('data', (d) => r(d.toString())));
    client.end('bye');
    await ended;
    expect(texts).toEqual(['bye']);
    owned.sock.end('ok');
    expect(await answer).toBe('ok');
    // server.close() calls back only when its connection count is back to 0: the adopted socket carries it
    const closed = new Promise((r) => server.close(r));
    owned.sock.destroy();
    await closed;
  });

  it('lets copying adoptions share one read buffer, and refuses to forward a view of it', async () => {
    const a = await adoptedPair(true);
    const b = await adoptedPair(true);
    try {
      a.client.write('from a');
      await until(() => a.texts.length === 1);
      b.client.write('from b');
      await until(() => b.texts.length === 1);
      expect([a.texts, b.texts]).toEqual([['from a'], ['from b']]);
      expect(a.views[0]!.buffer).toBe(b.views[0]!.buffer);
      expect(() => a.owned.forward(b.owned.sock, Buffer.from('x'))).toThrow(/copy the view/);
    } finally {
      for (const p of [a, b]) {
        p.client.destroy();
        p.owned.sock.destroy();
        await new Promise((r) => p.server.close(r));
      }
    }
  });

  it('refuses a connection whose bytes already sit in the stream queue', async () => {
    const server = net.createServer({ pauseOnConnect: false });
    const refused = new Promise<OwnedReads | null>((resolve) => {
      server.on('connection', (sock) => {
        sock.pause();
        sock.once('readable', () => resolve(OwnedReads.adopt(sock, true)));
        sock.on('error', () => {});
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1', () => client.write('early'));
    try {
      expect(await refused).toBeNull();
    } finally {
      client.destroy();
      server.close();
    }
  });
});

describe.skipIf(!hasOpenssl)('OwnedReads.adoptTls', () => {
  // an established server-side TLS connection, adopted on 'secure' as the engine does for an HTTP session
  async function tlsPair(): Promise<{ server: net.Server; client: tls.TLSSocket; owned: OwnedReads; t: tls.TLSSocket; views: Buffer[]; texts: string[]; dataEvents: () => number; cleanup: () => void }> {
    const certs = makeCerts({ 'io.example': {} });
    const context = tls.createSecureContext({ cert: readFileSync(certs.crt['io.example']!), key: readFileSync(certs.key['io.example']!) });
    const views: Buffer[] = [];
    const texts: string[] = [];
    let dataEvents = 0;
    let resolve!: (v: { owned: OwnedReads; t: tls.TLSSocket }) => void;
    const adopted = new Promise<{ owned: OwnedReads; t: tls.TLSSocket }>((r) => (resolve = r));
    const server = net.createServer((raw) => {
      const t = new tls.TLSSocket(raw, { isServer: true, secureContext: context });
      t.on('error', () => {});
      t.once('secure', () => {
        const owned = OwnedReads.adoptTls(t);
        if (!owned) throw new Error('adoptTls refused an established TLS connection with nothing read yet');
        owned.setReader({
          onData: (view) => {
            views.push(view);
            texts.push(view.toString('latin1'));
          },
        });
        t.on('data', () => dataEvents++);
        resolve({ owned, t });
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const client = tls.connect({ port: (server.address() as net.AddressInfo).port, host: '127.0.0.1', ca: readFileSync(certs.caFile), servername: 'io.example' });
    await new Promise((r) => client.once('secureConnect', r));
    const { owned, t } = await adopted;
    return { server, client, owned, t, views, texts, dataEvents: () => dataEvents, cleanup: () => certs.cleanup() };
  }

  it('reads the decrypted bytes of each record into the shared buffer, keeping the socket itself, its writes and its end', async () => {
    const p = await tlsPair();
    try {
      expect(p.owned.sock).toBe(p.t);
      p.client.write('GET / HTTP/1.1\r\n\r\n');
      await until(() => p.texts.length === 1);
      p.client.write('second');
      await until(() => p.texts.length === 2);
      expect(p.texts).toEqual(['GET / HTTP/1.1\r\n\r\n', 'second']);
      expect(p.views[0]!.buffer).toBe(p.views[1]!.buffer);
      expect(p.dataEvents()).toBe(0);
      const answer = new Promise<string>((r) => p.client.once('data', (d) => r(d.toString())));
      p.t.write('answer');
      expect(await answer).toBe('answer');
      const ended = new Promise((r) => p.t.once('end', r));
      p.client.end();
      await ended;
    } finally {
      p.client.destroy();
      p.t.destroy();
      await new Promise((r) => p.server.close(r));
      p.cleanup();
    }
  });

  it('pauses and resumes reading as the stream API says', async () => {
    const p = await tlsPair();
    try {
      p.t.pause();
      p.client.write('while paused');
      await new Promise((r) => setTimeout(r, 150));
      expect(p.texts).toEqual([]);
      p.t.resume();
      await until(() => p.texts.length === 1);
      expect(p.texts).toEqual(['while paused']);
    } finally {
      p.client.destroy();
      p.t.destroy();
      await new Promise((r) => p.server.close(r));
      p.cleanup();
    }
  });
});

async function until(cond: () => boolean, ms = 2000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}
