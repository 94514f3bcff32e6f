// monitor-uri and "monitor fail" (http_wait_for_request): a request for the frontend's monitor URI is answered by
// the proxy itself, 200, or 503 when a "monitor fail" condition holds; such requests are never logged.
import type { ProxySpec } from '../config/model.ts';
import type { SampleContext } from '../sample/context.ts';
import type { RequestHead } from './request-head.ts';
import { pathStart } from './path.ts';

/** 200, 503, or null when the request is not for the monitor URI. */
export function monitorAnswer(fe: ProxySpec, req: RequestHead, ctx: SampleContext): 200 | 503 | null {
  const uri = fe.monitorUri;
  if (uri === undefined) return null;
  // a URI starting with '/' is compared with the target's path, query included (http_parse_path), so absolute
  // and HTTP/2 targets match too; any other is compared with the whole target
  if (req.uri !== uri && !(uri.startsWith('/') && pathOf(req.uri) === uri)) return null;
  for (const cond of fe.monitorFail ?? []) {
    if (cond.test(ctx) === (cond.polarity === 'if')) return 503;
  }
  return 200;
}

function pathOf(target: string): string | null {
  const start = pathStart(target);
  return start < 0 ? null : start === 0 ? target : target.slice(start);
}
