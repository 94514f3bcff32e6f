// Compiles the lab (lab/cli.ts and everything it imports, dependencies included) into dist/ with esbuild, so a
// start loads a few prebuilt chunks instead of compiling TypeScript through tsx and resolving ~1,000 module files.
// Plain JavaScript: it runs at install (`prepare`) and from bin/lab.js when the sources changed, before any build.
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MANIFEST, ROOT, DIST, depsStamp, fileStamp, readManifest } from './build-manifest.js';

const HERE = fileURLToPath(import.meta.url);

// Packages left out of the bundle, loaded from node_modules when used:
// - dockerode: its graph (ssh2, gRPC, protobufjs) has optional native parts, and only the docker runtime needs it;
// - react-devtools-core: Ink imports it only under DEV=true, and it is not installed.
const EXTERNAL = ['dockerode', 'react-devtools-core'];

// CommonJS dependencies bundled into ES modules call require() for Node's built-ins.
const BANNER = "import { createRequire as __labCreateRequire } from 'node:module'; const require = __labCreateRequire(import.meta.url);";

const LOADERS = { '.ts': 'ts', '.mts': 'ts', '.cts': 'ts', '.tsx': 'tsx', '.js': 'js', '.mjs': 'js', '.cjs': 'js', '.jsx': 'jsx' };

// Code reads files next to its own source (lab/runtimes/python-launcher.py, docker-reaper.mjs, episodes/, apps/,
// a package's package.json). In a chunk import.meta.url is the chunk's; this makes it the source file's again,
// relative to the chunk (dist/ is flat), so the checkout can move after the build.
function sourceUrlPlugin() {
  return {
    name: 'source-import-meta',
    setup(build) {
      build.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, (args) => {
        const text = readFileSync(args.path, 'utf8');
        if (!text.includes('import.meta')) return undefined;
        const rel = path.relative(DIST, args.path).split(path.sep).join('/');
        const url = `new URL(${JSON.stringify(rel)}, import.meta.url)`;
        const contents = text
          .replace(/\bimport\.meta\.url\b/g, `${url}.href`)
          .replace(/\bimport\.meta\.filename\b/g, `decodeURIComponent(${url}.pathname)`)
          .replace(/\bimport\.meta\.dirname\b/g, `decodeURIComponent(new URL(".", ${url}).pathname).replace(/\\/$/, "")`);
        return { contents, loader: LOADERS[path.extname(args.path)] ?? 'js', resolveDir: path.dirname(args.path) };
      });
    },
  };
}

// Writes a file so that a concurrent reader sees the old or the new one, never half of one.
function writeAtomic(file, data) {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

// Builds dist/ and its manifest; returns { ms, inputs, outputs }. Throws esbuild's error (file:line) on bad source.
export async function buildLab() {
  const started = performance.now();
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: { cli: 'lab/cli.ts' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: EXTERNAL,
    outdir: DIST,
    entryNames: '[name]',
    chunkNames: '[name]-[hash]',
    banner: { js: BANNER },
    // React and Ink in their production builds: the development ones (1 MB of react-reconciler, with checks on
    // every render) are for the tests, which run the sources under vitest.
    define: { 'process.env.NODE_ENV': '"production"' },
    sourcemap: 'linked',
    sourcesContent: false,
    metafile: true,
    write: false,
    logLevel: 'silent',
    plugins: [sourceUrlPlugin()],
  });
  mkdirSync(DIST, { recursive: true });
  const previous = readManifest();
  // Chunks first, then the entry, then the manifest: a start that reads the new manifest finds all it names.
  const files = result.outputFiles.slice().sort((a, b) => Number(path.basename(a.path).startsWith('cli.')) - Number(path.basename(b.path).startsWith('cli.')));
  for (const f of files) writeAtomic(f.path, f.contents);
  const outputs = files.map((f) => path.basename(f.path));
  // Own sources are checked one by one at start; dependencies by npm's record of node_modules.
  const inputs = Object.keys(result.metafile.inputs)
    .filter((p) => !p.split('/').includes('node_modules'))
    .concat(['tsconfig.json', 'package.json', path.relative(ROOT, HERE), path.relative(ROOT, fileURLToPath(new URL('build-manifest.js', import.meta.url)))])
    .map((rel) => fileStamp(rel));
  const manifest = { version: 1, esbuild: esbuild.version, deps: depsStamp(), inputs, outputs, builtAt: new Date().toISOString() };
  writeAtomic(MANIFEST, JSON.stringify(manifest));
  // Chunks of older builds go, except the previous build's: a process started before this build may still load them.
  const keep = new Set([...outputs, ...(previous?.outputs ?? []), path.basename(MANIFEST)]);
  for (const name of readdirSync(DIST)) {
    if (!keep.has(name) && !name.endsWith('.tmp')) rmSync(path.join(DIST, name), { force: true });
  }
  return { ms: performance.now() - started, inputs: inputs.length, outputs: outputs.length };
}

// Formats esbuild's errors as file:line:column: message.
export function formatBuildError(err) {
  const errors = err?.errors;
  if (!Array.isArray(errors) || errors.length === 0) return String(err?.message ?? err);
  return errors
    .map((e) => (e.location ? `${e.location.file}:${e.location.line}:${e.location.column + 1}: ${e.text}` : e.text))
    .join('\n');
}
