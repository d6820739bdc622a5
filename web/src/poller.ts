/** Whether the page can be seen, and a way to hear when that changes (the document, in the browser). */
export type Visibility = { isHidden(): boolean; onChange(listener: () => void): () => void };

/** The browser's page visibility. */
export function documentVisibility(doc: Document): Visibility {
  return {
    isHidden: () => doc.hidden,
    onChange(listener) {
      doc.addEventListener('visibilitychange', listener);
      return () => doc.removeEventListener('visibilitychange', listener);
    },
  };
}

export type PollerOptions = {
  /** One poll. A rejection counts as a failure: the next poll waits longer. */
  tick: () => Promise<void>;
  intervalMs: number;
  /** The longest wait after repeated failures. */
  maxBackoffMs?: number;
  visibility?: Visibility;
};

/**
 * A running poller. `pause` stops polling until `resume` (which polls at once); a poll already
 * running when paused still ends, and its caller decides what to do with its answer.
 */
export type Poller = { stop(): void; pollNow(): void; pause(): void; resume(): void };

/**
 * Polls now, then `intervalMs` after each poll ends, so polls never overlap. While the page is
 * hidden nothing is polled; when it shows again, it polls at once. After a failure the wait
 * doubles, up to `maxBackoffMs`, and returns to `intervalMs` after a success.
 */
export function startPoller(options: PollerOptions): Poller {
  const maxBackoff = options.maxBackoffMs ?? 30_000;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let running = false;
  let stopped = false;
  let paused = false;
  let again = false;
  let delay = options.intervalMs;

  const schedule = () => {
    if (stopped || paused || timer !== null || options.visibility?.isHidden()) return;
    timer = setTimeout(run, delay);
  };
  const run = async () => {
    timer = null;
    if (stopped || paused || options.visibility?.isHidden()) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      await options.tick();
      delay = options.intervalMs;
    } catch {
      delay = Math.min(maxBackoff, Math.max(options.intervalMs, delay * 2));
    } finally {
      running = false;
    }
    if (again) {
      again = false;
      void run();
      return;
    }
    schedule();
  };
  const pollNow = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    void run();
  };
  const unsubscribe = options.visibility?.onChange(() => {
    if (!options.visibility?.isHidden()) pollNow();
  });
  pollNow();
  return {
    stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      unsubscribe?.();
    },
    pollNow,
    pause() {
      paused = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
    resume() {
      if (!paused) return;
      paused = false;
      pollNow();
    },
  };
}
