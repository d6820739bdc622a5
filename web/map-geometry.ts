import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { geoEqualEarth, geoPath } from 'd3-geo';
import type { Feature, FeatureCollection, Geometry } from 'geojson';
import { feature } from 'topojson-client';
import type { Topology } from 'topojson-specification';
import type { Countries } from 'world-countries';

/**
 * Build step of the dashboard's world map (issue 16 §1): projects Natural Earth's 1:110m country
 * shapes (world-atlas) once, here, into compact SVG path strings, so the page ships no projection
 * code (d3-geo, topojson-client) and no TopoJSON — only `web/src/generated/world-geometry.ts`.
 *
 * Choices:
 * - 1:110m, not 1:50m: the states 110m lacks or draws too small to click (Bahamas, Curaçao,
 *   Maldives, Luxembourg…) are shown as dots either way, and 50m weighs about ten times as much.
 * - Equal Earth, an equal-area projection: a choropleth compares areas, so no country may look
 *   bigger than it is. Antarctica (no participant) is left out.
 * - Coordinates rounded to whole units of a 1000-unit-wide map (the map is drawn about that wide),
 *   written as relative moves; points that round to the previous one are dropped.
 * - Dots stand at world-countries' `latlng` for every ISO 3166-1 code, so any participant of any
 *   operation has a place, with or without a shape.
 * - Natural Earth's three shapes without an ISO code are given the code of the state UN maps
 *   show them in (Somaliland → SO, N. Cyprus → CY) or their own user-assigned one (Kosovo → XK).
 *
 * Run `npx tsx web/map-geometry.ts` after updating world-atlas or world-countries; a unit test
 * (test/unit/web-map-model.test.ts) fails while the committed module differs from this output.
 */

const webDir = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/** Where the generated module lives. */
export const GEOMETRY_MODULE = path.join(webDir, 'src', 'generated', 'world-geometry.ts');

/** The map's width in SVG user units; its height follows from the projection. */
const WIDTH = 1000;

/** Natural Earth shapes without an ISO 3166-1 numeric code, by their name. */
const UNCODED: Readonly<Record<string, string>> = { Somaliland: 'SO', 'N. Cyprus': 'CY', Kosovo: 'XK' };

/** Antarctica's ISO 3166-1 numeric code. */
const ANTARCTICA = '010';

type CountryFeature = Feature<Geometry, { name: string }>;

/**
 * A d3-geo path context that writes rounded, relative SVG path data: `M12 34l1 2 3-4z`. Each ring
 * starts with an absolute move; a ring that rounds to fewer than three points is dropped.
 */
class CompactPath {
  #out = '';
  #ring: [number, number][] = [];

  moveTo(x: number, y: number): void {
    this.#flush();
    this.#ring = [[Math.round(x), Math.round(y)]];
  }

  lineTo(x: number, y: number): void {
    const point: [number, number] = [Math.round(x), Math.round(y)];
    const last = this.#ring.at(-1);
    if (!last || last[0] !== point[0] || last[1] !== point[1]) this.#ring.push(point);
  }

  closePath(): void {
    this.#flush();
  }

  arc(): void {
    throw new Error('the map draws no points, so d3-geo should never ask for an arc');
  }

  result(): string {
    this.#flush();
    return this.#out;
  }

  #flush(): void {
    const ring = this.#ring;
    this.#ring = [];
    const first = ring[0];
    const last = ring.at(-1);
    if (first && last && ring.length > 1 && first[0] === last[0] && first[1] === last[1]) ring.pop();
    if (!first || ring.length < 3) return;
    let text = `M${first[0]} ${first[1]}l`;
    for (let i = 1; i < ring.length; i++) {
      const [x, y] = ring[i]!;
      const [px, py] = ring[i - 1]!;
      text += `${i === 1 ? '' : ' '}${x - px} ${y - py}`.replace(/ -/g, '-');
    }
    this.#out += `${text}z`;
  }
}

/** The generated module's text: shapes and areas by ISO alpha-2 code, dots for every code. */
export async function generateGeometry(): Promise<string> {
  const atlas = require.resolve('world-atlas/countries-110m.json');
  const topology = JSON.parse(await readFile(atlas, 'utf8')) as Topology;
  const countries = require('world-countries') as Countries;
  const alpha2 = new Map(countries.map((c) => [c.ccn3, c.cca2]));

  const all = feature(topology, topology.objects.countries!) as FeatureCollection<Geometry, { name: string }>;
  const features = all.features.filter((f) => f.id !== ANTARCTICA);
  const projection = geoEqualEarth().fitWidth(WIDTH, { type: 'FeatureCollection', features });
  const measure = geoPath(projection);
  const height = Math.ceil(measure.bounds({ type: 'FeatureCollection', features })[1][1]);

  const byCode = new Map<string, CountryFeature[]>();
  for (const f of features as CountryFeature[]) {
    const code = (f.id === undefined ? undefined : alpha2.get(String(f.id))) ?? UNCODED[f.properties.name];
    if (!code) throw new Error(`world-atlas shape "${f.properties.name}" (${f.id}) has no ISO code`);
    byCode.set(code, [...(byCode.get(code) ?? []), f]);
  }

  const shapes: string[] = [];
  const areas: string[] = [];
  for (const code of [...byCode.keys()].sort()) {
    const parts = byCode.get(code)!;
    const writer = new CompactPath();
    const draw = geoPath(projection, writer as unknown as CanvasRenderingContext2D);
    let area = 0;
    for (const f of parts) {
      draw(f);
      area += measure.area(f);
    }
    const d = writer.result();
    if (d === '') continue;
    shapes.push(`  ${code}: '${d}',`);
    areas.push(`${code}:${Math.round(area * 10) / 10}`);
  }

  const points: string[] = [];
  for (const c of [...countries].sort((a, b) => a.cca2.localeCompare(b.cca2))) {
    const [lat, lon] = c.latlng;
    const xy = lat === undefined || lon === undefined ? null : projection([lon, lat]);
    if (!xy) continue;
    points.push(`${c.cca2}:${Math.round(xy[0] * 10) / 10},${Math.round(xy[1] * 10) / 10}`);
  }

  return [
    '// Generated by web/map-geometry.ts from world-atlas (Natural Earth 1:110m) and world-countries.',
    '// Do not edit: run `npx tsx web/map-geometry.ts` instead.',
    '',
    // Kept by esbuild in the page's LEGAL.txt: the data's sources and licences.
    '/*!',
    ' * World map geometry: Natural Earth 1:110m country shapes (public domain), via world-atlas',
    ' * (ISC licence, https://github.com/topojson/world-atlas); country positions from world-countries,',
    ' * Open Database License 1.0 (https://github.com/mledoze/countries).',
    ' */',
    '',
    '/** The map in SVG user units (Equal Earth projection, Antarctica left out). */',
    `export const MAP_SIZE = { width: ${WIDTH}, height: ${height} } as const;`,
    '',
    '/** Each country shape, by ISO 3166-1 alpha-2 code: SVG path data in map units. */',
    'export const SHAPES: Readonly<Record<string, string>> = {',
    ...shapes,
    '};',
    '',
    '/**',
    ' * Each shape\u2019s area in square map units (before rounding), to tell the ones too small to see:',
    ' * `CC:area`, space-separated (read by `readGeometry` in map-layout.ts).',
    ' */',
    'export const AREAS =',
    `  '${areas.join(' ')}';`,
    '',
    '/**',
    ' * Where a dot stands for each ISO 3166-1 alpha-2 code (world-countries\u2019 `latlng`, projected):',
    ' * `CC:x,y`, space-separated.',
    ' */',
    'export const POINTS =',
    `  '${points.join(' ')}';`,
    '',
  ].join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const text = await generateGeometry();
  await writeFile(GEOMETRY_MODULE, text);
  console.log(`${path.relative(process.cwd(), GEOMETRY_MODULE)}: ${text.length} characters`);
}
