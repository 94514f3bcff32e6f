// The start-up check that decides whether dist/ is still the build of the sources (bin/lib/build-manifest.js).
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript without declarations: it runs before any build
import { ROOT, depsStamp, fileStamp, staleReason } from '../../bin/lib/build-manifest.js';

type Stamp = [string, number, number, string];

describe('the build manifest check', () => {
  let dir: string;
  let file: string;
  let rel: string;
  const manifest = (inputs: Stamp[]) => ({ version: 1, deps: depsStamp(), inputs, outputs: [] });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lab-build-manifest-'));
    file = join(dir, 'source.ts');
    writeFileSync(file, 'export const a = 1;\n');
    rel = relative(ROOT, file);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('calls a build fresh while every source has the stamp it was built from', () => {
    expect(staleReason(manifest([fileStamp(rel)]))).toBeNull();
  });

  it('names the source that changed since the build', () => {
    const stamp = fileStamp(rel);
    writeFileSync(file, 'export const a = 2;\n');
    expect(staleReason(manifest([stamp]))).toBe(`${rel} changed since the build`);
  });

  it('keeps a build fresh when a source was rewritten with the same bytes (a checkout, an editor)', () => {
    const stamp = fileStamp(rel);
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    expect(staleReason(manifest([stamp]))).toBeNull();
  });

  it('names a source that is gone, and a build with no manifest', () => {
    const stamp = fileStamp(rel);
    rmSync(file);
    expect(staleReason(manifest([stamp]))).toBe(`${rel} is gone since the build`);
    expect(staleReason(null)).toMatch(/^no build yet/);
  });

  it('calls a build stale when npm changed node_modules after it', () => {
    const m = { ...manifest([fileStamp(rel)]), deps: [0, 0] };
    expect(staleReason(m)).toBe('node_modules changed since the build');
  });

  it('calls a build stale when one of its chunks is missing', () => {
    const m = { ...manifest([fileStamp(rel)]), outputs: ['no-such-chunk.js'] };
    expect(staleReason(m)).toBe('dist/no-such-chunk.js is missing');
  });
});
