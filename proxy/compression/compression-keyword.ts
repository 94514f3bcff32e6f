// The `compression` keyword of defaults/frontend/backend/listen sections (parse_compression_options() of
// src/flt_http_comp.c): algorithms and content types, each list prepended to as HAProxy's comp_append_algo() and
// comp_append_type() do, and `offload`, which a defaults section cannot hand on.
import type { ProxyLineContext } from '../config/context.ts';

/** The algorithms HAProxy 2.6 knows (comp_algos[]), by their configuration name. */
export const COMPRESSION_ALGOS = ['identity', 'deflate', 'raw-deflate', 'gzip'] as const;
export type CompressionAlgo = (typeof COMPRESSION_ALGOS)[number];

/** A proxy's compression settings, as its section (and the defaults before it) wrote them. */
export interface CompressionSpec {
  /** Most recently written first, which is the order '*' in Accept-Encoding picks from. */
  readonly algos: readonly CompressionAlgo[];
  /** Content-Type prefixes to compress (none: any type), most recently written first. */
  readonly types: readonly string[];
  readonly offload: boolean;
}

export interface CompressionDraft {
  algos: CompressionAlgo[];
  types: string[];
  offload: boolean;
}

/** What a section inherits from its defaults: the algorithms and types, never `offload` (proxy_preset_defaults). */
export function inheritCompression(from: CompressionDraft | undefined): CompressionDraft | undefined {
  return from ? { algos: [...from.algos], types: [...from.types], offload: false } : undefined;
}

export function freezeCompression(d: CompressionDraft | undefined): CompressionSpec | undefined {
  return d ? { algos: [...d.algos], types: [...d.types], offload: d.offload } : undefined;
}

// compression algo ALGO... | type TYPE... | offload
export function parseCompression(c: ProxyLineContext): void {
  // HAProxy allocates the settings before it reads the line, so even a refused line leaves them in place
  const comp = (c.proxy.compression ??= { algos: [], types: [], offload: false });
  const sub = c.arg(1);
  if (sub === 'algo') {
    if (c.arg(2) === '') {
      c.alert(`parsing [${c.loc.file}:${c.loc.line}] : 'compression' expects <algorithm>.`);
      return;
    }
    for (let i = 2; i < c.count; i++) {
      const name = c.arg(i);
      if (!(COMPRESSION_ALGOS as readonly string[]).includes(name)) {
        c.alert(`'compression' : '${name}' is not a supported algorithm.`, { at: c.word(i) });
        return;
      }
      comp.algos.unshift(name as CompressionAlgo);
    }
  } else if (sub === 'type') {
    if (c.arg(2) === '') {
      c.alert(`'compression' expects <type>.`);
      return;
    }
    for (let i = 2; i < c.count; i++) comp.types.unshift(c.arg(i));
  } else if (sub === 'offload') {
    if (c.proxy.kind === 'defaults') c.warn(`'compression' : 'offload' ignored in 'defaults' section.`);
    comp.offload = true;
  } else c.alert(`'compression' expects 'algo', 'type' or 'offload'`);
}
