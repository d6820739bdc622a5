/** Where uploads go and the rollup is read: the stack in this process or in a child process. */
export type FreshnessTarget = {
  apiUrl: string;
  /** A coordinator's bearer token. */
  coordinator: string;
  putReturn: (key: string, body: string) => Promise<void>;
};

export type Latencies = { samples: number; p50: number; p95: number; max: number };

/** Percentiles of a list of milliseconds. */
export function summarize(ms: number[]): Latencies {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
  return { samples: sorted.length, p50: at(0.5), p95: at(0.95), max: sorted.at(-1) ?? Number.NaN };
}

/**
 * Upload → visible: puts returns into the local S3 API (through the whole pipeline: S3 event,
 * queue, ingest, DynamoDB) and polls the HTTP rollup with If-None-Match until each country shows
 * its new figure. `concurrent` countries upload at once, `rounds` times.
 */
export async function measureFreshness(
  stack: FreshnessTarget,
  countries: readonly string[],
  rounds: number,
  pollGapMs = 5,
): Promise<Latencies> {
  const latencies: number[] = [];
  let etag = '';
  let latest: { byCountry: Record<string, { arrests: number | null }> } = { byCountry: {} };
  const poll = async () => {
    const res = await fetch(`${stack.apiUrl}/operations/liberterra-iii/rollup`, {
      headers: { authorization: `Bearer ${stack.coordinator}`, 'if-none-match': etag },
    });
    if (res.status === 200) {
      etag = res.headers.get('etag') ?? '';
      latest = (await res.json()) as typeof latest;
    }
  };
  for (let round = 1; round <= rounds; round++) {
    const value = 1000 + round;
    const started = new Map<string, number>();
    await Promise.all(
      countries.map(async (cc) => {
        started.set(cc, performance.now());
        await stack.putReturn(
          `incoming/liberterra-iii/${cc}/round-${round}.csv`,
          `date,metric,value\n2025-11-12,arrests,${value}\n`,
        );
      }),
    );
    const pending = new Set(countries);
    const deadline = performance.now() + 60_000;
    while (pending.size > 0 && performance.now() < deadline) {
      await poll();
      const now = performance.now();
      for (const cc of [...pending]) {
        if (latest.byCountry[cc]?.arrests === value) {
          latencies.push(now - (started.get(cc) ?? now));
          pending.delete(cc);
        }
      }
      await new Promise((ok) => setTimeout(ok, pollGapMs));
    }
    if (pending.size > 0) throw new Error(`never visible: ${[...pending].join(', ')}`);
  }
  return summarize(latencies);
}
