import type { OperationWindow } from './operation.ts';

/*
 * The SDMX names of an operation's final figures: the artefacts of its data structure, the codes
 * of its dimensions and its time periods (SDMX 3.0 information model, SDMX-CSV 2.0). Both the
 * structure message (sdmx-structure.ts) and the SDMX-CSV export (final-export.ts) take every name
 * from here, so a code in the data is always a code of the published structure.
 */

/** The maintenance agency of every optally structure. */
export const SDMX_AGENCY = 'OPTALLY';

/** SDMX's code for "all": every participant (REF_AREA), or the figure not broken down (BREAKDOWN). */
export const SDMX_TOTAL = '_T';

/** The dimensions, in key order; the time dimension comes after them. */
export const SDMX_DIMENSIONS = ['REF_AREA', 'INDICATOR', 'BREAKDOWN'] as const;
export const SDMX_TIME_DIMENSION = 'TIME_PERIOD';
export const SDMX_MEASURE = 'OBS_VALUE';
/** The attributes the export carries: the submission a country's figures come from, the manifest digest. */
export const SDMX_ATTRIBUTES = ['SUBMISSION_ID', 'MANIFEST_SHA256'] as const;

/** The SDMX-CSV 2.0 header: structure, action, dimensions, measure, attributes (the field guide's order). */
export const SDMX_CSV_COLUMNS = [
  'STRUCTURE',
  'STRUCTURE_ID',
  'ACTION',
  ...SDMX_DIMENSIONS,
  SDMX_TIME_DIMENSION,
  SDMX_MEASURE,
  ...SDMX_ATTRIBUTES,
] as const;

/** A maintainable SDMX artefact: who maintains it, its id and its version. */
export type SdmxArtefact = { agencyID: string; id: string; version: string };

/** The maintainable artefacts of an operation's structure. */
export type SdmxArtefacts = {
  dataStructure: SdmxArtefact;
  conceptScheme: SdmxArtefact;
  refAreas: SdmxArtefact;
  indicators: SdmxArtefact;
  breakdowns: SdmxArtefact;
};

/** A value that has no SDMX code: a broken invariant (the manifest holds only checked figures). */
export class SdmxCodeError extends Error {
  constructor(
    readonly value: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'SdmxCodeError';
  }
}

const OPERATION_ID = /^[a-z0-9][a-z0-9-]*$/;
const IDENTIFIER = /^[a-z][a-z0-9_]*$/;
const COUNTRY = /^[A-Z]{2}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

/**
 * The artefacts of an operation's data structure. Ids come from the operation id, upper-cased,
 * hyphens to underscores (`liberterra-iii` → `DSD_LIBERTERRA_III`, `CL_LIBERTERRA_III_REF_AREA`…);
 * operation ids have no underscore, so no two operations share an id. The version is
 * `{definition version}.0.0`: each definition is a structure version of its own, and a version,
 * once published, never changes (SDMX semantic versioning).
 */
export function sdmxArtefacts(operationId: string, definitionVersion: number): SdmxArtefacts {
  if (!OPERATION_ID.test(operationId)) {
    throw new SdmxCodeError(operationId, `"${operationId}" is not an operation id: no SDMX id for it.`);
  }
  if (!Number.isSafeInteger(definitionVersion) || definitionVersion < 1) {
    throw new RangeError(`definition version ${definitionVersion} is not a positive whole number`);
  }
  const name = operationId.toUpperCase().replace(/-/g, '_');
  const artefact = (id: string): SdmxArtefact => ({
    agencyID: SDMX_AGENCY,
    id,
    version: `${definitionVersion}.0.0`,
  });
  return {
    dataStructure: artefact(`DSD_${name}`),
    conceptScheme: artefact(`CS_${name}`),
    refAreas: artefact(`CL_${name}_REF_AREA`),
    indicators: artefact(`CL_${name}_INDICATOR`),
    breakdowns: artefact(`CL_${name}_BREAKDOWN`),
  };
}

/** `AGENCY:ID(VERSION)`, as SDMX-CSV's STRUCTURE_ID names an artefact: `OPTALLY:DSD_LIBERTERRA_III(1.0.0)`. */
export function sdmxReference(artefact: SdmxArtefact): string {
  return `${artefact.agencyID}:${artefact.id}(${artefact.version})`;
}

/** The SDMX URN of an artefact (or of an item in it: a concept of a concept scheme). */
export function sdmxUrn(
  kind:
    | 'datastructure.DataStructure'
    | 'conceptscheme.ConceptScheme'
    | 'conceptscheme.Concept'
    | 'codelist.Codelist',
  artefact: SdmxArtefact,
  item?: string,
): string {
  return `urn:sdmx:org.sdmx.infomodel.${kind}=${sdmxReference(artefact)}${item === undefined ? '' : `.${item}`}`;
}

/** A participant's REF_AREA code: its ISO 3166-1 alpha-2 code, as the definition holds it. */
export function refAreaCode(country: string): string {
  if (!COUNTRY.test(country)) {
    throw new SdmxCodeError(
      country,
      `"${country}" is not an ISO 3166-1 alpha-2 code: no REF_AREA code for it.`,
    );
  }
  return country;
}

/**
 * A metric's INDICATOR code: its id upper-cased (`arrests_trafficking_smuggling` →
 * `ARRESTS_TRAFFICKING_SMUGGLING`). Metric ids are lower-case identifiers, so each code names one
 * metric; the INDICATOR codelist also carries the metric id in an `OPTALLY_METRIC_ID` annotation.
 */
export function indicatorCode(metricId: string): string {
  if (!IDENTIFIER.test(metricId)) {
    throw new SdmxCodeError(metricId, `"${metricId}" is not a metric id: no INDICATOR code for it.`);
  }
  return metricId.toUpperCase();
}

/**
 * A breakdown's BREAKDOWN code: `dimension=value` upper-cased, joined by an underscore
 * (`exploitation=forced_labour` → `EXPLOITATION_FORCED_LABOUR`) — or by a hyphen when the dimension
 * id has an underscore of its own (`age_group=under_18` → `AGE_GROUP-UNDER_18`), so that every code
 * reads back to exactly one breakdown (`breakdownOfCode`). Both are valid SDMX ids.
 */
export function breakdownCode(breakdown: string): string {
  const [dimension, value, ...rest] = breakdown.split('=');
  if (dimension === undefined || value === undefined || rest.length > 0) {
    throw new SdmxCodeError(
      breakdown,
      `"${breakdown}" is not a breakdown (dimension=value): no BREAKDOWN code for it.`,
    );
  }
  if (!IDENTIFIER.test(dimension) || !IDENTIFIER.test(value)) {
    throw new SdmxCodeError(
      breakdown,
      `"${breakdown}" is not a breakdown of identifiers (lower-case letters, digits, underscores): no BREAKDOWN code for it.`,
    );
  }
  return `${dimension.toUpperCase()}${dimension.includes('_') ? '-' : '_'}${value.toUpperCase()}`;
}

/** The breakdown (`dimension=value`) a BREAKDOWN code stands for; null for `_T` and for codes of no breakdown. */
export function breakdownOfCode(code: string): string | null {
  const hyphen = /^([A-Z][A-Z0-9_]*)-([A-Z][A-Z0-9_]*)$/.exec(code);
  const underscore = /^([A-Z][A-Z0-9]*)_([A-Z][A-Z0-9_]*)$/.exec(code);
  const parts = hyphen?.[1]?.includes('_') ? hyphen : underscore;
  if (!parts?.[1] || !parts[2]) return null;
  return `${parts[1].toLowerCase()}=${parts[2].toLowerCase()}`;
}

/** A day as SDMX writes it (a Gregorian day): the date itself, `2025-11-12`. */
export function sdmxDay(date: string): string {
  if (!DATE.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`))) {
    throw new SdmxCodeError(date, `"${date}" is not a date written YYYY-MM-DD: no TIME_PERIOD for it.`);
  }
  return date;
}

/**
 * The whole window as an SDMX time range — its first day and its length in days, as SDMX writes a
 * range (`start/duration`): 10–21 November 2025 is `2025-11-10/P12D`. Calendar dates only: the
 * time zone of the machine plays no part.
 */
export function sdmxWindow(window: OperationWindow): string {
  const start = Date.parse(`${sdmxDay(window.start)}T00:00:00Z`);
  const end = Date.parse(`${sdmxDay(window.end)}T00:00:00Z`);
  if (end < start) {
    throw new RangeError(`the window ends (${window.end}) before it starts (${window.start})`);
  }
  return `${window.start}/P${Math.round((end - start) / DAY_MS) + 1}D`;
}
