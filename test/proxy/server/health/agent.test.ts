import { describe, expect, it } from 'vitest';
import { agentDescription, agentStatus, parseAgentLine, weightRequest } from '../../../../proxy/server/health/agent.ts';

describe('agent replies', () => {
  it('sorts words by kind, in any order and case, the last of a kind winning', () => {
    const r = parseAgentLine('DRAIN,up\t30% down maint 70% # back soon');
    expect(r).toEqual({ health: 'down', healthWord: 'down', admin: 'maint', weight: '70%', description: 'back soon' });
    expect(agentStatus(r)).toBe('L7STS');
    expect(agentDescription(r, undefined)).toBe('via agent : down (back soon)');
  });

  it('reports the first unknown word, and for "up" prefers it to the description', () => {
    const r = parseAgentLine('banana up cherry # fine');
    expect(r.error).toBe('banana');
    expect(agentDescription(r, undefined)).toBe('via agent : up (banana)');
    expect(agentDescription(parseAgentLine('banana'), undefined)).toBe('agent reports an error : banana');
    expect(agentStatus(parseAgentLine('banana'))).toBe('CHECKED');
  });

  it('keeps maxconn words apart from errors', () => {
    expect(parseAgentLine('maxconn:30 ready')).toEqual({ admin: 'ready', maxconn: '30', description: '' });
  });

  it('computes relative weights from the initial weight and refuses what HAProxy refuses', () => {
    expect(weightRequest('50%', 20, true)).toEqual({ weight: 10 });
    expect(weightRequest('1000%', 100, true)).toEqual({ weight: 256 });
    expect(weightRequest('50%x', 20, true)).toEqual({ error: 'Trailing garbage in weight string' });
    expect(weightRequest('50%', 20, false)).toEqual({ error: "Backend is using a static LB algorithm and only accepts weights '0%' and '100%'.\n" });
    expect(weightRequest('0%', 20, false)).toEqual({ weight: 0 });
    expect(agentDescription(parseAgentLine('50%x'), 'Trailing garbage in weight string')).toBe('agent warns : Trailing garbage in weight string');
  });
});
