/**
 * `promise`, or a rejection after `ms`. A Redis command issued while Redis is down waits for the
 * reconnection (workers' connections never fail fast), so a metrics scrape or health read bounds
 * every such wait itself rather than hang the scraper.
 */
export async function withinTime<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
    timer.unref();
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
