// Retries an assertion until it holds or the time is up (the machine is shared; fixed sleeps flake).
export async function until(assertion: () => void, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      assertion();
      return;
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

// Types keys once ink listens to stdin (a key written before that is lost, as on a real terminal).
export async function press(stdin: { write(data: string): void; listenerCount(event: string): number }, keys: string): Promise<void> {
  await until(() => {
    if (stdin.listenerCount('readable') === 0) throw new Error('ink does not read stdin yet');
  });
  // Let effects scheduled in the same render settle, so handlers see current state.
  await new Promise((r) => setTimeout(r, 30));
  stdin.write(keys);
}
