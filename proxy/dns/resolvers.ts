// One "resolvers" section at run time, scheduled as HAProxy 2.6's process_resolvers() schedules it: a name is
// asked again once `hold valid` passed since its last valid answer (`timeout resolve` after a failure); the
// preferred type first (AAAA unless resolve-prefer ipv4), the other at once on an error, then `timeout retry`
// between attempts until `resolve_retries` are spent. Requesters (servers) hear of each answer or failure.
//
// Queries only ever go to name servers on loopback: the lab sends no DNS packet off the machine.
import dgram from 'node:dgram';
import net from 'node:net';
import { randomInt } from 'node:crypto';
import type { ResolversSpec } from '../config/model.ts';
import { decodeResponse, encodeQuery, queryId, type QueryType } from './dns-wire.ts';
import { AnswerRecords } from './answer-records.ts';

export type ResolutionStatus = 'none' | 'valid' | 'nx' | 'refused' | 'timeout' | 'other' | 'invalid';

export interface Requester {
  readonly fqdn: string;
  readonly prefer: QueryType;
  /** A valid answer (its records merged into `records`), received from name server `via` ("resolvers/nameserver"). */
  answered(records: AnswerRecords, via: string): void;
  /** The resolution failed; `lastValid` is when it last succeeded (or started). True: the records are kept for it. */
  failed(status: ResolutionStatus, lastValid: number, records: AnswerRecords): boolean;
}

interface Resolution {
  readonly fqdn: string;
  readonly prefer: QueryType;
  readonly requesters: Requester[];
  readonly records: AnswerRecords;
  status: ResolutionStatus;
  lastValid: number;
  lastResolution?: number;
  running: boolean;
  tries: number;
  type: QueryType;
  id: number;
  queries: number;
  responses: number;
  lastQuery: number;
}

export interface ResolverOptions {
  readonly now?: () => number;
  /** Told once per name server that is skipped because it is not on loopback. */
  readonly warn?: (message: string) => void;
}

const isLoopback = (host: string): boolean => host.startsWith('127.') || host === '::1';

export class ResolverSet {
  private readonly resolutions: Resolution[] = [];
  private readonly byId = new Map<number, Resolution>();
  private socket: dgram.Socket | null = null;
  private started = false;
  /** One connection per `tcp@` name server, opened when a query is due (HAProxy's dns_stream sessions). */
  private readonly streams = new Map<ResolversSpec['nameservers'][number], StreamChannel>();
  private timer: NodeJS.Timeout | null = null;
  private readonly now: () => number;
  private readonly servers: ResolversSpec['nameservers'];

  constructor(readonly spec: ResolversSpec, opts: ResolverOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.servers = spec.nameservers.filter((ns) => {
      if (isLoopback(ns.host)) return true;
      opts.warn?.(`resolvers '${spec.name}': nameserver '${ns.name}' (${ns.host}) is not on loopback; HAProxy Lab sends no DNS query off this machine, so it is not used.`);
      return false;
    });
  }

  /** Adds a requester; requesters of one name and preferred type share a resolution. */
  add(req: Requester): void {
    let r = this.resolutions.find((x) => x.fqdn === req.fqdn && x.prefer === req.prefer);
    if (!r) {
      r = { fqdn: req.fqdn, prefer: req.prefer, requesters: [], records: new AnswerRecords(), status: 'none', lastValid: this.now(), running: false, tries: 0, type: req.prefer, id: -1, queries: 0, responses: 0, lastQuery: 0 };
      this.resolutions.push(r);
    }
    r.requesters.push(req);
  }

  start(): void {
    if (this.started || this.servers.length === 0) return;
    this.started = true;
    const dgrams = this.servers.filter((s) => !s.stream);
    if (dgrams.length > 0) {
      const sock = dgram.createSocket(dgrams.some((s) => s.host.includes(':')) ? 'udp6' : 'udp4');
      sock.on('message', (msg, rinfo) => this.receive(msg, `${rinfo.address}:${rinfo.port}`));
      sock.on('error', () => {});
      sock.bind(0);
      sock.unref();
      this.socket = sock;
    }
    for (const ns of this.servers) if (ns.stream) this.streams.set(ns, new StreamChannel(ns.host, ns.port, (msg) => this.receive(msg, `${ns.host}:${ns.port}`)));
    this.process();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.started = false;
    this.socket?.close();
    this.socket = null;
    for (const s of this.streams.values()) s.close();
    this.streams.clear();
  }

  private send(r: Resolution): void {
    r.queries = 0;
    r.responses = 0;
    r.lastQuery = this.now();
    const msg = encodeQuery(r.id, r.fqdn, r.type, this.spec.acceptedPayloadSize);
    for (const ns of this.servers) {
      if (ns.stream) this.streams.get(ns)?.send(msg);
      else this.socket?.send(msg, ns.port, ns.host);
      r.queries++;
    }
  }

  private reset(r: Resolution): void {
    this.byId.delete(r.id);
    r.running = false;
    r.lastResolution = this.now();
    r.type = r.prefer;
    r.tries = 0;
  }

  private run(r: Resolution): void {
    let id = randomInt(0, 65536);
    for (let i = 0; i < 100 && this.byId.has(id); i++) id = randomInt(0, 65536);
    r.id = id;
    this.byId.set(id, r);
    r.running = true;
    r.type = r.prefer;
    r.tries = this.spec.resolveRetries - 1;
    this.send(r);
  }

  private fail(r: Resolution): void {
    let keep = false;
    for (const q of r.requesters) keep = q.failed(r.status, r.lastValid, r.records) || keep;
    if (!keep) r.records.clear();
    this.reset(r);
  }

  // process_resolvers(): retries or gives up on running resolutions, starts the ones due, sets the next wake-up.
  private process(): void {
    if (!this.started) return;
    const now = this.now();
    for (const r of this.resolutions) {
      if (!r.running || now < r.lastQuery + this.spec.timeoutRetry) continue;
      if (r.tries <= 0) {
        if (r.responses === 0) r.status = 'timeout';
        this.fail(r);
        continue;
      }
      if (r.responses === 0 || r.type !== r.prefer) {
        r.type = r.prefer;
        r.tries--;
      } else {
        r.type = r.prefer === 'A' ? 'AAAA' : 'A';
      }
      this.send(r);
    }
    for (const r of this.resolutions) {
      if (r.running) continue;
      const wait = r.status === 'valid' ? this.spec.hold.valid : this.spec.timeoutResolve;
      if (r.lastResolution !== undefined && now < r.lastResolution + wait) continue;
      this.run(r);
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    const now = this.now();
    let next = Number.POSITIVE_INFINITY;
    for (const r of this.resolutions) {
      const at = r.running ? r.lastQuery + this.spec.timeoutRetry : (r.lastResolution ?? now) + (r.status === 'valid' ? this.spec.hold.valid : this.spec.timeoutResolve);
      next = Math.min(next, at);
    }
    if (next === Number.POSITIVE_INFINITY) return;
    this.timer = setTimeout(() => this.process(), Math.max(1, next - now));
    this.timer.unref();
  }

  // resolv_process_responses() for one datagram.
  private receive(msg: Buffer, from: string): void {
    const ns = this.servers.find((s) => `${s.host}:${s.port}` === from || (s.host === '::1' && from.endsWith(`:${s.port}`)));
    if (!ns) return;
    if (msg.length > this.spec.acceptedPayloadSize) return;
    const id = queryId(msg);
    const r = id === undefined ? undefined : this.byId.get(id);
    if (!r || !r.running) return;
    r.responses++;
    const verdict = decodeResponse(msg, r.type);
    if (verdict.kind !== 'valid') {
      r.status = verdict.kind;
      if (r.responses < r.queries) return;
      if (r.type !== r.prefer) {
        if (r.tries <= 0) this.fail(r);
        this.schedule();
        return;
      }
      // the other family at once; the try counter stays
      r.type = r.prefer === 'A' ? 'AAAA' : 'A';
      this.send(r);
      this.schedule();
      return;
    }
    r.status = 'valid';
    r.lastValid = this.now();
    r.records.update(verdict.addresses, r.lastValid, this.spec.hold.obsolete);
    const via = `${this.spec.name}/${ns.name}`;
    // only the first requester hears it from the name server; the others from HAProxy's cache
    r.requesters.forEach((q, i) => q.answered(r.records, i === 0 ? via : 'DNS cache'));
    this.reset(r);
    this.schedule();
  }
}

// A `tcp@` name server: queries and answers each prefixed by their 2-byte length (RFC 7766), pipelined on one
// connection that is opened again when a query is due after it closed. HAProxy spreads them over sessions of 4.
class StreamChannel {
  private sock: net.Socket | null = null;
  private buf = Buffer.alloc(0);
  private closed = false;

  constructor(private readonly host: string, private readonly port: number, private readonly onMessage: (msg: Buffer) => void) {}

  send(msg: Buffer): void {
    if (this.closed) return;
    if (!this.sock) {
      const sock = net.connect({ host: this.host, port: this.port });
      sock.unref();
      sock.on('data', (d: Buffer) => this.read(d));
      sock.on('error', () => sock.destroy());
      sock.on('close', () => {
        if (this.sock === sock) {
          this.sock = null;
          this.buf = Buffer.alloc(0);
        }
      });
      this.sock = sock;
    }
    const len = Buffer.alloc(2);
    len.writeUInt16BE(msg.length);
    this.sock.write(Buffer.concat([len, msg]));
  }

  private read(d: Buffer): void {
    this.buf = Buffer.concat([this.buf, d]);
    while (this.buf.length >= 2) {
      const n = this.buf.readUInt16BE(0);
      if (this.buf.length < 2 + n) break;
      const msg = this.buf.subarray(2, 2 + n);
      this.buf = this.buf.subarray(2 + n);
      this.onMessage(msg);
    }
  }

  close(): void {
    this.closed = true;
    this.sock?.destroy();
    this.sock = null;
  }
}
