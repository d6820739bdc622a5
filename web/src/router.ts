/**
 * The page's routes, in the address's fragment (`#/…`), so the query string (`?op=`, `?asOf=`,
 * `?lang=`, `?api=`, `?projector=`) stays the page's own and a route never reaches the server:
 *
 * - `#/` (or no fragment): the dashboard (an agency: its own page);
 * - `#/countries/{CC}`: one country's drill-down (the code as written, upper-cased);
 * - `#/press`: the one-page press summary.
 *
 * A fragment that does not start with `#/` is an in-page anchor (`#main`, the skip link): not a
 * route, so following it leaves the view as it is. Parsing and formatting are pure; `watchRoute`
 * is the one listener (back and forward included).
 */

/** A view of the page. `country` keeps the code as the address wrote it (upper-cased), valid or not. */
export type Route = { view: 'dashboard' } | { view: 'country'; country: string } | { view: 'press' };

const DASHBOARD: Route = { view: 'dashboard' };

/**
 * What a fragment (`location.hash`, with or without its `#`) asks for; null when it is an in-page
 * anchor rather than a route. A path the page does not know (`#/nowhere`) reads as the dashboard.
 */
export function parseRoute(hash: string): Route | null {
  const fragment = hash.startsWith('#') ? hash.slice(1) : hash;
  if (fragment === '') return DASHBOARD;
  if (!fragment.startsWith('/')) return null;
  const path = fragment.split('?')[0]!;
  const parts = path
    .split('/')
    .filter((p) => p !== '')
    .map(decodePart);
  if (parts[0] === 'press' && parts.length === 1) return { view: 'press' };
  if (parts[0] === 'countries' && parts.length === 2 && parts[1]!.trim() !== '') {
    return { view: 'country', country: parts[1]!.trim().toUpperCase() };
  }
  return DASHBOARD;
}

/** The fragment of a route: `#/`, `#/countries/FR`, `#/press`. */
export function formatRoute(route: Route): string {
  switch (route.view) {
    case 'dashboard':
      return '#/';
    case 'press':
      return '#/press';
    case 'country':
      return `#/countries/${encodeURIComponent(route.country.toUpperCase())}`;
  }
}

/** Whether two routes show the same view. */
export function sameRoute(a: Route, b: Route): boolean {
  if (a.view !== b.view) return false;
  return a.view !== 'country' || a.country === (b as { country: string }).country;
}

/** What `watchRoute` needs of the window (a test passes its own). */
export type RouteWindow = {
  location: { hash: string };
  addEventListener(type: 'hashchange', listener: () => void): void;
  removeEventListener(type: 'hashchange', listener: () => void): void;
};

/**
 * Calls `listener` with the route whenever the fragment changes to a route (links, back, forward,
 * a typed address); in-page anchors are ignored. The listener decides whether it is the route it
 * shows already (`sameRoute`). Returns the route now and a function that stops listening.
 */
export function watchRoute(
  win: RouteWindow,
  listener: (route: Route) => void,
): { initial: Route; stop: () => void } {
  const initial = parseRoute(win.location.hash) ?? DASHBOARD;
  const onChange = () => {
    const route = parseRoute(win.location.hash);
    if (route) listener(route);
  };
  win.addEventListener('hashchange', onChange);
  return { initial, stop: () => win.removeEventListener('hashchange', onChange) };
}

function decodePart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}
