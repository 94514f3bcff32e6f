// Runs fn every ms while mounted (the latest fn, so callers need not memoize it).
import { useEffect, useRef } from 'react';

// Calls the latest fn every ms; a null ms pauses.
export function useInterval(fn: () => void, ms: number | null): void {
  const saved = useRef(fn);
  saved.current = fn;
  useEffect(() => {
    if (ms === null) return;
    const t = setInterval(() => saved.current(), ms);
    return () => clearInterval(t);
  }, [ms]);
}
