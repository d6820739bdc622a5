import { h, setFigure, setHidden } from './dom.ts';
import { formatDateTime, formatFigure } from './format.ts';
import { metricText, t } from './i18n.ts';
import type { TooltipContent } from './map-model.ts';

/**
 * The map's tooltip: one element per map, filled for the country under the pointer or with the
 * keyboard focus, in the page's language and formats. It is also each country link's description
 * (`aria-describedby`), so a screen reader reads the same figures.
 */
export class MapTooltip {
  readonly node: HTMLElement;

  constructor(
    id: string,
    private readonly interactive: boolean,
  ) {
    this.node = h('div', { class: 'map-tooltip', id, role: 'tooltip', hidden: true });
  }

  /** Shows a country's figures (replacing what was shown). */
  show(content: TooltipContent): void {
    const status = [t(`web.map.status.${content.status}`)];
    if (content.status === 'zero') {
      status.push(t('web.map.zero-note'));
      if (content.late) status.push(t('web.map.status.late'));
    }
    const figures = h('dl', { class: 'map-figures' });
    for (const f of content.figures) {
      const value = h('dd', { class: 'num' });
      setFigure(value, formatFigure(f.value));
      figures.append(
        h('div', f.mapped ? { class: 'mapped' } : {}, h('dt', {}, metricText(f.metric, f.label)), value),
      );
    }
    this.node.dataset.cc = content.code;
    this.node.replaceChildren(
      h('p', { class: 'map-tooltip-name' }, h('bdi', {}, content.name)),
      h(
        'p',
        { class: 'map-tooltip-status' },
        h('span', { class: 'map-swatch', 'data-fill': content.status, 'aria-hidden': 'true' }),
        status.join(' · '),
      ),
      h(
        'p',
        { class: 'subtle' },
        content.acceptedAt === null
          ? t('web.map.tooltip.no-return')
          : t('web.map.tooltip.accepted', { time: formatDateTime(content.acceptedAt) }),
      ),
      ...(content.figures.length > 0 ? [figures] : []),
      ...(this.interactive ? [h('p', { class: 'subtle map-tooltip-hint' }, t('web.map.tooltip.open'))] : []),
    );
    setHidden(this.node, false);
  }

  /** The country shown, or null when hidden. */
  get shown(): string | null {
    return this.node.hidden ? null : (this.node.dataset.cc ?? null);
  }

  /**
   * Places the tooltip near a point of its container (CSS pixels from the container's top-left),
   * on the side with room, never past the container's edges.
   */
  place(x: number, y: number, container: { width: number; height: number }): void {
    const gap = 14;
    const { offsetWidth: w, offsetHeight: hgt } = this.node;
    const left = x + gap + w <= container.width ? x + gap : Math.max(0, x - gap - w);
    const top = y + gap + hgt <= container.height ? y + gap : Math.max(0, y - gap - hgt);
    this.node.style.left = `${Math.round(left)}px`;
    this.node.style.top = `${Math.round(top)}px`;
  }

  hide(): void {
    setHidden(this.node, true);
  }
}
