// What compiled conditions offer the engine: the fast test, the partial test of tcp-request content, and traces.
import type { SourceLoc } from '../config/diagnostics.ts';
import type { SampleContext } from '../sample/context.ts';

/**
 * A compiled if/unless condition. test() is the fast path; explain() re-evaluates for the explain view.
 * Both give the ACLs' result before polarity, as acl_exec_cond does: a rule applies when
 * `test(ctx) === (polarity === 'if')`.
 */
export interface Condition {
  readonly polarity: 'if' | 'unless';
  /** The condition's words as written, e.g. "is_admin_path !is_internal_network". */
  readonly text: string;
  readonly loc: SourceLoc;
  test(ctx: SampleContext): boolean;
  /**
   * For tcp-request content rules while data may still arrive: like test(), or undefined when the answer
   * depends on bytes not received yet (HAProxy's ACL_TEST_MISS: wait for more data or the inspect delay,
   * then decide with test()).
   */
  testPartial?(ctx: SampleContext): boolean | undefined;
  explain(ctx: SampleContext): ConditionTrace;
}

export interface AclTrace {
  /** The ACL's name, or "{ ... }" for an anonymous one. */
  readonly name: string;
  readonly negated: boolean;
  /** The fetch expression, e.g. "path_beg" or "req.hdr(User-Agent)". */
  readonly fetch: string;
  /** The sample values the fetch returned (stringified), empty when it found nothing. */
  readonly values: readonly string[];
  /** The ACL's own result, before negation. */
  readonly matched: boolean;
  /** Which pattern matched, when one did. */
  readonly pattern?: string;
  readonly loc?: SourceLoc;
}

export interface ConditionTrace {
  readonly result: boolean;
  /** Every ACL evaluated, in order (short-circuited ones are absent). */
  readonly acls: readonly AclTrace[];
}
