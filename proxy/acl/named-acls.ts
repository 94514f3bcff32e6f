// A proxy's named ACLs (HAProxy's parse_acl and find_acl_default in src/acl.c): several `acl` lines with one
// name OR together; a condition may name a pre-defined ACL (TRUE, LOCALHOST, METH_GET, ...), which is then
// added to the proxy's list like a declared one.
import type { SourceLoc, Word } from '../config/diagnostics.ts';
import type { PatternRefs } from './pattern-refs.ts';
import type { Mode } from '../config/model.ts';
import type { SampleContext } from '../sample/context.ts';
import { parseAclExpr, type AclExpr, type AclResult } from './expr.ts';

export interface AclParseContext {
  readonly baseDir: string;
  readonly mode: Mode;
  readonly proxy: string;
  /** Collects the lacking fetches and converters it uses (see SampleScope). */
  readonly notes?: Set<string>;
  /** The config's pattern files; without it (a lone expression's check) a throwaway set. */
  readonly patterns?: PatternRefs;
  warn(message: string, loc: SourceLoc): void;
}

export interface AclRegistry {
  /** `acl NAME FETCH [flags] PATTERNS...` (words after 'acl'); returns an error message or null. */
  define(words: readonly Word[], ctx: AclParseContext): string | null;
}

/** One ACL: the OR of its expressions. Expressions added by later `acl` lines count for earlier conditions too. */
export interface Acl {
  /** "" for an anonymous { ... } ACL. */
  readonly name: string;
  readonly loc: SourceLoc;
  readonly exprs: AclExpr[];
  /** Pre-defined ACL (TRUE, LOCALHOST, ...) pulled in by a condition. */
  readonly predefined: boolean;
  test(ctx: SampleContext): boolean;
  /** PASS/MISS/FAIL while data may still arrive. */
  partial(ctx: SampleContext): AclResult;
}

/** HAProxy's default_acl_list (src/acl.c). */
export const PREDEFINED_ACLS: Readonly<Record<string, readonly string[]>> = {
  TRUE: ['always_true'],
  FALSE: ['always_false'],
  LOCALHOST: ['src', '127.0.0.1/8', '::1'],
  HTTP: ['req.proto_http'],
  'HTTP_1.0': ['req.ver', '1.0'],
  'HTTP_1.1': ['req.ver', '1.1'],
  'HTTP_2.0': ['req.ver', '2.0'],
  METH_CONNECT: ['method', 'CONNECT'],
  METH_DELETE: ['method', 'DELETE'],
  METH_GET: ['method', 'GET', 'HEAD'],
  METH_HEAD: ['method', 'HEAD'],
  METH_OPTIONS: ['method', 'OPTIONS'],
  METH_POST: ['method', 'POST'],
  METH_PUT: ['method', 'PUT'],
  METH_TRACE: ['method', 'TRACE'],
  HTTP_URL_ABS: ['url_reg', '^[^/:]*://'],
  HTTP_URL_SLASH: ['url_beg', '/'],
  HTTP_URL_STAR: ['url', '*'],
  HTTP_CONTENT: ['req.hdr_val(content-length)', 'gt', '0'],
  RDP_COOKIE: ['req.rdp_cookie_cnt', 'gt', '0'],
  REQ_CONTENT: ['req.len', 'gt', '0'],
  WAIT_END: ['wait_end'],
};

// The first character HAProxy refuses in an ACL name ([A-Za-z0-9_:.-] are allowed), or null.
export function invalidNameChar(name: string): string | null {
  if (name === '') return '\0';
  for (const c of name) if (!/[A-Za-z0-9_:.\-]/.test(c)) return c;
  return null;
}

function makeAcl(name: string, loc: SourceLoc, predefined: boolean): Acl {
  const exprs: AclExpr[] = [];
  return {
    name,
    loc,
    exprs,
    predefined,
    test: (ctx) => {
      for (let i = 0; i < exprs.length; i++) if (exprs[i]!.test(ctx)) return true;
      return false;
    },
    partial: (ctx) => {
      let res = 0;
      for (let i = 0; i < exprs.length && res !== 3; i++) res |= exprs[i]!.partial(ctx);
      return res as AclResult;
    },
  };
}

// The registry behind createAclRegistry(); parseCondition needs its lookup and anonymous parsing.
export class ProxyAcls implements AclRegistry {
  private readonly byName = new Map<string, Acl>();
  /** Every expression parsed here, named or anonymous, in order (for reference checks). */
  readonly expressions: AclExpr[] = [];

  // `acl NAME ...`: the messages are cfgparse-listen.c's, without the "parsing [file:line] : " prefix.
  define(words: readonly Word[], ctx: AclParseContext): string | null {
    const name = words[0]?.text ?? '';
    const bad = invalidNameChar(name);
    // HAProxy prints the NUL it finds in an empty name, which cuts its message short; we leave the quotes empty.
    if (bad !== null) return `character '${bad === '\0' ? '' : bad}' is not permitted in acl name '${name}'.`;
    if (name.toLowerCase() === 'or') {
      return `acl name '${name}' will never match. 'or' is used to express a logical disjunction within a condition.`;
    }
    const result = this.parse(name, words.slice(1), ctx, words[0]!.loc);
    return 'error' in result ? `error detected while parsing ACL '${name}' : ${result.error}.` : null;
  }

  /** parse_acl: one expression, appended to the named ACL (created on first use) or to a new anonymous one. */
  parse(name: string, words: readonly Word[], ctx: AclParseContext, loc: SourceLoc): Acl | { error: string } {
    const expr = parseAclExpr(words, ctx);
    if ('error' in expr) return expr;
    const fetchWord = words[0]?.text ?? '';
    const firstPattern = words[1]?.text ?? '';
    if (!fetchWord.includes('(') && firstPattern.startsWith('(')) {
      ctx.warn(
        `parsing acl '${name}' :\n` +
          `  matching '${fetchWord}' for pattern '${firstPattern}' is likely a mistake and probably\n` +
          "  not what you want. Maybe you need to remove the extraneous space before '('.\n" +
          "  If you are really sure this is not an error, please insert '--' between the\n" +
          // No newline after the last line: HAProxy prints no blank line after this warning (it does after the
          // no-pattern one).
          '  match and the pattern to make this warning message disappear.',
        words[1]!.loc,
      );
    }
    let acl = name !== '' ? this.byName.get(name) : undefined;
    if (!acl) {
      acl = makeAcl(name, loc, false);
      if (name !== '') this.byName.set(name, acl);
    }
    acl.exprs.push(expr);
    this.expressions.push(expr);
    return acl;
  }

  /** A named ACL for a condition: declared ones first, then pre-defined ones (which are then remembered). */
  lookup(name: string, ctx: AclParseContext, loc: SourceLoc): Acl | { error: string } {
    const known = this.byName.get(name);
    if (known) return known;
    const def = PREDEFINED_ACLS[name];
    if (!def) return { error: `no such ACL : '${name}'` };
    const expr = parseAclExpr(def.map((text) => ({ text, loc })), ctx);
    if ('error' in expr) return expr;
    const acl = makeAcl(name, loc, true);
    acl.exprs.push(expr);
    this.expressions.push(expr);
    this.byName.set(name, acl);
    return acl;
  }

  /** Names declared so far (pre-defined ones only once a condition used them). */
  names(): string[] {
    return [...this.byName.keys()];
  }

  get(name: string): Acl | undefined {
    return this.byName.get(name);
  }
}

// A fresh, empty set of ACLs for one proxy section.
export function createAclRegistry(): AclRegistry {
  return new ProxyAcls();
}
