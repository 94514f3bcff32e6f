// What `lab proxy -c` prints: the lines `haproxy -c` prints for the same files, in its order. HAProxy reads every
// file, printing its diagnostics and "Error(s) found in configuration file : F" after a file that raised an alert;
// only when reading went clean does it run its post-read checks (check_config_validity) and print theirs. Its two
// start-up notices ("haproxy version is ...", "path to executable is ...") are left out: this is not that binary.
import { formatDiagnostic, type Diagnostic, type LoadResult } from '../../proxy/index.ts';

export interface CheckOutput {
  readonly code: 0 | 1;
  readonly stderr: readonly string[];
  readonly stdout: readonly string[];
}

// The output for a load of the files (as given on the command line, in order).
export function checkOutput(r: LoadResult, opts: { quiet?: boolean; pid?: number } = {}): CheckOutput {
  const pid = opts.pid ?? process.pid;
  const shown = (d: Diagnostic): boolean => d.severity === 'alert' || !opts.quiet;
  const readAll = r.diagnostics.slice(0, r.readCount ?? r.diagnostics.length);
  // HAProxy stops reading at a rule its parser refuses (ERR_ABORT); the engine reads on, to show every error
  const abortAt = readAll.findIndex((d) => d.abort);
  const read = abortAt >= 0 ? readAll.slice(0, abortAt + 1) : readAll;
  const checks = r.diagnostics.slice(r.readCount ?? r.diagnostics.length);
  const alert = (text: string): string => `[ALERT]    (${pid}) : config : ${text}`;
  const stderr: string[] = [];
  const readFailed = read.some((d) => d.severity === 'alert');
  // Files are read in order, so their diagnostics come in runs; each file's summary follows its own lines.
  let file: string | undefined;
  let fileFailed = false;
  const endFile = (): void => {
    if (file !== undefined && fileFailed) stderr.push(alert(`Error(s) found in configuration file : ${file}`));
  };
  for (const d of read) {
    const f = d.loc?.file;
    if (f !== undefined && f !== file) {
      endFile();
      file = f;
      fileFailed = false;
    }
    if (f !== undefined && d.severity === 'alert') fileFailed = true;
    if (shown(d)) stderr.push(formatDiagnostic(d, pid));
  }
  endFile();
  if (!readFailed) for (const d of checks) if (shown(d)) stderr.push(formatDiagnostic(d, pid));
  if (r.model === null) {
    // a refused rule makes HAProxy exit right after the file's summary
    if (read.some((d) => d.abort)) return { code: 1, stderr, stdout: [] };
    stderr.push(alert('Fatal errors found in configuration.'));
    return { code: 1, stderr, stdout: [] };
  }
  // haproxy -c says so on stdout too, before its verdict.
  const warned = r.diagnostics.some((d) => d.severity === 'warning');
  return { code: 0, stderr, stdout: [...(warned ? ['Warnings were found.'] : []), 'Configuration file is valid'] };
}
