// One cache section at run time: objects keyed as HAProxy keys them ("https://" + Host + URI for an origin-form
// request, else the absolute URI; SHA-1 of it, whose first 32 bits `show cache` prints), each with the head
// stored by cache-store, the body, its expiry, the Age the server gave, the Last-Modified date and the ETag.
// The oldest objects make room for new ones, as the shared context's block reuse does.
import { createHash } from 'node:crypto';
import { CACHE_BLOCKSIZE, type CacheSpec } from './cache-section.ts';

export interface CachedHead {
  readonly status: number;
  readonly reason: string;
  readonly headers: readonly string[];
}

export interface CacheEntry {
  readonly key: string;
  readonly hash: Buffer;
  readonly head: CachedHead;
  readonly body: Buffer;
  /** Seconds (epoch) when it was stored, and when it expires. */
  readonly stored: number;
  readonly expire: number;
  /** The Age header the server sent, in seconds. */
  readonly age: number;
  /** Last-Modified (else Date, else the storage time), in seconds, for If-Modified-Since. */
  readonly lastModified: number;
  readonly etag: string | undefined;
  /** Bytes as HAProxy's blocks count them: the head's HTX blocks and the body. */
  readonly size: number;
}

export class ObjectCache {
  private readonly entries = new Map<string, CacheEntry>();
  private usedBlocks = 0;

  constructor(readonly spec: CacheSpec) {}

  /** A fresh object for the key, or undefined (an expired one is dropped). */
  get(key: string, now: number): CacheEntry | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expire <= now) {
      this.delete(key);
      return undefined;
    }
    return e;
  }

  delete(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    this.usedBlocks -= blocks(e.size);
  }

  /** Stores an object in place of any with its key; false when it can never fit. */
  put(e: CacheEntry): boolean {
    const need = blocks(e.size);
    if (need > this.spec.maxBlocks) return false;
    this.delete(e.key);
    for (const oldest of this.entries.keys()) {
      if (this.usedBlocks + need <= this.spec.maxBlocks) break;
      this.delete(oldest);
    }
    this.entries.set(e.key, e);
    this.usedBlocks += need;
    return true;
  }

  /** `show cache`: the header line, then each live object (expired ones are dropped as they are met). */
  show(now: number): string {
    let out = `0x0: ${this.spec.name} (shctx:0x0, available blocks:${this.spec.maxBlocks - this.usedBlocks})\n`;
    for (const [key, e] of [...this.entries]) {
      if (e.expire <= now) {
        this.delete(key);
        continue;
      }
      out += `0x0 hash:${e.hash.readUInt32LE(0)} vary:0x${'00'.repeat(HTTP_CACHE_SEC_KEY_LEN)} size:${e.size} (${blocks(e.size)} blocks), refcount:0, expire:${e.expire - now}\n`;
    }
    return out;
  }
}

const HTTP_CACHE_SEC_KEY_LEN = 8;

function blocks(size: number): number {
  return Math.max(1, Math.ceil(size / CACHE_BLOCKSIZE));
}

/** sha1_hosturi(): the primary key of a request, or undefined when it has none (no Host on an origin-form URI). */
export function cacheKey(uri: string, host: string | undefined): { key: string; hash: Buffer } | undefined {
  if (uri === '') return undefined;
  let key: string;
  if (uri.startsWith('/') || uri === '*') {
    if (host === undefined) return undefined;
    key = `https://${host}${uri}`;
  } else key = uri;
  return { key, hash: createHash('sha1').update(key, 'latin1').digest() };
}
