// The lab reaches the engine only through its public API (proxy/index.ts), so the engine can change shape
// behind it: every static or dynamic import in lab/ that lands in proxy/ must land on proxy/index.ts.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const proxyDir = join(root, 'proxy');
const frontDoor = join(proxyDir, 'index.ts');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return /\.(ts|tsx|js|mjs)$/.test(e.name) ? [p] : [];
  });
}

// Every module specifier: import/export ... from '...', import('...'), and a bare import '...'.
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)(['"])([^'"]+)\1/gm;

// The imports of one file (its path and text) that land in proxy/ but not on proxy/index.ts, as "file:line: spec".
function backDoors(file: string, text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(SPECIFIER)) {
    const spec = m[2]!;
    if (!spec.startsWith('.')) continue;
    const target = resolve(dirname(file), spec);
    if (target.startsWith(proxyDir + '/') && target !== frontDoor) {
      found.push(`${relative(root, file)}:${text.slice(0, m.index).split('\n').length}: ${spec}`);
    }
  }
  return found;
}

describe('the lab and the engine', () => {
  it('imports proxy/ only through proxy/index.ts', () => {
    expect(sources(join(root, 'lab')).flatMap((f) => backDoors(f, readFileSync(f, 'utf8')))).toEqual([]);
  });

  it('names a file that reaches past the front door, with the line, and lets the front door through', () => {
    const text = [
      "import { createEngine } from '../../proxy/index.ts';",
      "import type { EngineEvent } from '../../proxy/events.ts';",
      "const acl = await import('../../proxy/acl/index.ts');",
      "export { loadConfig } from '../../proxy/load-config.ts';",
      "import { render } from 'ink';",
    ].join('\n');
    expect(backDoors(join(root, 'lab', 'tui', 'probe.ts'), text)).toEqual([
      'lab/tui/probe.ts:2: ../../proxy/events.ts',
      'lab/tui/probe.ts:3: ../../proxy/acl/index.ts',
      'lab/tui/probe.ts:4: ../../proxy/load-config.ts',
    ]);
  });
});
