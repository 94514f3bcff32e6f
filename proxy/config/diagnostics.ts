// Diagnostics: every error and warning a config produces, with where it came from, worded as HAProxy words them.

export interface SourceLoc {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

export type Severity = 'alert' | 'warning' | 'notice';

export interface Diagnostic {
  readonly severity: Severity;
  readonly message: string;
  readonly loc?: SourceLoc;
  /** A suggestion shown after the message, e.g. "did you mean 'weight' maybe ?" */
  readonly hint?: string;
  /** How HAProxy prefixes the location (it varies by message); default 'parsing'. */
  readonly form?: DiagnosticForm;
  /**
   * HAProxy's ERR_ABORT (a rule its parser refused): haproxy reads no further line and exits without its
   * checks. The engine still reads on, so every error is shown; `lab proxy -c` prints what haproxy would.
   */
  readonly abort?: boolean;
}

/**
 * 'parsing': "parsing [f:l] : msg" (most keywords); 'parsing-tight': "parsing [f:l]: msg" (line syntax, some
 * rules); 'Parsing-tight': the same capitalised (post-parse checks such as log-format's samples); 'bracket':
 * "[f:l] : msg" (server lines); 'plain': the message alone, which names its place itself.
 */
export type DiagnosticForm = 'parsing' | 'parsing-tight' | 'Parsing-tight' | 'bracket' | 'plain';

// One line as HAProxy prints it: "[ALERT]    (pid) : config : parsing [file:line] : message".
export function formatDiagnostic(d: Diagnostic, pid: number = process.pid): string {
  const tag = d.severity === 'alert' ? '[ALERT]  ' : d.severity === 'warning' ? '[WARNING]' : '[NOTICE] ';
  const form = d.form ?? 'parsing';
  const where = !d.loc || form === 'plain' ? ''
    : form === 'bracket' ? `[${d.loc.file}:${d.loc.line}] : `
    : form === 'parsing-tight' ? `parsing [${d.loc.file}:${d.loc.line}]: `
    : form === 'Parsing-tight' ? `Parsing [${d.loc.file}:${d.loc.line}]: `
    : `parsing [${d.loc.file}:${d.loc.line}] : `;
  // HAProxy joins its suggestions with "; " ("unknown keyword 'x'; did you mean 'y' maybe ?").
  const hint = d.hint ? `; ${d.hint}` : '';
  return `${tag}  (${pid}) : config : ${where}${d.message}${hint}`;
}

export function hasErrors(ds: readonly Diagnostic[]): boolean {
  return ds.some((d) => d.severity === 'alert');
}

/** Thrown where a caller needs a loaded config and the text had alerts. */
export class ConfigError extends Error {
  constructor(readonly diagnostics: readonly Diagnostic[]) {
    super(diagnostics.filter((d) => d.severity === 'alert').map((d) => formatDiagnostic(d)).join('\n'));
    this.name = 'ConfigError';
  }
}

/** One word of a config line, where it stands. The tokenizer makes them; parsers keep them for messages. */
export interface Word {
  readonly text: string;
  readonly loc: SourceLoc;
}
