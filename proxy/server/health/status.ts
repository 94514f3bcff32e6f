// HAProxy's health-check status table (src/check.c `check_statuses`, include/haproxy/check-t.h at v2.6.0):
// the short code shown in stats (L4OK), the sentence logged (Layer4 check passed), and whether it passes.
// The numeric values are HAProxy's enum order, which `show servers state` prints.

export type CheckStatus =
  | 'UNK'
  | 'INI'
  | 'CHECKED'
  | 'HANA'
  | 'SOCKERR'
  | 'L4OK'
  | 'L4TOUT'
  | 'L4CON'
  | 'L6OK'
  | 'L6TOUT'
  | 'L6RSP'
  | 'L7TOUT'
  | 'L7RSP'
  | 'L7OK'
  | 'L7OKC'
  | 'L7STS';

/** HAProxy's chk_result: what a status means for the health counter. */
export type CheckResultKind = 'unknown' | 'neutral' | 'failed' | 'passed' | 'condpass';

interface StatusRow {
  /** HCHK_STATUS_* value. */
  readonly num: number;
  readonly result: CheckResultKind;
  readonly desc: string;
  /** At or above HCHK_STATUS_L57DATA: a layer-7 status, which carries an HTTP code. */
  readonly layer7: boolean;
}

const TABLE: Record<CheckStatus, StatusRow> = {
  UNK: { num: 0, result: 'unknown', desc: 'Unknown', layer7: false },
  INI: { num: 1, result: 'unknown', desc: 'Initializing', layer7: false },
  CHECKED: { num: 3, result: 'neutral', desc: 'No status change', layer7: false },
  HANA: { num: 4, result: 'failed', desc: 'Health analyze', layer7: false },
  SOCKERR: { num: 5, result: 'failed', desc: 'Socket error', layer7: false },
  L4OK: { num: 6, result: 'passed', desc: 'Layer4 check passed', layer7: false },
  L4TOUT: { num: 7, result: 'failed', desc: 'Layer4 timeout', layer7: false },
  L4CON: { num: 8, result: 'failed', desc: 'Layer4 connection problem', layer7: false },
  L6OK: { num: 9, result: 'passed', desc: 'Layer6 check passed', layer7: false },
  L6TOUT: { num: 10, result: 'failed', desc: 'Layer6 timeout', layer7: false },
  L6RSP: { num: 11, result: 'failed', desc: 'Layer6 invalid response', layer7: false },
  L7TOUT: { num: 12, result: 'failed', desc: 'Layer7 timeout', layer7: false },
  L7RSP: { num: 13, result: 'failed', desc: 'Layer7 invalid response', layer7: false },
  L7OK: { num: 15, result: 'passed', desc: 'Layer7 check passed', layer7: true },
  L7OKC: { num: 16, result: 'condpass', desc: 'Layer7 check conditionally passed', layer7: true },
  L7STS: { num: 17, result: 'failed', desc: 'Layer7 wrong status', layer7: true },
};

/** HAProxy's chk_result numbers as `show servers state` prints them. */
export const CHECK_RESULT_NUMBER: Record<CheckResultKind, number> = {
  unknown: 0,
  neutral: 1,
  failed: 2,
  passed: 3,
  condpass: 4,
};

// The sentence HAProxy logs for a status ("Layer4 connection problem"), or "Unknown" for anything else.
export function checkStatusDescription(status: string): string {
  return (TABLE as Record<string, StatusRow | undefined>)[status]?.desc ?? TABLE.UNK.desc;
}

// Whether a status counts as a success for the health counter (L4OK, L7OK, L7OKC).
export function checkStatusPasses(status: string): boolean {
  const r = (TABLE as Record<string, StatusRow | undefined>)[status]?.result;
  return r === 'passed' || r === 'condpass';
}

// What the status means to the counter: passed, failed, or neither (unknown/neutral).
export function checkStatusResult(status: string): CheckResultKind {
  return (TABLE as Record<string, StatusRow | undefined>)[status]?.result ?? 'unknown';
}

// HAProxy's numeric HCHK_STATUS_* value, as printed by `show servers state`.
export function checkStatusNumber(status: string): number {
  return (TABLE as Record<string, StatusRow | undefined>)[status]?.num ?? TABLE.UNK.num;
}

// Layer-7 statuses carry an HTTP code in logs and stats ("code: 503").
export function checkStatusHasCode(status: string): boolean {
  return (TABLE as Record<string, StatusRow | undefined>)[status]?.layer7 ?? false;
}

/** The text strerror() gives for the errno names Node reports on a failed connect. */
const STRERROR: Record<string, string> = {
  ECONNREFUSED: 'Connection refused',
  ECONNRESET: 'Connection reset by peer',
  EHOSTUNREACH: 'No route to host',
  ENETUNREACH: 'Network is unreachable',
  ETIMEDOUT: 'Connection timed out',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  EADDRINUSE: 'Address already in use',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  EPIPE: 'Broken pipe',
  EMFILE: 'Too many open files',
  ENOENT: 'No such file or directory',
  EAI_AGAIN: 'Temporary failure in name resolution',
  ENOTFOUND: 'Name or service not known',
};

// The C library's wording for an errno name, as HAProxy prints it after "info:".
export function strerror(code: string | undefined): string {
  if (!code) return '';
  return STRERROR[code] ?? code;
}
