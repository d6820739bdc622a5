import type { Participant, RollupView } from './api-types.ts';
import { h } from './dom.ts';
import { metricText, t } from './i18n.ts';
import type { MapMode } from './map-model.ts';
import { WorldMap } from './world-map.ts';

/** The select's value for "colour by reporting status" (a metric id is never empty). */
const STATUS = '';

/** Where the last choice is remembered, so that it survives a reload (a change of language). */
export const MAP_MODE_STORAGE_KEY = 'optally.map-mode';

/**
 * The dashboard's map section: the world map and its "Colour by" menu (reporting status or one
 * metric). The choice survives updates and reloads (remembered in this browser); a metric the
 * operation does not have falls back to the status.
 */
export class MapPanel {
  readonly #map: WorldMap;

  constructor(
    host: HTMLElement,
    private readonly select: HTMLSelectElement,
    private readonly storage: Pick<Storage, 'getItem' | 'setItem'> | null = globalThis.localStorage ?? null,
  ) {
    this.#map = new WorldMap(host);
    select.addEventListener('change', () => {
      this.storage?.setItem(MAP_MODE_STORAGE_KEY, select.value);
      this.#map.setMode(this.#mode());
    });
  }

  /** Fills the menu with the operation's metrics (keeping the current choice when it still exists). */
  configure(metrics: RollupView['metrics']): void {
    const chosen = this.select.value || (this.storage?.getItem(MAP_MODE_STORAGE_KEY) ?? STATUS);
    this.select.replaceChildren(
      h('option', { value: STATUS }, t('web.map.mode.status')),
      ...metrics.map((m) => h('option', { value: m.id }, metricText(m.id, m.label))),
    );
    this.select.value = metrics.some((m) => m.id === chosen) ? chosen : STATUS;
    this.#map.setMode(this.#mode());
  }

  /** Shows a rollup (in place). */
  update(rollup: RollupView, participants: Participant[]): void {
    this.#map.update(rollup, participants);
  }

  #mode(): MapMode {
    const value = this.select.value;
    return value === STATUS ? { kind: 'status' } : { kind: 'metric', metric: value };
  }
}
