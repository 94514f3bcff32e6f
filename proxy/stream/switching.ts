// Which backend serves a stream, for HTTP and TCP alike (HAProxy's process_switching_rules): the first
// use_backend rule whose condition holds, else default_backend, else a listen section's own backend.
import type { SampleContext } from '../sample/context.ts';
import type { SourceLoc } from '../config/diagnostics.ts';
import type { ProxySpec } from '../config/model.ts';
import type { Generation } from '../live/generation.ts';
import type { LiveBackend } from '../live/live-backend.ts';

export interface SwitchingDecision {
  /** undefined: nothing matched and there is no default (HTTP answers 503, TCP closes). */
  readonly backend: LiveBackend | undefined;
  /** 'use_backend', 'default_backend', 'listen', or '' when nothing decided. */
  readonly decidedBy: string;
  /** The use_backend rule that matched. */
  readonly rule?: { readonly text: string; readonly loc: SourceLoc };
}

export function chooseBackend(fe: ProxySpec, gen: Generation, ctx: SampleContext): SwitchingDecision {
  const rules = fe.useBackends;
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i]!;
    if (r.cond && r.cond.test(ctx) !== (r.cond.polarity === 'if')) continue;
    if (r.dynamic) {
      // process_switching_rules: a built name that is no backend stops the rules
      const named = gen.backends.get(r.dynamic.build?.(ctx) ?? '');
      if (!named) break;
      return { backend: named, decidedBy: 'use_backend', rule: { text: r.text, loc: r.loc } };
    }
    return { backend: gen.backends.get(r.backend), decidedBy: 'use_backend', rule: { text: r.text, loc: r.loc } };
  }
  if (fe.defaultBackend) return { backend: gen.backends.get(fe.defaultBackend), decidedBy: 'default_backend' };
  const own = gen.backendOf(fe);
  return { backend: own, decidedBy: own ? 'listen' : '' };
}
