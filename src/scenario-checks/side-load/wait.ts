/** Resolves after `ms`; a sleep of 0 or less still yields to the event loop once. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/**
 * Polls `done` every `everyMs` until it is true or `timeoutMs` passed; true when it became true.
 * Used to let messages in flight arrive before counting what was lost.
 */
export async function waitUntil(done: () => boolean, timeoutMs: number, everyMs = 10): Promise<boolean> {
  const endMs = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() >= endMs) return false;
    await sleep(everyMs);
  }
  return true;
}

/** Waits for `work`, but no longer than `timeoutMs`: false when it had to give up. */
export async function settleWithin(work: Promise<unknown>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([
      work.then(
        () => true as const,
        () => true as const,
      ),
      gaveUp,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
