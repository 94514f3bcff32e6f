// Folds the open step's container events into the containers table's state, in 50 ms batches (a burst of access
// lines costs one render).
import { useEffect, useReducer } from 'react';
import type { ContainerEvent, ContainerFeed } from '../../docker/container-events.ts';
import { containersReducer, initialContainers, type ContainersState } from '../state/containers.ts';

const batchReducer = (s: ContainersState, events: readonly ContainerEvent[]): ContainersState => events.reduce(containersReducer, s);

export function useContainers(feed: ContainerFeed | undefined, ms = 50): ContainersState {
  const [state, dispatch] = useReducer(batchReducer, initialContainers);
  useEffect(() => {
    if (!feed) return;
    let pending: ContainerEvent[] = [];
    let timer: NodeJS.Timeout | null = null;
    const flush = (): void => {
      timer = null;
      const batch = pending;
      pending = [];
      if (batch.length > 0) dispatch(batch);
    };
    const off = feed.subscribe((e) => {
      pending.push(e);
      timer ??= setTimeout(flush, ms);
    });
    return () => {
      off();
      if (timer) clearTimeout(timer);
    };
  }, [feed, ms]);
  return state;
}
