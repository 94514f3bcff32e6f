#!/usr/bin/env node
// `npm run build` (and `prepare`, which npm install / npm ci run): compiles the lab into dist/ for bin/lab.js.
import { buildLab, formatBuildError } from './lib/build-lab.js';

try {
  const r = await buildLab();
  console.error(`lab: built dist/ from ${r.inputs} source files in ${Math.round(r.ms)} ms`);
} catch (err) {
  console.error(`lab: the build failed:\n${formatBuildError(err)}`);
  process.exit(1);
}
