import { h, setAttr, setText, syncList } from './dom.ts';
import { formatCount } from './format.ts';
import { t } from './i18n.ts';
import type { LegendEntry } from './map-model.ts';

/** What a legend entry says, in the page's language and number format. */
export function legendLabel(entry: LegendEntry): string {
  switch (entry.kind) {
    case 'status':
      return t(`web.map.status.${entry.status}`);
    case 'missing':
      return t('web.map.status.missing');
    case 'zero':
      return formatCount(0);
    case 'range': {
      const from = formatCount(entry.from);
      const to = formatCount(entry.to);
      if (!entry.upperIncluded) return t('web.map.legend.below', { from, to });
      return entry.from === entry.to ? from : t('web.map.legend.range', { from, to });
    }
    default: {
      const never: never = entry;
      throw new Error(`unknown legend entry ${JSON.stringify(never)}`);
    }
  }
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** A small square in a fill of the map (the hatch too: `hatch` is the map's pattern URL). */
function swatch(fill: string, hatch: string): SVGSVGElement {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('class', 'map-swatch-svg');
  svg.setAttribute('viewBox', '0 0 16 16');
  svg.setAttribute('aria-hidden', 'true');
  const rect = document.createElementNS(SVG_NS, 'rect');
  rect.setAttribute('class', 'map-fill');
  rect.setAttribute('data-fill', fill);
  rect.setAttribute('width', '16');
  rect.setAttribute('height', '16');
  rect.setAttribute('fill', hatch);
  svg.append(rect);
  return svg;
}

/**
 * The map's legend: a title and one item per fill with its count of participants, then "not
 * taking part". An HTML list, so it reads in the page's direction (right to left in Arabic);
 * items are kept and updated in place.
 */
export class MapLegend {
  readonly node: HTMLElement;
  readonly #title = h('p', { class: 'map-legend-title' });
  readonly #list = h('ul', { class: 'map-legend-items' });

  constructor(
    titleId: string,
    private readonly hatch: string,
  ) {
    this.#title.id = titleId;
    this.node = h('div', { class: 'map-legend' }, this.#title, this.#list);
    this.#list.setAttribute('aria-labelledby', titleId);
  }

  /** Shows the legend of a colouring under a title. */
  update(title: string, entries: readonly LegendEntry[]): void {
    setText(this.#title, title);
    const items = [
      ...entries.map((e) => ({ key: e.fill, label: legendLabel(e), count: formatCount(e.count) })),
      { key: 'other', label: t('web.map.other'), count: '' },
    ];
    syncList(
      this.#list,
      items,
      (item) => item.key,
      (item) =>
        h(
          'li',
          { 'data-fill': item.key },
          swatch(item.key, this.hatch),
          h('span', { class: 'map-legend-label' }),
          ' ',
          h('span', { class: 'map-legend-count' }),
        ),
      () => undefined,
    );
    for (const item of items) {
      const li = this.#list.querySelector<HTMLElement>(`[data-key="${CSS.escape(item.key)}"]`);
      if (!li) continue;
      setText(li.querySelector('.map-legend-label')!, item.label);
      const count = li.querySelector<HTMLElement>('.map-legend-count')!;
      setText(count, item.count === '' ? '' : `(${item.count})`);
      setAttr(count, 'hidden', item.count === '' ? '' : null);
    }
  }

  /** The legend as one sentence (the non-interactive map's accessible name). */
  summary(): string {
    return Array.from(this.#list.children)
      .map((li) => li.textContent?.replace(/\s+/g, ' ').trim() ?? '')
      .join('; ');
  }
}
