// The reused read buffer's rule: a view goes out directly only onto an empty, uncorked socket; otherwise it is
// copied; and when a direct write leaves bytes queued, reading stops until they are written.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OwnedReads } from '../../../proxy/io/owned-reads.ts';

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
