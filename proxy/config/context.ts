// What a keyword handler sees: the line's words, where they stand, and ways to report in HAProxy's wording.
import type { DeclaredTable } from './keywords-peers.ts';
import type { ErrorfilesRef } from '../http/actions/http-reply.ts';
import type { SampleScope } from '../sample/scope.ts';
import type { PatternRefs } from '../acl/pattern-refs.ts';
import type { AclParseContext, AclRegistry } from '../acl/index.ts';
import type { Diagnostic, DiagnosticForm, SourceLoc, Word } from './diagnostics.ts';
import type { GlobalDraft, ProxyDraft } from './draft.ts';
import type { ConfigLine } from './tokenize.ts';

/** "no option x" / "default option x" / plain. */
export type KeywordModifier = 'std' | 'no' | 'default';

export interface ReportOptions {
  readonly form?: DiagnosticForm;
  readonly hint?: string | undefined;
  /** The word the message is about (for its column); default the line's first word. */
  readonly at?: Word | undefined;
  /** HAProxy's ERR_ABORT: haproxy stops reading after this line (see Diagnostic.abort). */
  readonly abort?: boolean;
}

export interface ParseState {
  readonly diagnostics: Diagnostic[];
  readonly global: GlobalDraft;
  /** Directory that relative paths (acl -f, errorfile) are read from. */
  readonly baseDir: string;
  /** Environment for "${VAR}"; addresses expand it again (see config/address.ts). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Replies naming an http-errors section (deny ... errorfiles NAME), resolved once every section is read. */
  readonly errorfilesRefs?: ErrorfilesRef[];
  /** Stick tables declared so far (proxies' and peers sections'), which a new table's name may not repeat. */
  readonly tables?: DeclaredTable[];
  /** What the line being read uses that HAProxy has and the engine lacks; the reader warns and empties it per line. */
  readonly notes: Set<string>;
  /** The pattern files and maps this config loads (acl -f, map converters), shared by every line. */
  readonly patterns: PatternRefs;
}

export class LineContext {
  constructor(
    readonly line: ConfigLine,
    /** The words, without a leading "no"/"default". */
    readonly args: readonly Word[],
    readonly kwm: KeywordModifier,
    readonly state: ParseState,
  ) {}

  /** What a sample expression on this line is compiled in: the global section here. */
  get sampleScope(): SampleScope {
    return { proxy: '', notes: this.state.notes, patterns: this.state.patterns };
  }

  get loc(): SourceLoc {
    return this.args[0]?.loc ?? { file: this.line.file, line: this.line.line, col: 1 };
  }

  /** Word i's text, or '' past the end (as HAProxy's args[] are). */
  arg(i: number): string {
    return this.args[i]?.text ?? '';
  }

  word(i: number): Word | undefined {
    return this.args[i];
  }

  /** Count of words. */
  get count(): number {
    return this.args.length;
  }

  report(severity: Diagnostic['severity'], message: string, opts: ReportOptions = {}): void {
    const at = opts.at?.loc ?? this.loc;
    this.state.diagnostics.push({
      severity,
      message,
      loc: at,
      ...(opts.hint ? { hint: opts.hint } : {}),
      ...(opts.form ? { form: opts.form } : {}),
      ...(opts.abort ? { abort: true } : {}),
    });
  }

  alert(message: string, opts: ReportOptions = {}): void {
    this.report('alert', message, opts);
  }

  warn(message: string, opts: ReportOptions = {}): void {
    this.report('warning', message, opts);
  }

  /** A valid HAProxy keyword the lab does not implement: visible, never silent. */
  unsupported(what: string, opts: ReportOptions = {}): void {
    this.warn(`${what} is not supported by HAProxy Lab yet and is ignored.`, opts);
  }

  /** HAProxy's alertif_too_many_args_idx(): alerts when a word exists past args[index + maxarg]. */
  tooManyArgs(maxarg: number, index = 0): boolean {
    const extra = index + maxarg + 1;
    if (this.count <= extra) return false;
    const kw = this.args.slice(0, index + 1).map((w) => w.text).join(' ');
    this.alert(`'${kw}' cannot handle unexpected argument '${this.arg(extra)}'.`, { at: this.word(extra) });
    return true;
  }
}

// HAProxy's proxy_cap_str(): a listen section is called a "proxy" in messages.
export function proxyTypeStr(kind: ProxyDraft['kind']): string {
  return kind === 'listen' ? 'proxy' : kind;
}

export class ProxyLineContext extends LineContext {
  constructor(
    line: ConfigLine,
    args: readonly Word[],
    kwm: KeywordModifier,
    state: ParseState,
    readonly proxy: ProxyDraft,
    readonly acls: AclRegistry,
  ) {
    super(line, args, kwm, state);
  }

  /** As HAProxy's proxy_type_str() says it: "frontend", "backend", "defaults", and "proxy" for a listen. */
  get proxyType(): string {
    return proxyTypeStr(this.proxy.kind);
  }

  /** What a sample expression on this line is compiled in: this section. */
  override get sampleScope(): SampleScope {
    return { proxy: this.proxy.name, notes: this.state.notes, patterns: this.state.patterns };
  }

  get hasFrontend(): boolean {
    return this.proxy.kind !== 'backend';
  }

  get hasBackend(): boolean {
    return this.proxy.kind !== 'frontend';
  }

  get isDefaults(): boolean {
    return this.proxy.kind === 'defaults';
  }

  aclContext(): AclParseContext {
    const diagnostics = this.state.diagnostics;
    return {
      baseDir: this.state.baseDir,
      mode: this.proxy.mode,
      proxy: this.proxy.name,
      notes: this.state.notes,
      patterns: this.state.patterns,
      // HAProxy's acl.c warns with ha_warning() alone: the message names the keyword, no "parsing [file:line]".
      warn(message: string, loc: SourceLoc) {
        diagnostics.push({ severity: 'warning', message, loc, form: 'plain' });
      },
    };
  }

  /** HAProxy's warnifnotcap(): true (and a warning) when the proxy lacks the capability. */
  notCap(cap: 'frontend' | 'backend', what: string, extra = ''): boolean {
    const ok = cap === 'frontend' ? this.hasFrontend : this.hasBackend;
    if (ok) return false;
    this.warn(`'${what}' ignored because ${this.proxyType} '${this.proxy.name}' has no ${cap} capability.${extra}`);
    return true;
  }
}
