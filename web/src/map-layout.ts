/**
 * Where each participant goes on the world map, and which one the arrow keys move to: pure
 * functions of the projected geometry (`generated/world-geometry.ts`), no DOM.
 */

/** The projected geometry the layout works from (the generated module's shape). */
export type MapGeometry = {
  size: { width: number; height: number };
  /** SVG path data by ISO 3166-1 alpha-2 code. */
  shapes: Readonly<Record<string, string>>;
  /** Each shape's area in square map units. */
  areas: Readonly<Record<string, number>>;
  /** A dot's place by ISO 3166-1 alpha-2 code. */
  points: Readonly<Record<string, readonly [number, number]>>;
};

/** The generated module (`generated/world-geometry.ts`): shapes by code, areas and dots as `CC:…` tables. */
export type GeneratedGeometry = {
  MAP_SIZE: { width: number; height: number };
  SHAPES: Readonly<Record<string, string>>;
  AREAS: string;
  POINTS: string;
};

/** Reads the generated tables (`CC:12.5` and `CC:498.2,90.1`, space-separated) into a `MapGeometry`. */
export function readGeometry(generated: GeneratedGeometry): MapGeometry {
  const table = (text: string) =>
    text
      .split(' ')
      .filter(Boolean)
      .map((entry) => {
        const [code = '', values = ''] = entry.split(':');
        return [code, values.split(',').map(Number)] as const;
      });
  return {
    size: generated.MAP_SIZE,
    shapes: generated.SHAPES,
    areas: Object.fromEntries(table(generated.AREAS).map(([code, [area = 0]]) => [code, area])),
    points: Object.fromEntries(
      table(generated.POINTS).map(([code, [x = 0, y = 0]]) => [code, [x, y] as const]),
    ),
  };
}

/**
 * A shape smaller than this (square map units, the map being 1000 units wide) cannot be seen or
 * clicked — about 4½ units square, Luxembourg, Trinidad and Tobago, Qatar, Slovenia — and is
 * shown as a dot instead.
 */
export const MIN_SHAPE_AREA = 20;

/** How a participant is drawn. */
export type Placement =
  /** Its own shape, big enough to see and click; `x`, `y`: where its tooltip points and arrows start. */
  | { code: string; kind: 'shape'; d: string; x: number; y: number }
  /** A dot, over its tiny shape (`d`) when it has one. */
  | { code: string; kind: 'dot'; d: string | null; x: number; y: number };

/**
 * Where every code goes: its shape when it has one at least `MIN_SHAPE_AREA` large, else a dot
 * at its place. A code the geometry does not know (no shape, no place: not an ISO 3166-1 code)
 * still gets a dot, in a row along the map's bottom-left corner, so every participant is on the map.
 */
export function placeMarks(codes: readonly string[], geometry: MapGeometry): Placement[] {
  const { shapes, areas, points, size } = geometry;
  let unplaced = 0;
  return codes.map((code): Placement => {
    const d = shapes[code] ?? null;
    const point = points[code] ?? pathCentre(d);
    const [x, y] = point ?? [16 + 16 * unplaced++, size.height - 12];
    if (d !== null && (areas[code] ?? 0) >= MIN_SHAPE_AREA) return { code, kind: 'shape', d, x, y };
    return { code, kind: 'dot', d, x, y };
  });
}

/** The middle of a path's bounding box (absolute first move, relative lines as written by the generator). */
export function pathCentre(d: string | null): [number, number] | null {
  if (!d) return null;
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const ring of d.split('M').filter(Boolean)) {
    const numbers = ring.match(/-?\d+(?:\.\d+)?/g)?.map(Number) ?? [];
    let x = numbers[0] ?? 0;
    let y = numbers[1] ?? 0;
    for (let i = 0; i < numbers.length; i += 2) {
      if (i > 0) {
        x += numbers[i] ?? 0;
        y += numbers[i + 1] ?? 0;
      }
      [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
    }
  }
  return Number.isFinite(x0) ? [(x0 + x1) / 2, (y0 + y1) / 2] : null;
}

/** An arrow key's direction on the map (the map is never mirrored, so right is east in every language). */
export type Direction = 'left' | 'right' | 'up' | 'down';

/**
 * The mark an arrow key moves to from `from`: the nearest one lying in that direction (within 60°
 * of it), sideways distance counting double, so "right" follows a row of countries rather than
 * jumping diagonally. Null when nothing lies that way.
 */
export function nearestInDirection(
  marks: readonly Pick<Placement, 'code' | 'x' | 'y'>[],
  from: string,
  direction: Direction,
): string | null {
  const start = marks.find((m) => m.code === from);
  if (!start) return null;
  let best: { code: string; score: number } | null = null;
  for (const m of marks) {
    if (m.code === from) continue;
    const dx = m.x - start.x;
    const dy = m.y - start.y;
    const along = direction === 'right' ? dx : direction === 'left' ? -dx : direction === 'down' ? dy : -dy;
    const across = direction === 'left' || direction === 'right' ? Math.abs(dy) : Math.abs(dx);
    if (along <= 0 || across > along * Math.tan(Math.PI / 3)) continue;
    const score = along + 2 * across;
    if (!best || score < best.score || (score === best.score && m.code < best.code))
      best = { code: m.code, score };
  }
  return best?.code ?? null;
}
