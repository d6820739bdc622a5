import { describe, expect, it } from 'vitest';
import {
  formatRoute,
  parseRoute,
  type Route,
  type RouteWindow,
  sameRoute,
  watchRoute,
} from '../../web/src/router.ts';

/** A window whose fragment the test moves, firing `hashchange` as a browser does. */
function fakeWindow(hash: string) {
  const listeners = new Set<() => void>();
  const win: RouteWindow & { go(next: string): void; listening(): number } = {
    location: { hash },
    addEventListener: (_type, listener) => listeners.add(listener),
    removeEventListener: (_type, listener) => listeners.delete(listener),
    go(next) {
      if (win.location.hash === next) return;
      win.location.hash = next;
      for (const l of [...listeners]) l();
    },
    listening: () => listeners.size,
  };
  return win;
}

describe('parseRoute', () => {
  it.each([
    ['', { view: 'dashboard' }],
    ['#', { view: 'dashboard' }],
    ['#/', { view: 'dashboard' }],
    ['#/press', { view: 'press' }],
    ['#/press/', { view: 'press' }],
    ['#/countries/FR', { view: 'country', country: 'FR' }],
    ['#/countries/fr', { view: 'country', country: 'FR' }],
    ['/countries/KE', { view: 'country', country: 'KE' }],
    ['#/countries/%20br%20', { view: 'country', country: 'BR' }],
    ['#/countries/XX', { view: 'country', country: 'XX' }],
    ['#/countries/ZZZ', { view: 'country', country: 'ZZZ' }],
    ['#/nowhere', { view: 'dashboard' }],
    ['#/countries', { view: 'dashboard' }],
    ['#/countries/FR/extra', { view: 'dashboard' }],
    ['#/countries/%E0%A4%A', { view: 'country', country: '%E0%A4%A' }],
  ] as [string, Route][])('reads %j as %j', (hash, route) => {
    expect(parseRoute(hash)).toEqual(route);
  });

  it('leaves in-page anchors alone: they are not routes', () => {
    expect(parseRoute('#main')).toBeNull();
    expect(parseRoute('#cli-download')).toBeNull();
  });
});

describe('formatRoute', () => {
  it('writes each route as the fragment parseRoute reads back', () => {
    const routes: Route[] = [{ view: 'dashboard' }, { view: 'press' }, { view: 'country', country: 'CW' }];
    expect(routes.map(formatRoute)).toEqual(['#/', '#/press', '#/countries/CW']);
    for (const route of routes) expect(parseRoute(formatRoute(route))).toEqual(route);
  });

  it('upper-cases and escapes a country code', () => {
    expect(formatRoute({ view: 'country', country: 'fr' })).toBe('#/countries/FR');
    expect(formatRoute({ view: 'country', country: 'A/B' })).toBe('#/countries/A%2FB');
    expect(parseRoute(formatRoute({ view: 'country', country: 'A/B' }))).toEqual({
      view: 'country',
      country: 'A/B',
    });
  });
});

describe('sameRoute', () => {
  it('tells countries apart and views apart', () => {
    expect(sameRoute({ view: 'country', country: 'FR' }, { view: 'country', country: 'FR' })).toBe(true);
    expect(sameRoute({ view: 'country', country: 'FR' }, { view: 'country', country: 'KE' })).toBe(false);
    expect(sameRoute({ view: 'press' }, { view: 'dashboard' })).toBe(false);
  });
});

describe('watchRoute', () => {
  it('gives the route of a deep link, then every other route the fragment names, back and forth', () => {
    const win = fakeWindow('#/countries/ke');
    const seen: Route[] = [];
    const { initial } = watchRoute(win, (r) => seen.push(r));

    expect(initial).toEqual({ view: 'country', country: 'KE' });
    win.go('#/press');
    win.go('#/countries/KE');
    win.go('#/');

    expect(seen).toEqual([{ view: 'press' }, { view: 'country', country: 'KE' }, { view: 'dashboard' }]);
  });

  it('ignores in-page anchors, and reads the same route however it is written', () => {
    const win = fakeWindow('#/countries/FR');
    const seen: Route[] = [];
    watchRoute(win, (r) => seen.push(r));

    win.go('#main');
    win.go('#/countries/fr');
    win.go('#/countries/FR');

    expect(seen).toEqual([
      { view: 'country', country: 'FR' },
      { view: 'country', country: 'FR' },
    ]);
  });

  it('reads an anchor as the dashboard when the page opens on one, and stops when asked', () => {
    const win = fakeWindow('#main');
    const seen: Route[] = [];
    const watching = watchRoute(win, (r) => seen.push(r));

    expect(watching.initial).toEqual({ view: 'dashboard' });
    watching.stop();
    win.go('#/press');

    expect(win.listening()).toBe(0);
    expect(seen).toEqual([]);
  });
});
