import type { RollupView } from './api-types.ts';
import { h, setAttr, setFigure, setText, setTime } from './dom.ts';
import { formatDateTime, formatFigure } from './format.ts';
import { metricText, pageLocale, t } from './i18n.ts';
import { formatRoute } from './router.ts';
import { regionName } from './sign-in-view.ts';
import {
  type CountryRow,
  type CountryStatus,
  DEFAULT_SORT,
  filterRows,
  NO_FILTER,
  nextSort,
  type RowFilter,
  type SortKey,
  type SortState,
  type StatusFilter,
  sortRows,
} from './view-model.ts';

const STATUS_KEY = {
  'on-time': 'web.status.reported',
  late: 'web.status.late',
  missing: 'web.status.missing',
} as const satisfies Record<CountryStatus, string>;

type Column = { key: SortKey; label: string; numeric: boolean };

/**
 * The country table: sortable by any column with keyboard-operable header buttons (`aria-sort` on
 * the sorted column), filterable by region and status. Rows are kept by country and moved, never
 * rebuilt, so a poll that changes one figure changes one cell.
 */
export class CountryTable {
  #sort: SortState = DEFAULT_SORT;
  #filter: RowFilter = NO_FILTER;
  #rows: CountryRow[] = [];
  #columns: Column[] = [];
  readonly #head: HTMLTableRowElement;
  readonly #body: HTMLTableSectionElement;
  readonly #count: HTMLElement;
  readonly #regionSelect: HTMLSelectElement;
  readonly #statusSelect: HTMLSelectElement;

  constructor(parts: {
    head: HTMLTableRowElement;
    body: HTMLTableSectionElement;
    count: HTMLElement;
    regionSelect: HTMLSelectElement;
    statusSelect: HTMLSelectElement;
  }) {
    this.#head = parts.head;
    this.#body = parts.body;
    this.#count = parts.count;
    this.#regionSelect = parts.regionSelect;
    this.#statusSelect = parts.statusSelect;
    this.#regionSelect.addEventListener('change', () => {
      this.#filter = { ...this.#filter, region: this.#regionSelect.value };
      this.#render();
    });
    this.#statusSelect.addEventListener('change', () => {
      this.#filter = { ...this.#filter, status: this.#statusSelect.value as StatusFilter };
      this.#render();
    });
  }

  /** Sets the columns (once per operation: one per metric) and the region choices. */
  configure(metrics: RollupView['metrics'], regions: readonly string[]): void {
    this.#columns = [
      { key: 'name', label: t('web.column.country'), numeric: false },
      { key: 'region', label: t('web.column.region'), numeric: false },
      { key: 'status', label: t('web.column.status'), numeric: false },
      { key: 'updated', label: t('web.column.updated'), numeric: false },
      ...metrics.map((m) => ({
        key: `metric:${m.id}` as SortKey,
        label: metricText(m.id, m.label),
        numeric: true,
      })),
    ];
    this.#head.replaceChildren(
      ...this.#columns.map((column) => {
        const button = h(
          'button',
          { type: 'button', class: 'sort-button' },
          column.label,
          h('span', { class: 'sort-mark', 'aria-hidden': 'true' }),
        );
        button.addEventListener('click', () => {
          this.#sort = nextSort(this.#sort, column.key);
          this.#render();
        });
        return h(
          'th',
          { scope: 'col', class: column.numeric ? 'num' : undefined, 'data-key': column.key },
          button,
        );
      }),
    );
    const selected = this.#regionSelect.value || 'all';
    this.#regionSelect.replaceChildren(
      h('option', { value: 'all' }, t('web.countries.all-regions')),
      ...regions.map((r) => h('option', { value: r }, t('web.region', { region: r }))),
    );
    this.#regionSelect.value = regions.includes(selected) ? selected : 'all';
    this.#body.replaceChildren();
    this.#render();
  }

  /** Shows new rows, keeping the current sort and filter. */
  update(rows: CountryRow[]): void {
    // Country names in the page's language (the runtime's CLDR names); English keeps the API's.
    this.#rows = pageLocale() === 'en' ? rows : rows.map((r) => ({ ...r, name: regionName(r.code) }));
    this.#render();
  }

  #render(): void {
    for (const th of Array.from(this.#head.children) as HTMLElement[]) {
      const sorted = th.dataset.key === this.#sort.key;
      setAttr(th, 'aria-sort', sorted ? this.#sort.direction : null);
      const mark = th.querySelector('.sort-mark');
      if (mark) setText(mark, sorted ? (this.#sort.direction === 'ascending' ? ' ▲' : ' ▼') : '');
    }
    const visible = sortRows(filterRows(this.#rows, this.#filter), this.#sort);
    const existing = new Map<string, HTMLTableRowElement>();
    for (const tr of Array.from(this.#body.rows)) existing.set(tr.dataset.key ?? '', tr);
    let cursor: Element | null = this.#body.firstElementChild;
    for (const row of visible) {
      let tr = existing.get(row.code);
      if (tr) existing.delete(row.code);
      else tr = this.#newRow(row.code);
      this.#fill(tr, row);
      if (tr !== cursor) this.#body.insertBefore(tr, cursor);
      else cursor = cursor.nextElementSibling;
    }
    for (const gone of existing.values()) gone.remove();
    setText(
      this.#count,
      visible.length === this.#rows.length
        ? t('web.countries.showing-all', { count: this.#rows.length })
        : t('web.countries.showing-some', { visible: visible.length, count: this.#rows.length }),
    );
  }

  #newRow(code: string): HTMLTableRowElement {
    const tr = h('tr', { 'data-key': code });
    tr.append(
      h(
        'th',
        { scope: 'row' },
        h('a', { class: 'country-name', href: formatRoute({ view: 'country', country: code }) }),
        ' ',
        h('bdi', { class: 'code' }, code),
      ),
      h('td', { class: 'region' }),
      h('td', {}, h('span', { class: 'pill' })),
      h('td', {}, h('time')),
      ...this.#columns
        .filter((c) => c.numeric)
        .map((c) => h('td', { class: 'num', 'data-metric': c.key.slice(7) })),
    );
    return tr;
  }

  #fill(tr: HTMLTableRowElement, row: CountryRow): void {
    const [nameCell, regionCell, statusCell, timeCell, ...figureCells] = Array.from(tr.cells);
    setText(nameCell!.querySelector('.country-name')!, row.name);
    setText(regionCell!, t('web.region', { region: row.region }));
    const pill = statusCell!.firstElementChild as HTMLElement;
    setAttr(pill, 'data-status', row.status);
    setText(pill, t(STATUS_KEY[row.status]));
    setTime(timeCell!.firstElementChild as HTMLElement, row.acceptedAt, formatDateTime(row.acceptedAt));
    for (const cell of figureCells)
      setFigure(cell, formatFigure(row.figures[cell.dataset.metric ?? ''] ?? null));
  }
}
