/**
 * The views the address routes to (router.ts): the dashboard (an agency: its own page), a
 * country's drill-down and the press summary. main.ts opens it with the operation once signed in
 * (`open`), hands it every live rollup (`rollup`) and each poll (`poll`), and closes it on sign-out.
 * Before an operation is open the route waits, so a deep link works after sign-in.
 */
import type { OperationDetail, RollupView } from './api-types.ts';
import type { CountryApi } from './country-api.ts';
import { CountryView } from './country-view.ts';
import { byId, setHidden } from './dom.ts';
import { t } from './i18n.ts';
import { PressView } from './press-view.ts';
import { formatRoute, parseRoute, type Route, sameRoute, watchRoute } from './router.ts';

/** What the routed views need of the open operation. */
export type RoutedOperation = {
  api: CountryApi;
  operation: string;
  definition: OperationDetail['definition'];
  /** The agency's country when an agency is signed in, else null. */
  ownCountry: string | null;
};

export class RoutedViews {
  readonly #country: CountryView;
  readonly #press = new PressView(byId('press-view'));
  #route: Route;
  #open: (RoutedOperation & { rollup: RollupView | null }) | null = null;

  constructor(announce: (message: string) => void) {
    this.#country = new CountryView(byId('country-view'), announce);
    this.#route = watchRoute(window, (next) => {
      if (sameRoute(next, this.#route)) return;
      this.#route = next;
      this.#show(true);
    }).initial;
    document.documentElement.dataset.view = this.#route.view;
  }

  /** The operation is open: show the view the address names. */
  open(operation: RoutedOperation): void {
    this.#open = { ...operation, rollup: null };
    // Back from the identity provider's sign-in, the route is put back in the address unannounced.
    this.#route = parseRoute(window.location.hash) ?? this.#route;
    this.#press.configure(operation.definition);
    if (operation.ownCountry) {
      const link = byId<HTMLAnchorElement>('agency-country-link');
      link.href = formatRoute({ view: 'country', country: operation.ownCountry });
    }
    this.#show(false);
  }

  /** Signed out, or another operation chosen: nothing is shown until `open`. */
  close(): void {
    this.#open = null;
    this.#country.close();
    for (const id of ['view-nav', 'country-view', 'press-view']) setHidden(byId(id), true);
  }

  /** A new live rollup: the press summary shows it. */
  rollup(rollup: RollupView): void {
    if (!this.#open) return;
    this.#open.rollup = rollup;
    if (this.#route.view === 'press' && !this.#open.ownCountry) this.#press.show(rollup);
  }

  /** A poll: the drill-down checks its country for news (a rejected file changes no rollup). */
  poll(): void {
    if (this.#open && this.#route.view === 'country') void this.#country.refresh();
  }

  /** Recolours after a theme change. */
  restyle(): void {
    this.#press.restyle();
  }

  /** Shows the routed view; `moved` (a link, back, forward) takes the focus to its heading. */
  #show(moved: boolean): void {
    const route = this.#route;
    document.documentElement.dataset.view = route.view;
    const open = this.#open;
    if (!open) return;
    setHidden(byId(open.ownCountry ? 'agency' : 'dashboard'), route.view !== 'dashboard');
    setHidden(byId('view-nav'), open.ownCountry !== null);
    setHidden(byId('country-view'), route.view !== 'country');
    setHidden(byId('press-view'), route.view !== 'press');
    if (route.view === 'country') this.#country.open({ ...open, code: route.country });
    else this.#country.close();
    if (route.view === 'press') {
      if (open.ownCountry) this.#press.refused(t('web.press.agency'));
      else if (open.rollup) this.#press.show(open.rollup);
    }
    if (!moved) return;
    byId({ dashboard: 'main', country: 'country-title', press: 'press-title' }[route.view]).focus();
    if (route.view === 'dashboard') window.scrollTo(0, 0);
  }
}
