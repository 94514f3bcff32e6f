// What compiling a sample expression needs to know of the config being read, passed down instead of kept in
// module state, so two configs loading in one process never see each other's notes or pattern files.
import type { PatternRefs } from '../acl/pattern-refs.ts';

export interface SampleScope {
  /** The section the expression is written in: what a fetch's omitted proxy or table argument means ('' in global). */
  readonly proxy: string;
  /**
   * Collects what the config uses that HAProxy has and the engine lacks ("fetch method 'x'", "converter 'y'"),
   * which the config reader turns into warnings at the line.
   */
  readonly notes?: Set<string>;
  /** The pattern files and maps of the config being read (map converters load theirs through it). */
  readonly patterns?: PatternRefs;
}
