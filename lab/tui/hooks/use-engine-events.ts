// Subscribes to every engine event and hands them over in batches, so a burst of requests costs one render
// per batch instead of one per event.
import { useEffect, useRef } from 'react';
import type { EngineEvent, EventBus } from '../../../proxy/index.ts';

// Calls onBatch with the events gathered over each `ms` window (only when some arrived).
export function useEngineEvents(bus: EventBus | null, onBatch: (events: readonly EngineEvent[]) => void, ms = 50): void {
  const handler = useRef(onBatch);
  handler.current = onBatch;
  useEffect(() => {
    if (!bus) return;
    let pending: EngineEvent[] = [];
    let timer: NodeJS.Timeout | null = null;
    const flush = (): void => {
      timer = null;
      const batch = pending;
      pending = [];
      if (batch.length > 0) handler.current(batch);
    };
    const off = bus.onAny((e) => {
      pending.push(e);
      timer ??= setTimeout(flush, ms);
    });
    return () => {
      off();
      if (timer) clearTimeout(timer);
      flush();
    };
  }, [bus, ms]);
}
