// Loads haproxy.cfg text (files, as `haproxy -f a -f b`, or an in-memory buffer) into a ConfigModel plus every
// diagnostic; the model is null when any alert was raised, as `haproxy -c` would refuse the config.
import { readFileSync, statSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { ConfigSource, LoadResult } from './api.ts';
import { buildModel } from './config/build-model.ts';
import { hasErrors, type Diagnostic } from './config/diagnostics.ts';
import { parseConfig, type ConfigText, type ParseOptions } from './config/parse.ts';
import { PatternRefs } from './acl/pattern-refs.ts';
import { validate } from './config/validate.ts';

export interface LoadOptions {
  /** Environment for "${VAR}" expansion; default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** HAProxy's -L: this process's peer name (default: `localpeer`, else the host name). */
  readonly localPeer?: string;
}

// A directory given to -f loads its *.cfg files in lexical order, as HAProxy does.
function expand(path: string): string[] {
  try {
    if (statSync(path).isDirectory()) {
      return readdirSync(path)
        .filter((f) => f.endsWith('.cfg'))
        .sort()
        .map((f) => join(path, f));
    }
  } catch {
    // reported by the read below
  }
  return [path];
}

// Parses and validates a config; see LoadResult.
export function loadConfig(source: ConfigSource, options: LoadOptions = {}): LoadResult {
  const texts: ConfigText[] = [];
  const diagnostics: Diagnostic[] = [];
  let baseDir = process.cwd();
  if ('files' in source) {
    if (source.files.length === 0) {
      diagnostics.push({ severity: 'alert', message: 'No configuration file specified. Use -f <file> to name one.' });
    }
    for (const f of source.files.flatMap(expand)) {
      try {
        texts.push({ name: f, text: readFileSync(f, 'utf8'), isFile: true });
      } catch (e) {
        const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'No such file or directory' : (e as Error).message;
        diagnostics.push({ severity: 'alert', message: `Cannot open configuration file/directory ${f} : ${reason}` });
      }
    }
    if (source.files[0] !== undefined) baseDir = dirname(resolve(source.files[0]));
  } else {
    texts.push({ name: source.name, text: source.text, isFile: false });
  }
  const patterns = new PatternRefs(baseDir);
  return loadParsed(texts, diagnostics, { baseDir, patterns, ...(options.env ? { env: options.env } : {}), ...(options.localPeer !== undefined ? { localPeer: options.localPeer } : {}) });
}

// Parse, validation and the model, all registering pattern files in this load's references.
function loadParsed(texts: readonly ConfigText[], diagnostics: Diagnostic[], parseOptions: ParseOptions): LoadResult {
  const parsed = parseConfig(texts, parseOptions);
  // File errors come first, as HAProxy prints them before parsing; validation sees them too.
  parsed.diagnostics.unshift(...diagnostics);
  const readCount = parsed.diagnostics.length;
  validate(parsed);
  const all = parsed.diagnostics;
  const files = texts.map((t) => t.name);
  if (hasErrors(all)) return { model: null, diagnostics: all, readCount };
  return { model: buildModel(parsed, files, all), diagnostics: all, readCount };
}
