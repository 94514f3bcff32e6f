// dist/manifest.json: what the build was made from, so a start can tell cheaply whether dist/ is still the sources'
// build. Each own source (every file the bundle took outside node_modules, plus tsconfig.json, package.json and the
// build scripts) is kept with its mtime, size and sha1; the dependencies by npm's record of node_modules, which
// every `npm install` / `npm ci` rewrites. A check is one stat per source (~190 files); a file is read and hashed
// only when its mtime moved (a checkout or an editor that rewrote the same bytes does not force a build).
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DIST = path.join(ROOT, 'dist');
export const MANIFEST = path.join(DIST, 'manifest.json');
export const ENTRY = path.join(DIST, 'cli.js');
const DEPS_RECORD = path.join(ROOT, 'node_modules', '.package-lock.json');

function sha1(file) {
  return createHash('sha1').update(readFileSync(file)).digest('hex');
}

// [path relative to the root, mtime in ms, size, sha1]
export function fileStamp(rel) {
  const abs = path.join(ROOT, rel);
  const st = statSync(abs);
  return [rel, st.mtimeMs, st.size, sha1(abs)];
}

// npm's record of what node_modules holds; absent when node_modules was not made by npm.
export function depsStamp() {
  try {
    const st = statSync(DEPS_RECORD);
    return [st.mtimeMs, st.size];
  } catch {
    return null;
  }
}

export function readManifest() {
  try {
    const m = JSON.parse(readFileSync(MANIFEST, 'utf8'));
    return m && m.version === 1 && Array.isArray(m.inputs) ? m : null;
  } catch {
    return null;
  }
}

// Why dist/ is not the build of the sources as they are now, or null when it is.
export function staleReason(manifest = readManifest()) {
  if (!manifest) return 'no build yet (dist/manifest.json is missing)';
  const deps = depsStamp();
  if (JSON.stringify(deps) !== JSON.stringify(manifest.deps)) return 'node_modules changed since the build';
  for (const [rel, mtimeMs, size, hash] of manifest.inputs) {
    const abs = path.join(ROOT, rel);
    let st;
    try {
      st = statSync(abs);
    } catch {
      return `${rel} is gone since the build`;
    }
    if (st.mtimeMs === mtimeMs && st.size === size) continue;
    if (st.size !== size || sha1(abs) !== hash) return `${rel} changed since the build`;
  }
  for (const name of manifest.outputs) {
    try {
      statSync(path.join(DIST, name));
    } catch {
      return `dist/${name} is missing`;
    }
  }
  return null;
}
