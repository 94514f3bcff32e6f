// The peers protocol's binary messages after the handshake (src/peers.c): two header bytes (class, type); types
// with bit 7 set (the stick-table ones) carry a varint length and that many bytes of body.
import { decodeVarint, encodeVarint } from './varint.ts';

export const MSG = {
  CLASS_CONTROL: 0,
  CLASS_ERROR: 1,
  CLASS_STICKTABLE: 10,
  CLASS_RESERVED: 255,
  CTRL_RESYNCREQ: 0,
  CTRL_RESYNCFINISHED: 1,
  CTRL_RESYNCPARTIAL: 2,
  CTRL_RESYNCCONFIRM: 3,
  CTRL_HEARTBEAT: 4,
  ERR_PROTOCOL: 0,
  ERR_SIZELIMIT: 1,
  STKT_UPDATE: 0x80,
  STKT_INCUPDATE: 0x81,
  STKT_DEFINE: 0x82,
  STKT_SWITCH: 0x83,
  STKT_ACK: 0x84,
  STKT_UPDATE_TIMED: 0x85,
  STKT_INCUPDATE_TIMED: 0x86,
} as const;

/** HAProxy reads a message body into its trash buffer (tune.bufsize, 16384 by default): a longer one is refused. */
export const MAX_BODY = 16384;

export interface PeerMessage {
  readonly cls: number;
  readonly type: number;
  /** The body of a stick-table message (empty for the others). */
  readonly body: Buffer;
}

/** A two-byte message (control and error classes). */
export function controlMessage(cls: number, type: number): Buffer {
  return Buffer.from([cls, type]);
}

/** A stick-table class message with its length-prefixed body. */
export function tableMessage(type: number, body: readonly number[] | Buffer): Buffer {
  const head: number[] = [MSG.CLASS_STICKTABLE, type];
  encodeVarint(body.length, head);
  return Buffer.concat([Buffer.from(head), Buffer.isBuffer(body) ? body : Buffer.from(body)]);
}

export type ReadResult = { message: PeerMessage; used: number } | { need: true } | { error: 'proto' | 'size' };

/** peer_recv_msg(): one message from the start of buf, or how reading it failed. */
export function readMessage(buf: Buffer): ReadResult {
  if (buf.length < 2) return { need: true };
  const cls = buf[0]!;
  const type = buf[1]!;
  if ((type & 0x80) === 0) return { message: { cls, type, body: Buffer.alloc(0) }, used: 2 };
  // the length is read from at most 5 bytes (a 32-bit varint); a longer encoding is malformed
  const len = decodeVarint(buf, 2, Math.min(buf.length, 7));
  if (!len) return buf.length >= 7 ? { error: 'proto' } : { need: true };
  if (len.value > MAX_BODY) return { error: 'size' };
  if (buf.length < len.next + len.value) return { need: true };
  return { message: { cls, type, body: buf.subarray(len.next, len.next + len.value) }, used: len.next + len.value };
}
