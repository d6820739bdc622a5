import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startPoller, type Visibility } from '../../web/src/poller.ts';

/** A page whose visibility the test switches. */
function aPage(hidden = false) {
  let listener: (() => void) | null = null;
  const visibility: Visibility = {
    isHidden: () => hidden,
    onChange(l) {
      listener = l;
      return () => {
        listener = null;
      };
    },
  };
  return {
    visibility,
    setHidden(next: boolean) {
      hidden = next;
      listener?.();
    },
  };
}

describe('startPoller', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('polls at once, then every interval after each poll ends', async () => {
    const tick = vi.fn(async () => undefined);
    const poller = startPoller({ tick, intervalMs: 3000 });

    await vi.advanceTimersByTimeAsync(0);
    expect(tick).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(2999);
    expect(tick).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(tick).toHaveBeenCalledTimes(2);
    poller.stop();
  });

  it('never runs two polls at once', async () => {
    let running = 0;
    let most = 0;
    const tick = vi.fn(async () => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 5000));
      running -= 1;
    });
    const poller = startPoller({ tick, intervalMs: 1000 });

    poller.pollNow();
    poller.pollNow();
    await vi.advanceTimersByTimeAsync(20_000);

    expect(most).toBe(1);
    poller.stop();
  });

  it('stops polling while the page is hidden and polls as soon as it shows again', async () => {
    const page = aPage();
    const tick = vi.fn(async () => undefined);
    const poller = startPoller({ tick, intervalMs: 3000, visibility: page.visibility });
    await vi.advanceTimersByTimeAsync(0);

    page.setHidden(true);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(tick).toHaveBeenCalledTimes(1);

    page.setHidden(false);
    await vi.advanceTimersByTimeAsync(0);
    expect(tick).toHaveBeenCalledTimes(2);
    poller.stop();
  });

  it('waits twice as long after each failure, up to the cap, and resets after a success', async () => {
    let fail = true;
    const times: number[] = [];
    const tick = vi.fn(async () => {
      times.push(Date.now());
      if (fail) throw new Error('offline');
    });
    const start = Date.now();
    const poller = startPoller({ tick, intervalMs: 1000, maxBackoffMs: 4000 });

    await vi.advanceTimersByTimeAsync(11_000);
    expect(times.map((t) => t - start)).toEqual([0, 2000, 6000, 10_000]);

    fail = false;
    await vi.advanceTimersByTimeAsync(4000);
    expect(times.map((t) => t - start).slice(4)).toEqual([14_000, 15_000]);
    poller.stop();
  });

  it('polls no more after stop', async () => {
    const tick = vi.fn(async () => undefined);
    const poller = startPoller({ tick, intervalMs: 1000 });
    await vi.advanceTimersByTimeAsync(0);

    poller.stop();
    await vi.advanceTimersByTimeAsync(10_000);

    expect(tick).toHaveBeenCalledTimes(1);
  });
  it('polls nothing while paused, and at once when resumed', async () => {
    const tick = vi.fn(async () => undefined);
    const poller = startPoller({ tick, intervalMs: 3000 });
    await vi.advanceTimersByTimeAsync(0);
    expect(tick).toHaveBeenCalledTimes(1);

    poller.pause();
    poller.pollNow();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(tick).toHaveBeenCalledTimes(1);

    poller.resume();
    await vi.advanceTimersByTimeAsync(0);
    expect(tick).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(3000);
    expect(tick).toHaveBeenCalledTimes(3);
    poller.stop();
  });

  it('lets a poll running when paused end, and schedules none after it', async () => {
    const tick = vi.fn(() => new Promise<void>((resolve) => setTimeout(resolve, 1000)));
    const poller = startPoller({ tick, intervalMs: 3000 });
    await vi.advanceTimersByTimeAsync(0);

    poller.pause();
    await vi.advanceTimersByTimeAsync(20_000);

    expect(tick).toHaveBeenCalledTimes(1);
    poller.stop();
  });

  it('does not poll when the page shows again while paused', async () => {
    const page = aPage();
    const tick = vi.fn(async () => undefined);
    const poller = startPoller({ tick, intervalMs: 3000, visibility: page.visibility });
    await vi.advanceTimersByTimeAsync(0);
    poller.pause();

    page.setHidden(true);
    page.setHidden(false);
    await vi.advanceTimersByTimeAsync(10_000);

    expect(tick).toHaveBeenCalledTimes(1);
    poller.stop();
  });
});
