// Counts who answered and with which status: the distribution `lab curl -n` prints and checks compare.

export interface TallyRow {
  readonly who: string;
  readonly count: number;
  /** 0..1 of all answers. */
  readonly share: number;
}

export class Tally {
  /** Who answered, in the order the answers were added. */
  readonly sequence: string[] = [];
  private readonly counts = new Map<string, number>();
  private readonly statusCounts = new Map<number, number>();

  // Records one answer (who: a server or app name, or "-" for none).
  add(who: string, status: number): void {
    this.sequence.push(who);
    this.counts.set(who, (this.counts.get(who) ?? 0) + 1);
    this.statusCounts.set(status, (this.statusCounts.get(status) ?? 0) + 1);
  }

  get total(): number {
    return this.sequence.length;
  }

  // Rows in order of first appearance.
  rows(): TallyRow[] {
    const total = this.total || 1;
    return [...this.counts].map(([who, count]) => ({ who, count, share: count / total }));
  }

  // Status code → how many.
  statuses(): ReadonlyMap<number, number> {
    return this.statusCounts;
  }

  // Text lines: "server3   6  50.0% ##########", then "status 200 x12".
  format(width = 20): string[] {
    const rows = this.rows().sort((a, b) => a.who.localeCompare(b.who, 'en', { numeric: true }));
    const pad = Math.max(4, ...rows.map((r) => r.who.length));
    const lines = rows.map(
      (r) => `${r.who.padEnd(pad)} ${String(r.count).padStart(5)} ${(r.share * 100).toFixed(1).padStart(5)}% ${'#'.repeat(Math.round(r.share * width))}`,
    );
    const st = [...this.statusCounts].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s === 0 ? 'no answer' : s} x${n}`);
    lines.push(`${this.total} request(s); status ${st.join(', ')}`);
    return lines;
  }
}
