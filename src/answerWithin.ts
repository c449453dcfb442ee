/** What `answerWithin` saw: the work's value, or that the bound passed first. */
export type Answer<T> = { answered: true; value: T } | { answered: false };

/**
 * `work`'s value if it settles within `timeoutMs`, else `{ answered: false }` (the work itself runs
 * on; nothing can cancel it). A rejection within the bound rejects. The timer is cleared either way,
 * so a bound never keeps the process alive. For the checks that must answer whatever the store
 * does (`/readyz`, a scrape) and for shutdown's bound.
 */
export async function answerWithin<T>(work: Promise<T>, timeoutMs: number): Promise<Answer<T>> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<Answer<T>>((resolve) => (timer = setTimeout(() => resolve({ answered: false }), timeoutMs)));
  try {
    return await Promise.race([work.then((value): Answer<T> => ({ answered: true, value })), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
