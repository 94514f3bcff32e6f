// The config report checks read is worded the same on both drivers: HAProxy's lines, one message each, no summaries.
import { describe, expect, it } from 'vitest';
import { formatForReport } from '../../../lab/episodes/engine-driver.ts';
import { splitHaproxyMessages } from '../../../lab/episodes/haproxy-driver.ts';

describe('config reports', () => {
  it("haproxy's closing summaries are not counted as alerts, and continuation lines join their message", () => {
    const out = [
      '[NOTICE]   (7) : haproxy version is 2.6.12-1+deb12u4',
      "[ALERT]    (7) : config : [a.cfg:15] : parsing [a.cfg:15] : 'server' not allowed because frontend 'f' has no backend capability.",
      "[WARNING]  (7) : config : parsing acl keyword 'src' :",
      '  no pattern to match against were provided, so this ACL will never match.',
      '[ALERT]    (7) : config : Error(s) found in configuration file : a.cfg',
      '[ALERT]    (7) : config : Fatal errors found in configuration.',
    ].join('\n');
    expect(splitHaproxyMessages(out)).toEqual({
      alerts: ["[ALERT] : config : [a.cfg:15] : parsing [a.cfg:15] : 'server' not allowed because frontend 'f' has no backend capability."],
      warnings: ["[WARNING] : config : parsing acl keyword 'src' : no pattern to match against were provided, so this ACL will never match."],
    });
  });

  it("the engine's diagnostics read the same: HAProxy's prefix form, its '; ' before a hint, the file by its name", () => {
    const loc = { file: '/x/y/a.cfg', line: 15, col: 5 };
    expect(formatForReport({ severity: 'alert', form: 'bracket', loc, message: "parsing [/x/y/a.cfg:15] : 'server' not allowed because frontend 'f' has no backend capability." }))
      .toBe("[ALERT] : config : [a.cfg:15] : parsing [a.cfg:15] : 'server' not allowed because frontend 'f' has no backend capability.");
    expect(formatForReport({ severity: 'warning', form: 'plain', loc, message: "parsing acl keyword 'src' :\n  no pattern to match against were provided, so this ACL will never match.\n" }))
      .toBe("[WARNING] : config : parsing acl keyword 'src' : no pattern to match against were provided, so this ACL will never match.");
    expect(formatForReport({ severity: 'alert', form: 'bracket', loc, message: "'server b/s1' : unknown keyword 'weigth'", hint: "did you mean 'weight' maybe ?" }))
      .toBe("[ALERT] : config : [a.cfg:15] : 'server b/s1' : unknown keyword 'weigth'; did you mean 'weight' maybe ?");
  });
});
