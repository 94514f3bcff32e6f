// `cache NAME` sections (cfg_parse_cache() and cfg_post_parse_section_cache() of src/cache.c): the size in 1 kB
// blocks, the largest object, the longest age, Vary processing and its secondary entries, with HAProxy's words
// for what it refuses.
import type { LineContext } from '../config/context.ts';
import type { Diagnostic, SourceLoc } from '../config/diagnostics.ts';

export const CACHE_BLOCKSIZE = 1024;

export interface CacheSpec {
  readonly name: string;
  readonly loc: SourceLoc;
  /** total-max-size in 1 kB blocks. */
  readonly maxBlocks: number;
  /** max-object-size in bytes (a 256th of the cache when not set). */
  readonly maxObjectSize: number;
  /** max-age in seconds (60 when not set). */
  readonly maxAge: number;
  readonly processVary: boolean;
  readonly maxSecondaryEntries: number;
}

export interface CacheDraft {
  name: string;
  loc: SourceLoc;
  maxBlocks: number;
  maxObjectSize: number;
  maxAge: number;
  processVary: boolean;
  maxSecondaryEntries: number;
  /** A line HAProxy stops reading at (ERR_ABORT) was met: the section is never finished. */
  aborted?: boolean;
}

// strtoul() read whole: digits only (a leading '+' or blanks aside), else undefined
function wholeNumber(s: string): number | undefined {
  const m = /^\s*\+?(\d+)$/.exec(s);
  return m ? Number(m[1]) : undefined;
}

/** The section's first line; null when HAProxy refuses it (the section's lines then have nowhere to go). */
export function openCache(c: LineContext, caches: readonly CacheDraft[]): CacheDraft | null {
  const name = c.arg(1);
  if (name === '') {
    c.alert(`'cache' expects a <name> argument`, { abort: true });
    return null;
  }
  if (c.tooManyArgs(1)) return null;
  const id = name.slice(0, 32);
  if (name.length > 32) c.warn(`cache name is limited to 32 characters, truncate to '${id}'.`, { form: 'parsing-tight' });
  if (caches.some((x) => x.name === id)) {
    c.alert(`Duplicate cache name '${id}'.`, { form: 'parsing-tight', abort: true });
    return null;
  }
  return { name: id, loc: c.loc, maxBlocks: 0, maxObjectSize: 0, maxAge: 60, processVary: false, maxSecondaryEntries: 10 };
}

/** One line inside a cache section. */
export function parseCacheLine(c: LineContext, d: CacheDraft): void {
  const kw = c.arg(0);
  const v = c.arg(1);
  const tight = { form: 'parsing-tight' as const };
  switch (kw) {
    case 'total-max-size': {
      if (c.tooManyArgs(1)) return;
      const n = wholeNumber(v);
      // HAProxy says these with a warning yet stops reading (ERR_ABORT)
      if (n === undefined) return c.warn(`total-max-size wrong value '${v}'`, (d.aborted = true, { ...tight, abort: true }));
      if (n > 4095) return c.warn(`"total-max-size" (${v}) must not be greater than 4095`, (d.aborted = true, { ...tight, abort: true }));
      d.maxBlocks = n * 1024;
      return;
    }
    case 'max-age':
      if (c.tooManyArgs(1)) return;
      if (v === '') c.warn(`'max-age' expects an age parameter in seconds.`, tight);
      d.maxAge = Number.parseInt(v, 10) || 0;
      return;
    case 'max-object-size': {
      if (c.tooManyArgs(1)) return;
      if (v === '') c.warn(`'max-object-size' expects a maximum file size parameter in bytes.`, tight);
      const n = wholeNumber(v);
      if (n === undefined) return c.warn(`max-object-size wrong value '${v}'`, (d.aborted = true, { ...tight, abort: true }));
      d.maxObjectSize = n;
      return;
    }
    case 'process-vary':
      if (c.tooManyArgs(1)) return;
      if (v === 'on') d.processVary = true;
      else if (v === 'off') d.processVary = false;
      else c.warn(`'process-vary' expects "on" or "off" (enable or disable vary processing).`, tight);
      return;
    case 'max-secondary-entries': {
      if (c.tooManyArgs(1)) return;
      if (v === '') c.warn(`'max-secondary-entries' expects a strictly positive number.`, tight);
      const n = wholeNumber(v);
      if (n === undefined || n === 0) return c.warn(`max-secondary-entries wrong value '${v}'`, (d.aborted = true, { ...tight, abort: true }));
      d.maxSecondaryEntries = n;
      return;
    }
    default:
      c.alert(`unknown keyword '${kw}' in 'cache' section`);
  }
}

/** At the section's end: a size is required, max-object-size defaults to a 256th of it and may not pass half.
 *  Null (with an alert) when HAProxy refuses the section. */
export function closeCache(d: CacheDraft, diagnostics: Diagnostic[]): CacheSpec | null {
  if (d.aborted) return null;
  const bytes = d.maxBlocks * CACHE_BLOCKSIZE;
  if (d.maxBlocks <= 0) {
    diagnostics.push({ severity: 'alert', message: `Size not specified for cache '${d.name}'`, loc: d.loc, form: 'plain' });
    return null;
  }
  let maxObjectSize = d.maxObjectSize;
  if (maxObjectSize === 0) maxObjectSize = Math.floor(bytes / 256);
  else if (maxObjectSize > bytes / 2) {
    diagnostics.push({ severity: 'alert', message: `"max-object-size" is limited to an half of "total-max-size" => ${Math.floor(bytes / 2)}`, loc: d.loc, form: 'plain' });
    return null;
  }
  const { aborted: _aborted, ...rest } = d;
  return { ...rest, maxObjectSize };
}
