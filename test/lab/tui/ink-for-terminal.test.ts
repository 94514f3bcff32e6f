import { describe, expect, it } from 'vitest';
import { withCiHidden } from '../../../lab/tui/ink-for-terminal.ts';

describe('loading ink for a terminal', () => {
  it('hides CI and CONTINUOUS_INTEGRATION while loading, and gives them back after', async () => {
    const env: NodeJS.ProcessEnv = { CI: 'true', CONTINUOUS_INTEGRATION: '1', PATH: '/bin' };
    const seen = await withCiHidden(async () => ({ ...env }), env);
    expect(seen).toEqual({ PATH: '/bin' });
    expect(env).toEqual({ CI: 'true', CONTINUOUS_INTEGRATION: '1', PATH: '/bin' });
  });

  it('gives them back when loading fails, and adds none that were not there', async () => {
    const env: NodeJS.ProcessEnv = { CI: 'true' };
    await expect(withCiHidden(async () => { throw new Error('boom'); }, env)).rejects.toThrow('boom');
    expect(env).toEqual({ CI: 'true' });
  });
});
