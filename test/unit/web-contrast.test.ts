import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const css = readFileSync(new URL('../../web/styles.css', import.meta.url), 'utf8');

/** The custom properties (`--name: #rrggbb`) declared in the first block that opens with `selector {`. */
function themeColours(selector: string): Record<string, string> {
  const start = css.indexOf(`${selector} {`);
  if (start < 0) throw new Error(`styles.css has no block ${selector}`);
  const block = css.slice(start, css.indexOf('}', start));
  return Object.fromEntries([...block.matchAll(/--([a-z-]+):\s*(#[0-9a-f]{6})/gi)].map((m) => [m[1], m[2]]));
}

/** WCAG 2 relative luminance of an sRGB colour. */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG 2 contrast ratio of two colours (1 to 21). */
function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** Text colour on background colour, by variable name: every pair the style sheet uses for text. */
const TEXT_PAIRS: [string, string][] = [
  ['text', 'bg'],
  ['text', 'surface'],
  ['muted', 'surface'],
  ['muted', 'bg'],
  ['accent', 'surface'],
  ['accent-text', 'accent'],
  ['ok-text', 'ok-bg'],
  ['late-text', 'late-bg'],
  ['bad-text', 'bad-bg'],
  ['bad-text', 'surface'],
  ['info-text', 'info-bg'],
  ['neutral-text', 'neutral-bg'],
];

/**
 * Chart marks, focus rings, the progress bar and the edges of controls are graphics: WCAG asks
 * 3:1 against what surrounds them. (`--border` only decorates panels and is not checked.)
 */
const GRAPHIC_PAIRS: [string, string][] = [
  ['chart-primary', 'surface'],
  ['chart-secondary', 'surface'],
  ['focus', 'surface'],
  ['control-border', 'surface'],
  ['accent', 'bg'],
];

describe.each([
  ['standard', ':root'],
  ['projector', `:root[data-theme="projector"]`],
])('the %s theme', (_name, selector) => {
  const colours = themeColours(selector);

  it.each(TEXT_PAIRS)('gives %s text on %s a contrast of at least 4.5:1', (fg, bg) => {
    expect(contrast(colours[fg]!, colours[bg]!)).toBeGreaterThanOrEqual(4.5);
  });

  it.each(GRAPHIC_PAIRS)('gives %s marks on %s a contrast of at least 3:1', (fg, bg) => {
    expect(contrast(colours[fg]!, colours[bg]!)).toBeGreaterThanOrEqual(3);
  });
});

describe('the contrast calculation', () => {
  it('matches the WCAG extremes', () => {
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrast('#777777', '#777777')).toBe(1);
  });
});
