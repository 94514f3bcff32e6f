// The home screen's cursor over the episode list.
export interface HomeState {
  readonly cursor: number;
}

export type HomeAction = { readonly type: 'move'; readonly delta: number; readonly count: number } | { readonly type: 'to'; readonly index: number; readonly count: number };

// Moves the cursor, wrapping at both ends.
export function homeReducer(s: HomeState, a: HomeAction): HomeState {
  if (a.count <= 0) return { cursor: 0 };
  const target = a.type === 'move' ? s.cursor + a.delta : a.index;
  return { cursor: ((target % a.count) + a.count) % a.count };
}
