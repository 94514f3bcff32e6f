#!/usr/bin/env node
// The `lab` command: runs the build in dist/ (made at install by `npm run build`), after checking that it is the
// build of the sources as they are now; when it is not (a source changed, npm installed something, no build yet)
// it says why on stderr and builds again first. `npm test` runs the TypeScript sources directly (vitest + tsx).
import { pathToFileURL } from 'node:url';
import { ENTRY, staleReason } from './lib/build-manifest.js';

const why = staleReason();
if (why) {
  const { buildLab, formatBuildError } = await import('./lib/build-lab.js');
  process.stderr.write(`lab: rebuilding dist/: ${why}\n`);
  try {
    await buildLab();
  } catch (err) {
    process.stderr.write(`lab: the build failed, so there is no lab to run:\n${formatBuildError(err)}\n`);
    process.exit(1);
  }
}
await import(pathToFileURL(ENTRY).href);
