// A stream's capture slots (HAProxy's s->req_cap / s->res_cap): what `capture request|response header`,
// `declare capture` and the capture actions store, read back by capture.req.hdr(N)/capture.res.hdr(N) and by the
// log's %hr %hrl %hs %hsl. The slots are the frontend's; each exchange starts with all of them empty.
import type { CaptureSlot, CaptureSlots } from '../config/model.ts';
import type { SourceLoc } from '../config/diagnostics.ts';

export type CaptureSide = 'req' | 'res';

/** A frontend without capture slots. */
export const NO_CAPTURES: CaptureSlots = { req: [], res: [] };

export class StreamCaptures {
  readonly req: (string | undefined)[];
  readonly res: (string | undefined)[];
  /** The request line as it arrived (HAProxy's txn->uri), for capture.req.method/uri/ver. */
  method = '';
  uri = '';
  /** "1.0"/"1.1" as the request and the response are treated; '' until that head is parsed. */
  reqVersion = '';
  resVersion = '';
  /** unique-id-format's value, made once per stream when first asked for. */
  uniqueId: string | undefined;
  /** capture cookie: the request's and the response's captured cookie (%CC, %CS). */
  cliCookie: string | undefined;
  srvCookie: string | undefined;
  /** The final rule that ran last (HAProxy's s->last_rule_file/line): last_rule_file, last_rule_line. */
  lastRule: SourceLoc | undefined;
  /** Makes the unique id from what the stream knows now (set by the session when the frontend has a format). */
  makeUniqueId: (() => string) | undefined;

  constructor(readonly slots: CaptureSlots) {
    this.req = new Array<string | undefined>(slots.req.length).fill(undefined);
    this.res = new Array<string | undefined>(slots.res.length).fill(undefined);
  }

  /** The unique id, made now if it was not yet; undefined without a unique-id-format. */
  uniqueIdNow(): string | undefined {
    if (this.uniqueId === undefined && this.makeUniqueId) this.uniqueId = this.makeUniqueId();
    return this.uniqueId;
  }

  /** Stores `value` in slot `index` of a side, cut to the slot's length; an index the frontend lacks stores nothing. */
  store(side: CaptureSide, index: number, value: string): void {
    const slot: CaptureSlot | undefined = this.slots[side][index];
    if (!slot) return;
    this[side][index] = value.length > slot.len ? value.slice(0, slot.len) : value;
  }

  /**
   * `capture request|response header`: every header of the head whose name a slot names, in order, so the last
   * one of a repeated header wins (http_capture_headers). `headers` is [name, value, ...].
   */
  captureHeaders(side: CaptureSide, headers: readonly string[]): void {
    const slots = this.slots[side];
    for (let i = 0; i < headers.length; i += 2) {
      const name = headers[i]!.toLowerCase();
      for (let k = 0; k < slots.length; k++) if (slots[k]!.header === name) this.store(side, k, headers[i + 1]!);
    }
  }
}

/** True when the frontend declares any slot on that side (header captures are worth scanning for). */
export function hasHeaderCaptures(slots: CaptureSlots, side: CaptureSide): boolean {
  return slots[side].some((s) => s.header !== undefined);
}
