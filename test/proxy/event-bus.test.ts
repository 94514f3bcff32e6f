// The event bus: nothing is built for kinds nobody listens to, a backlog waits for the first listener, and a
// capped bus details only so many requests a second.
import { describe, expect, it } from 'vitest';
import { EventBus } from '../../proxy/events.ts';

describe('EventBus', () => {
  it('says no kind is wanted until someone listens, and forgets a listener that leaves', () => {
    const bus = new EventBus();
    expect(bus.wants.response).toBe(false);
    const off = bus.on('response', () => {});
    expect(bus.wants.response).toBe(true);
    expect(bus.wantsDetail).toBe(false);
    off();
    expect(bus.wants.response).toBe(false);
  });

  it('keeps a bounded backlog until the first listener and replays it', () => {
    const bus = new EventBus(2);
    for (const line of ['a', 'b', 'c']) bus.emit({ kind: 'log', line });
    const seen: string[] = [];
    bus.on('log', (e) => seen.push(e.line));
    expect(seen).toEqual(['b', 'c']);
  });

  it('details every request when uncapped, and at most N a second when capped', () => {
    const free = new EventBus();
    expect(Array.from({ length: 500 }, () => free.detailed()).every(Boolean)).toBe(true);
    const capped = new EventBus(0, { detailedPerSecond: 200 });
    const granted = Array.from({ length: 500 }, () => capped.detailed()).filter(Boolean).length;
    expect(granted).toBe(200);
  });
});
