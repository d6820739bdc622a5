import { createHash } from 'node:crypto';
import type { Operation, OperationStatus } from './operation.ts';
import { type CountryState, type Rollup, rollup, versionParts } from './rollup.ts';
import {
  breakdownCode,
  indicatorCode,
  refAreaCode,
  SDMX_CSV_COLUMNS,
  SDMX_TOTAL,
  SdmxCodeError,
  sdmxArtefacts,
  sdmxDay,
  sdmxReference,
  sdmxWindow,
} from './sdmx.ts';

/** Which file of a country counted, and when: the provenance an auditor checks. */
export type Provenance = {
  country: string;
  submissionId: string;
  key: string;
  /** The raw file's S3 version id (null in an unversioned store): evidence is key + version. */
  versionId: string | null;
  sha256: string | null;
  size: number | null;
  receivedAt: string;
  acceptedAt: string;
};

/**
 * Everything the final figures follow from. Its SHA-256 digest (over its canonical JSON) appears
 * in every export, so any two exports — and a recomputation from the raw files — can be compared.
 */
export type Manifest = {
  operation: string;
  name: string;
  status: OperationStatus;
  definitionSha256: string;
  validatorVersion: string;
  version: number;
  figures: Pick<Rollup, 'totals' | 'byRegion' | 'byCountry' | 'byDay' | 'progress'>;
  /** Per country: figures by day and by breakdown, as accepted. */
  countries: Record<string, CountryState['figures']>;
  provenance: Provenance[];
  /** The ledger tree over every submission (accepted, superseded, rejected, failed). */
  ledger?: LedgerTreeHead;
};

/** The root of the ledger tree, its size and the scheme that orders and hashes its leaves. */
export type LedgerTreeHead = { root: string; size: number; scheme: string };

/** JSON with object keys sorted at every level: the same data always gives the same text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}

export function sha256Hex(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The manifest of an operation's current figures (pure: same inputs, same manifest, same digest). */
export function buildManifest(
  op: Operation,
  status: OperationStatus,
  states: readonly CountryState[],
  provenance: readonly Provenance[],
  validatorVersion: string,
  definitionVersion = 1,
  ledger: LedgerTreeHead | null = null,
): Manifest {
  const r = rollup(op, states, definitionVersion);
  const sorted = [...states].sort((a, b) => a.country.localeCompare(b.country));
  return {
    operation: op.id,
    name: op.name,
    status,
    definitionSha256: sha256Hex(canonicalJson(op)),
    validatorVersion,
    version: r.version,
    figures: {
      totals: r.totals,
      byRegion: r.byRegion,
      byCountry: r.byCountry,
      byDay: r.byDay,
      progress: r.progress,
    },
    countries: Object.fromEntries(sorted.map((s) => [s.country, s.figures])),
    provenance: [...provenance].sort((a, b) => a.country.localeCompare(b.country)),
    ...(ledger ? { ledger } : {}),
  };
}

/** The digest that identifies a manifest. */
export function manifestDigest(manifest: Manifest): string {
  return sha256Hex(canonicalJson(manifest));
}

/**
 * A CSV cell, quoted when needed, and defused when a spreadsheet would run it as a formula
 * (leading `=`, `+`, `-`, `@`, tab or carriage return get a leading apostrophe).
 */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvLines(rows: (string | number | null)[][]): string {
  return `${rows.map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

/** The columns of the plain CSV export. */
export const CSV_COLUMNS = [
  'operation',
  'level',
  'area',
  'metric',
  'date',
  'breakdown',
  'value',
  'submission_id',
  'sha256',
  'received_at',
  'accepted_at',
  'manifest_sha256',
] as const;

/**
 * The final figures as CSV: one row per figure — global, region and country totals, country
 * figures by day and by breakdown — each country row with its provenance, every row with the
 * manifest digest. Not-reported figures are left out (a row is a reported figure, 0 included).
 */
export function finalCsv(manifest: Manifest): string {
  const digest = manifestDigest(manifest);
  const op = manifest.operation;
  const rows: (string | number | null)[][] = [[...CSV_COLUMNS]];
  const blank = [null, null, null, null];
  for (const [metric, value] of Object.entries(manifest.figures.totals)) {
    if (value !== null) rows.push([op, 'global', '_T', metric, null, null, value, ...blank, digest]);
  }
  for (const [region, values] of Object.entries(manifest.figures.byRegion)) {
    for (const [metric, value] of Object.entries(values)) {
      if (value !== null) rows.push([op, 'region', region, metric, null, null, value, ...blank, digest]);
    }
  }
  const provenance = new Map(manifest.provenance.map((p) => [p.country, p]));
  for (const [country, figures] of Object.entries(manifest.countries)) {
    const p = provenance.get(country);
    const source = [p?.submissionId ?? null, p?.sha256 ?? null, p?.receivedAt ?? null, p?.acceptedAt ?? null];
    for (const [metric, value] of Object.entries(figures.totals)) {
      rows.push([op, 'country', country, metric, null, null, value, ...source, digest]);
    }
    for (const [date, values] of Object.entries(figures.byDay)) {
      for (const [metric, value] of Object.entries(values)) {
        rows.push([op, 'country-day', country, metric, date, null, value, ...source, digest]);
      }
    }
    for (const [metric, values] of Object.entries(figures.byBreakdown)) {
      for (const [breakdown, value] of Object.entries(values)) {
        rows.push([op, 'country-breakdown', country, metric, null, breakdown, value, ...source, digest]);
      }
    }
  }
  return csvLines(rows);
}

/**
 * The final figures as SDMX-CSV 2.0 (the SDMX-CSV field guide's layout), against the data
 * structure published at GET /operations/{op}/final/structure (`sdmxStructure`): STRUCTURE
 * `datastructure`, STRUCTURE_ID `OPTALLY:DSD_{OPERATION}({definition version}.0.0)`, ACTION `I`;
 * the dimensions REF_AREA (a participant's ISO code, `_T` for all participants), INDICATOR (the
 * metric id upper-cased), BREAKDOWN (`_T` for the total, else `DIMENSION_VALUE`: see
 * `breakdownCode`), TIME_PERIOD (a day, `2025-11-12`, or the whole window as its first day and its
 * length, `2025-11-10/P12D`); OBS_VALUE; the attributes SUBMISSION_ID and MANIFEST_SHA256. Every
 * code is an SDMX id by construction (a value that has none throws `SdmxCodeError`), and every
 * cell still goes through `csvCell`, so no cell can start a spreadsheet formula.
 */
export function finalSdmxCsv(manifest: Manifest, window: { start: string; end: string }): string {
  const digest = manifestDigest(manifest);
  const { dataStructure } = sdmxArtefacts(manifest.operation, versionParts(manifest.version).definition);
  const structure = sdmxReference(dataStructure);
  const period = sdmxWindow(window);
  const rows: (string | number | null)[][] = [[...SDMX_CSV_COLUMNS]];
  const obs = (
    area: string,
    metric: string,
    breakdown: string,
    time: string,
    value: number,
    submission: string | null,
  ) => {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new SdmxCodeError(String(value), `${metric} of ${area} is ${value}: not a whole number ≥ 0.`);
    }
    rows.push([
      'datastructure',
      structure,
      'I',
      area,
      indicatorCode(metric),
      breakdown,
      time,
      value,
      submission,
      digest,
    ]);
  };
  for (const [metric, value] of Object.entries(manifest.figures.totals)) {
    if (value !== null) obs(SDMX_TOTAL, metric, SDMX_TOTAL, period, value, null);
  }
  const provenance = new Map(manifest.provenance.map((p) => [p.country, p]));
  for (const [country, figures] of Object.entries(manifest.countries)) {
    const area = refAreaCode(country);
    const submission = provenance.get(country)?.submissionId ?? null;
    for (const [metric, value] of Object.entries(figures.totals)) {
      obs(area, metric, SDMX_TOTAL, period, value, submission);
    }
    for (const [date, values] of Object.entries(figures.byDay)) {
      for (const [metric, value] of Object.entries(values)) {
        obs(area, metric, SDMX_TOTAL, sdmxDay(date), value, submission);
      }
    }
    for (const [metric, values] of Object.entries(figures.byBreakdown)) {
      for (const [breakdown, value] of Object.entries(values)) {
        obs(area, metric, breakdownCode(breakdown), period, value, submission);
      }
    }
  }
  return csvLines(rows);
}
