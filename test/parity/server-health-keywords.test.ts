// `haproxy -c` against our loader on the server keywords of observed health: observe, error-limit, on-error,
// on-marked-down, on-marked-up and slowstart, their good forms and their wrong ones (same verdict, same words).
import { describe, expect, it } from 'vitest';
import { checkBoth } from '../helpers/config-check.ts';
import { hasHaproxy } from '../helpers/haproxy.ts';

const config = (mode: string, server: string) => `
defaults
    mode ${mode}
    timeout connect 1s
    timeout client 1s
    timeout server 1s
frontend fe
    bind 127.0.0.1:0
    default_backend be
backend be
    server s1 127.0.0.1:8080 ${server}
`;

const CASES: Record<string, string> = {
  'accepts every observe mode and on-error action with their arguments': config(
    'http',
    'check observe layer7 error-limit 5 on-error sudden-death on-marked-down shutdown-sessions on-marked-up shutdown-backup-sessions slowstart 30s',
  ),
  'accepts observe none and layer4 in mode tcp': config('tcp', 'check observe layer4 on-error fastinter observe none'),
  'refuses observe layer7 outside an http proxy': config('tcp', 'check observe layer7'),
  'refuses an unknown observe mode': config('http', 'check observe layer3'),
  'refuses observe without a mode': config('http', 'check observe'),
  'refuses an error-limit of 0': config('http', 'check observe layer4 error-limit 0'),
  'refuses an error-limit without a number': config('http', 'check error-limit'),
  'refuses an unknown on-error action': config('http', 'check on-error reboot'),
  'refuses an unknown on-marked-down action': config('http', 'check on-marked-down shutdown-backup-sessions'),
  'refuses an unknown on-marked-up action': config('http', 'check on-marked-up shutdown-sessions'),
  'refuses a slowstart with a bad unit': config('http', 'check slowstart 10q'),
  'accepts a slowstart in milliseconds': config('http', 'check slowstart 1500'),
};

describe.skipIf(!hasHaproxy)('observed-health server keywords are checked as haproxy -c checks them', () => {
  for (const [name, text] of Object.entries(CASES)) {
    it(name, () => {
      const { haproxy, engine } = checkBoth(text);
      expect(engine.accepted).toBe(haproxy.accepted);
      expect(engine.alerts).toEqual(haproxy.alerts);
      for (const w of haproxy.warnings) expect(engine.warnings).toContain(w);
    });
  }
});
