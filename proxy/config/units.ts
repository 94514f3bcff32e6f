// Numbers and durations as HAProxy reads them (parse_time_err() in src/tools.c): "500ms", "2s", "1m", "1h", "1d",
// "100us"; a bare number is in the default unit (milliseconds for every timeout we support).

export type TimeResult = { ok: true; ms: number } | { ok: false; badChar: string } | { ok: false; overflow: true };

const UNITS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

// Parses "5000", "5000ms", "5s"...; the first bad character is returned for HAProxy's message.
export function parseTime(text: string): TimeResult {
  const m = /^(\d*)(.*)$/.exec(text)!;
  const digits = m[1]!;
  const unit = m[2]!;
  if (digits === '') return { ok: false, badChar: text[0] ?? '' };
  const factor = unit === '' ? 1 : UNITS[unit];
  if (factor === undefined) {
    // HAProxy names the first character it could not take as part of a unit.
    const known = ['us', 'ms', 's', 'm', 'h', 'd'].find((u) => unit.startsWith(u));
    return { ok: false, badChar: known ? unit[known.length] ?? unit[0]! : unit[0]! };
  }
  const ms = Math.ceil(Number(digits) * factor);
  if (ms > 2_147_483_647) return { ok: false, overflow: true };
  return { ok: true, ms };
}

// Strict non-negative decimal integer, or undefined.
export function parseUint(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  return Number(text);
}

// Like C atol(): leading digits, else 0 (HAProxy accepts "maxconn abc" as 0 in several places).
export function atol(text: string | undefined): number {
  const m = /^\s*([+-]?\d+)/.exec(text ?? '');
  return m ? Number(m[1]) : 0;
}
