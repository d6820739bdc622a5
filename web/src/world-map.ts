import type { Participant, RollupView } from './api-types.ts';
import { h, setAttr } from './dom.ts';
import { formatFigure } from './format.ts';
import * as generated from './generated/world-geometry.ts';
import { localParticipants, metricText, t, unitText } from './i18n.ts';
import {
  type Direction,
  type MapGeometry,
  nearestInDirection,
  type Placement,
  placeMarks,
  readGeometry,
} from './map-layout.ts';
import { MapLegend } from './map-legend.ts';
import { type MapMode, mapColouring, mapStatus, tooltipContent } from './map-model.ts';
import { MapTooltip } from './map-tooltip.ts';
import { type CountryRow, countryRows } from './view-model.ts';

export type { MapMode } from './map-model.ts';

const GEOMETRY: MapGeometry = readGeometry(generated);
const SVG_NS = 'http://www.w3.org/2000/svg';
/** A dot's radius in map units (the map is 1000 wide): big enough to see and to point at. */
const DOT_RADIUS = 4.5;
const ARROWS: Readonly<Record<string, Direction>> = {
  ArrowLeft: 'left',
  ArrowRight: 'right',
  ArrowUp: 'up',
  ArrowDown: 'down',
};

let instances = 0;

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: Node[]
): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

/** A circle as path data, so the highlight is one path whatever it outlines. */
function circlePath(x: number, y: number, r: number): string {
  return `M${x - r} ${y}a${r} ${r} 0 1 0 ${2 * r} 0a${r} ${r} 0 1 0 ${-2 * r} 0z`;
}

/**
 * The world map of an operation's participants (issue 16 §1). Every participant is one mark: its
 * shape, or a dot where a world map hides it (small states, territories; see `placeMarks`), so
 * marks = participants. Colours show the reporting status or one metric's value classes
 * (`mapColouring`), explained by a legend with counts. Geometry is projected at build time
 * (`web/map-geometry.ts`): no projection code and no tile server at run time.
 *
 * Interactive (the dashboard): each mark is a real link to `#/countries/{CC}`; pointing at or
 * focusing a country shows its figures in a tooltip; the map is one tab stop and the arrow keys
 * move to the nearest country that way. Not interactive (print, press summary): no links, no
 * tooltip, and the map is an image whose name sums up the legend.
 *
 * `update` and `setMode` change attributes and texts in place: nothing is redrawn, nothing blinks.
 * The map replaces whatever `host` held.
 */
export class WorldMap {
  readonly #interactive: boolean;
  readonly #id = `world-map-${++instances}`;
  readonly #wrap: HTMLElement;
  readonly #svg: SVGSVGElement;
  readonly #other = svg('path', { class: 'map-other', 'aria-hidden': 'true' });
  readonly #shapes = svg('g', { class: 'map-shapes' });
  readonly #dots = svg('g', { class: 'map-dots' });
  readonly #halo = svg('path', { class: 'map-highlight-halo', 'aria-hidden': 'true', d: '' });
  readonly #highlight = svg('path', { class: 'map-highlight', 'aria-hidden': 'true', d: '' });
  readonly #tooltip: MapTooltip;
  readonly #legend: MapLegend;
  readonly #marks = new Map<string, SVGElement>();
  #placements: Placement[] = [];
  #layoutKey: string | null = null;
  #mode: MapMode = { kind: 'status' };
  #rollup: RollupView | null = null;
  #rows: CountryRow[] = [];
  #names = new Map<string, string>();

  constructor(host: HTMLElement, options: { interactive?: boolean } = {}) {
    this.#interactive = options.interactive ?? true;
    const hatch = `${this.#id}-hatch`;
    this.#svg = svg(
      'svg',
      {
        class: 'map-svg',
        viewBox: `0 0 ${GEOMETRY.size.width} ${GEOMETRY.size.height}`,
        role: this.#interactive ? 'group' : 'img',
        // Not a tab stop itself (Chromium would make it one): the tab stop is one country link.
        tabindex: '-1',
        // The map is the same in every language: never mirrored, east stays right.
        direction: 'ltr',
      },
      svg(
        'defs',
        {},
        svg(
          'pattern',
          {
            id: hatch,
            patternUnits: 'userSpaceOnUse',
            width: '4',
            height: '4',
            patternTransform: 'rotate(45)',
          },
          svg('rect', { class: 'map-hatch-ground', width: '4', height: '4' }),
          svg('path', { class: 'map-hatch-line', d: 'M0 0v4' }),
        ),
      ),
      this.#other,
      this.#shapes,
      this.#dots,
      this.#halo,
      this.#highlight,
    );
    this.#tooltip = new MapTooltip(`${this.#id}-tip`, this.#interactive);
    this.#legend = new MapLegend(`${this.#id}-legend`, `url(#${hatch})`);
    this.#wrap = h(
      'div',
      { class: 'world-map', 'data-interactive': String(this.#interactive) },
      h('div', { class: 'map-frame' }, this.#svg, this.#tooltip.node),
      this.#legend.node,
    );
    host.replaceChildren(this.#wrap);
    if (this.#interactive) this.#listen();
  }

  /** Shows a rollup of these participants, updating the drawing in place. */
  update(rollup: RollupView, participants: Participant[]): void {
    this.#rollup = rollup;
    this.#rows = countryRows(rollup, participants);
    const key = this.#rows.map((r) => r.code).join(',');
    if (key !== this.#layoutKey) this.#layout(this.#rows.map((r) => r.code));
    this.#layoutKey = key;
    const local = new Map(localParticipants(participants).map((p) => [p.code, p.name]));
    this.#names = new Map(this.#rows.map((r) => [r.code, local.get(r.code) ?? r.name]));
    this.#paint();
  }

  /** Colours by reporting status or by a metric's value. */
  setMode(mode: MapMode): void {
    this.#mode = mode;
    if (this.#rollup) this.#paint();
  }

  /** Builds one mark per participant (and the shapes of the rest of the world): only when the participants change. */
  #layout(codes: string[]): void {
    this.#placements = placeMarks(codes, GEOMETRY);
    const taking = new Set(codes);
    this.#other.setAttribute(
      'd',
      Object.entries(GEOMETRY.shapes)
        .filter(([code]) => !taking.has(code))
        .map(([, d]) => d)
        .join(''),
    );
    this.#marks.clear();
    const hatch = `url(#${this.#id}-hatch)`;
    const fill = (node: SVGElement) => {
      node.setAttribute('class', 'map-fill');
      node.setAttribute('fill', hatch);
      return node;
    };
    const shapes: SVGElement[] = [];
    const dots: SVGElement[] = [];
    for (const p of this.#placements) {
      const mark = this.#interactive
        ? svg('a', {
            href: `#/countries/${encodeURIComponent(p.code)}`,
            tabindex: '-1',
            'aria-describedby': this.#tooltip.node.id,
          })
        : svg('g');
      mark.setAttribute('class', 'map-mark');
      mark.setAttribute('data-cc', p.code);
      mark.setAttribute('data-kind', p.kind);
      if (p.d !== null) mark.append(fill(svg('path', { d: p.d })));
      if (p.kind === 'dot')
        mark.append(fill(svg('circle', { cx: `${p.x}`, cy: `${p.y}`, r: `${DOT_RADIUS}` })));
      this.#marks.set(p.code, mark);
      (p.kind === 'shape' ? shapes : dots).push(mark);
    }
    this.#shapes.replaceChildren(...shapes);
    this.#dots.replaceChildren(...dots);
    this.#outline('');
  }

  /** Colours, labels, legend and (when open) the tooltip, for the current rollup and mode. */
  #paint(): void {
    const rollup = this.#rollup;
    if (!rollup) return;
    const mode = this.#mode;
    const metric = mode.kind === 'metric' ? rollup.metrics.find((m) => m.id === mode.metric) : undefined;
    const { fills, legend } = mapColouring(this.#rows, mode);
    setAttr(this.#wrap, 'data-mode', mode.kind);
    for (const row of this.#rows) {
      const mark = this.#marks.get(row.code);
      const fill = fills.get(row.code);
      if (!mark || !fill) continue;
      setAttr(mark, 'data-fill', fill);
      for (const part of Array.from(mark.children)) setAttr(part, 'data-fill', fill);
      const country = this.#names.get(row.code) ?? row.name;
      setAttr(
        mark,
        'aria-label',
        mode.kind === 'metric'
          ? t('web.map.mark.metric', {
              country,
              metric: metric ? metricText(metric.id, metric.label) : mode.metric,
              value: formatFigure(row.figures[mode.metric] ?? null).label,
            })
          : t('web.map.mark.status', { country, status: t(`web.map.status.${mapStatus(row)}`) }),
      );
    }
    if (this.#interactive && !this.#svg.querySelector('.map-mark[tabindex="0"]')) {
      const first = [...this.#rows].sort((a, b) => this.#name(a).localeCompare(this.#name(b)))[0];
      if (first) this.#marks.get(first.code)?.setAttribute('tabindex', '0');
    }
    const modeName = metric ? metricText(metric.id, metric.label) : t('web.map.mode.status');
    this.#legend.update(
      metric
        ? t('web.map.legend.metric', { metric: modeName, unit: unitText(metric.id, metric.unit) })
        : modeName,
      legend,
    );
    if (this.#interactive) setAttr(this.#svg, 'aria-label', t('web.map.label', { mode: modeName }));
    else setAttr(this.#svg, 'aria-label', `${t('web.map.title')} · ${modeName}: ${this.#legend.summary()}`);
    const shown = this.#tooltip.shown;
    if (shown !== null) this.#fillTooltip(shown);
  }

  #name(row: CountryRow): string {
    return this.#names.get(row.code) ?? row.name;
  }

  #fillTooltip(code: string): boolean {
    const row = this.#rows.find((r) => r.code === code);
    if (!row || !this.#rollup) return false;
    this.#tooltip.show(tooltipContent(row, this.#rollup.metrics, this.#mode, this.#name(row)));
    return true;
  }

  /** Shows a country's tooltip and outline, the tooltip beside `at` (CSS pixels in the map's frame). */
  #reveal(code: string, at: { x: number; y: number }): void {
    // Moving within one country only moves the tooltip; its content changes with the country or the figures.
    if (this.#tooltip.shown !== code && !this.#fillTooltip(code)) return;
    const p = this.#placements.find((m) => m.code === code);
    if (p) this.#outline(p.kind === 'shape' ? p.d : circlePath(p.x, p.y, DOT_RADIUS));
    const frame = this.#tooltip.node.parentElement!;
    this.#tooltip.place(at.x, at.y, { width: frame.clientWidth, height: frame.clientHeight });
  }

  #conceal(): void {
    this.#tooltip.hide();
    this.#outline('');
  }

  /** Outlines one country above all others (a dark line on a light halo: visible on every fill). */
  #outline(d: string): void {
    this.#halo.setAttribute('d', d);
    this.#highlight.setAttribute('d', d);
  }

  /** Where a mark's anchor point is, in CSS pixels from the map frame's top-left corner. */
  #anchor(code: string): { x: number; y: number } {
    const p = this.#placements.find((m) => m.code === code);
    const matrix = this.#svg.getScreenCTM();
    const frame = this.#tooltip.node.parentElement!.getBoundingClientRect();
    if (!p || !matrix) return { x: 0, y: 0 };
    const point = new DOMPoint(p.x, p.y).matrixTransform(matrix);
    return { x: point.x - frame.left, y: point.y - frame.top };
  }

  #listen(): void {
    const codeOf = (target: EventTarget | null): string | null =>
      target instanceof Element ? (target.closest<SVGElement>('.map-mark')?.dataset.cc ?? null) : null;
    const frame = () => this.#tooltip.node.parentElement!.getBoundingClientRect();
    const focused = () => codeOf(document.activeElement);
    this.#svg.addEventListener('pointermove', (event) => {
      const code = codeOf(event.target);
      if (code === null) {
        if (focused() === null) this.#conceal();
        return;
      }
      const box = frame();
      this.#reveal(code, { x: event.clientX - box.left, y: event.clientY - box.top });
    });
    this.#svg.addEventListener('pointerleave', () => {
      const code = focused();
      if (code === null) this.#conceal();
      else this.#reveal(code, this.#anchor(code));
    });
    this.#svg.addEventListener('focusin', (event) => {
      const code = codeOf(event.target);
      if (code === null) return;
      for (const mark of this.#marks.values())
        setAttr(mark, 'tabindex', mark.dataset.cc === code ? '0' : '-1');
      this.#reveal(code, this.#anchor(code));
    });
    this.#svg.addEventListener('focusout', (event) => {
      if (codeOf(event.relatedTarget) === null) this.#conceal();
    });
    this.#svg.addEventListener('keydown', (event) => {
      const code = codeOf(event.target);
      if (code === null) return;
      if (event.key === 'Escape') {
        this.#conceal();
        return;
      }
      const direction = ARROWS[event.key];
      if (!direction) return;
      event.preventDefault();
      const next = nearestInDirection(this.#placements, code, direction);
      if (next) (this.#marks.get(next) as SVGElement | undefined)?.focus();
    });
  }
}
