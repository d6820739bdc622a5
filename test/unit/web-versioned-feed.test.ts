import { describe, expect, it } from 'vitest';
import { type Conditional, isDisplayable, VersionedFeed } from '../../web/src/versioned-feed.ts';

type Versioned = { version: number; figure: number };

/** A load function that answers from a script and records the ETags it was sent. */
function scripted(answers: Conditional<Versioned>[]) {
  const sent: (string | null)[] = [];
  const load = async (etag: string | null) => {
    sent.push(etag);
    const next = answers.shift();
    if (!next) throw new Error('no more scripted answers');
    return next;
  };
  return { load, sent };
}

const ok = (version: number, figure: number, etag = `"${version}"`): Conditional<Versioned> => ({
  status: 'ok',
  etag,
  body: { version, figure },
});

describe('isDisplayable', () => {
  it('accepts anything when nothing is shown yet', () => {
    expect(isDisplayable(null, 0)).toBe(true);
  });

  it('accepts the same or a newer version and refuses an older one', () => {
    expect(isDisplayable(5, 5)).toBe(true);
    expect(isDisplayable(5, 6)).toBe(true);
    expect(isDisplayable(5, 4)).toBe(false);
  });
});

describe('VersionedFeed', () => {
  it('hands out the first answer and sends its ETag next time', async () => {
    const { load, sent } = scripted([ok(1, 10), { status: 'not-modified' }]);
    const feed = new VersionedFeed(load);

    expect(await feed.next()).toEqual({ kind: 'updated', data: { version: 1, figure: 10 } });
    expect(await feed.next()).toEqual({ kind: 'unchanged' });
    expect(sent).toEqual([null, '"1"']);
  });

  it('ignores an older version and keeps asking relative to what is shown', async () => {
    const { load, sent } = scripted([ok(3, 30), ok(2, 20), { status: 'not-modified' }]);
    const feed = new VersionedFeed(load);
    await feed.next();

    expect(await feed.next()).toEqual({ kind: 'stale', version: 2, shownVersion: 3 });
    expect(feed.current).toEqual({ version: 3, figure: 30 });
    await feed.next();
    expect(sent).toEqual([null, '"3"', '"3"']);
  });

  it('takes an equal version (the status may have changed without any figure)', async () => {
    const { load } = scripted([ok(3, 30, '"3-open"'), ok(3, 30, '"3-closed"')]);
    const feed = new VersionedFeed(load);
    await feed.next();

    expect((await feed.next()).kind).toBe('updated');
  });

  it('guards data offered from outside the poll the same way', () => {
    const feed = new VersionedFeed<Versioned>(async () => ({ status: 'not-modified' }));
    feed.offer({ version: 7, figure: 70 }, '"7"');

    expect(feed.offer({ version: 6, figure: 60 }, '"6"').kind).toBe('stale');
    expect(feed.current?.figure).toBe(70);
  });

  it('passes a failed request on to the caller', async () => {
    const feed = new VersionedFeed<Versioned>(async () => {
      throw new Error('offline');
    });

    await expect(feed.next()).rejects.toThrow('offline');
  });
});
