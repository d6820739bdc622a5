import { parse } from 'csv-parse/sync';
import type { SdmxCodelist, SdmxStructureMessage } from '../../shared/domain/sdmx-structure.ts';

/*
 * Reads an SDMX-CSV export back against a structure message the way an SDMX tool loading it would,
 * written from the SDMX 3.0 rules (SDMX-JSON 2.0.0 id patterns, SDMX-CSV 2.0 field guide), not from
 * the code that writes the export: a test that used the writer's own helpers could not fail.
 */

const ID = /^[A-Za-z0-9_@$-]+$/;
const NC_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;
const SEMANTIC_VERSION = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;
const WHOLE_NUMBER = /^(0|[1-9]\d*)$/;
const DURATION = /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/;

/** One row of an SDMX-CSV file: column → cell. */
export type SdmxCsvRow = Record<string, string>;

/** The rows of an SDMX-CSV text, header first (RFC 4180). */
export function sdmxCsvRows(text: string): SdmxCsvRow[] {
  return parse(text, { columns: true }) as SdmxCsvRow[];
}

/** Whether `text` is a calendar date written YYYY-MM-DD (a Gregorian day). */
function isGregorianDay(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/**
 * Whether `text` is an SDMX observational time period of the kinds a day-based export may use: a
 * Gregorian day, or a time range (a start day or date-time, `/`, an ISO 8601 duration).
 */
export function isSdmxTimePeriod(text: string): boolean {
  if (isGregorianDay(text)) return true;
  const range = /^(\d{4}-\d{2}-\d{2})(T\d{2}:\d{2}:\d{2})?\/(P.*)$/.exec(text);
  return range !== null && isGregorianDay(range[1] ?? '') && DURATION.test(range[3] ?? '');
}

const urnOf = (kind: string, a: { agencyID: string; id: string; version: string }) =>
  `urn:sdmx:org.sdmx.infomodel.${kind}=${a.agencyID}:${a.id}(${a.version})`;

/** What is wrong with the structure message itself: ids, versions, references that resolve nowhere. */
export function structureProblems(message: SdmxStructureMessage): string[] {
  const problems: string[] = [];
  const { dataStructures, conceptSchemes, codelists } = message.data;
  const artefacts = [...dataStructures, ...conceptSchemes, ...codelists];
  for (const a of artefacts) {
    if (!NC_NAME.test(a.agencyID)) problems.push(`agency "${a.agencyID}" is not an NCName`);
    if (!ID.test(a.id)) problems.push(`artefact id "${a.id}" is not an SDMX id`);
    if (!SEMANTIC_VERSION.test(a.version)) problems.push(`${a.id}: version "${a.version}" is not semantic`);
    if (a.name.trim() === '') problems.push(`${a.id} has no name`);
  }
  const concepts = new Set(
    conceptSchemes.flatMap((cs) => cs.concepts.map((c) => `${urnOf('conceptscheme.Concept', cs)}.${c.id}`)),
  );
  const lists = new Set(codelists.map((cl) => urnOf('codelist.Codelist', cl)));
  for (const cl of codelists) {
    const seen = new Set<string>();
    for (const code of cl.codes) {
      if (!ID.test(code.id)) problems.push(`${cl.id}: code "${code.id}" is not an SDMX id`);
      if (seen.has(code.id)) problems.push(`${cl.id}: code "${code.id}" twice`);
      if (code.name.trim() === '') problems.push(`${cl.id}: code "${code.id}" has no name`);
      seen.add(code.id);
    }
  }
  for (const dsd of dataStructures) {
    const { dimensionList, attributeList, measureList } = dsd.dataStructureComponents;
    const components = [
      ...dimensionList.dimensions,
      dimensionList.timeDimension,
      ...attributeList.attributes,
      ...measureList.measures,
    ];
    for (const c of components) {
      if (!NC_NAME.test(c.id)) problems.push(`component id "${c.id}" is not an NCName`);
      if (!concepts.has(c.conceptIdentity))
        problems.push(`${c.id}: concept ${c.conceptIdentity} is not in the message`);
    }
    dimensionList.dimensions.forEach((d, i) => {
      if (d.position !== i) problems.push(`${d.id} is at position ${d.position}, listed ${i}`);
      if (!lists.has(d.localRepresentation.enumeration)) {
        problems.push(`${d.id}: codelist ${d.localRepresentation.enumeration} is not in the message`);
      }
    });
    if (new Set(components.map((c) => c.id)).size !== components.length)
      problems.push('two components share an id');
  }
  return problems;
}

/**
 * Every way the SDMX-CSV `text` departs from the (single) data structure of `message`: the header
 * (the field guide's column order), the structure named in each row, each dimension's code in its
 * codelist, TIME_PERIOD an SDMX time period, OBS_VALUE a whole number within the measure's range,
 * the attributes' usage and pattern, and no two rows with the same key. Empty when every row loads.
 */
export function sdmxCsvProblems(text: string, message: SdmxStructureMessage): string[] {
  const [dsd] = message.data.dataStructures;
  const { dimensionList, attributeList, measureList } = dsd.dataStructureComponents;
  const codelists = new Map<string, SdmxCodelist>(
    message.data.codelists.map((cl) => [urnOf('codelist.Codelist', cl), cl]),
  );
  const problems: string[] = [];
  const header = (text.split(/\r?\n/, 1)[0] ?? '').split(',');
  const expected = [
    'STRUCTURE',
    'STRUCTURE_ID',
    'ACTION',
    ...dimensionList.dimensions.map((d) => d.id),
    dimensionList.timeDimension.id,
    ...measureList.measures.map((m) => m.id),
    ...attributeList.attributes.map((a) => a.id),
  ];
  if (header.join(',') !== expected.join(','))
    problems.push(`header ${header.join(',')} ≠ ${expected.join(',')}`);
  const structureId = `${dsd.agencyID}:${dsd.id}(${dsd.version})`;
  const keys = new Set<string>();
  sdmxCsvRows(text).forEach((row, i) => {
    const at = `row ${i + 2}`;
    if (row.STRUCTURE !== 'datastructure') problems.push(`${at}: STRUCTURE "${row.STRUCTURE}"`);
    if (row.STRUCTURE_ID !== structureId)
      problems.push(`${at}: STRUCTURE_ID "${row.STRUCTURE_ID}" ≠ ${structureId}`);
    if (row.ACTION !== 'I') problems.push(`${at}: ACTION "${row.ACTION}"`);
    for (const d of dimensionList.dimensions) {
      const value = row[d.id] ?? '';
      const list = codelists.get(d.localRepresentation.enumeration);
      if (!list?.codes.some((c) => c.id === value))
        problems.push(`${at}: ${d.id} "${value}" is not in its codelist`);
    }
    const period = row[dimensionList.timeDimension.id] ?? '';
    if (!isSdmxTimePeriod(period)) problems.push(`${at}: TIME_PERIOD "${period}" is not an SDMX time period`);
    for (const m of measureList.measures) {
      const value = row[m.id] ?? '';
      const { minValue } = m.localRepresentation.format;
      if (!WHOLE_NUMBER.test(value) || !Number.isSafeInteger(Number(value))) {
        problems.push(`${at}: ${m.id} "${value}" is not a whole number`);
      } else if (minValue !== undefined && Number(value) < minValue) {
        problems.push(`${at}: ${m.id} ${value} is below ${minValue}`);
      }
    }
    for (const a of attributeList.attributes) {
      const value = row[a.id] ?? '';
      const { pattern } = a.localRepresentation.format;
      if (value === '') {
        if (a.usage === 'mandatory') problems.push(`${at}: mandatory ${a.id} is empty`);
      } else if (pattern !== undefined && !new RegExp(`^(?:${pattern})$`).test(value)) {
        problems.push(`${at}: ${a.id} "${value}" does not match ${pattern}`);
      }
    }
    const key = [...dimensionList.dimensions.map((d) => row[d.id]), period].join('.');
    if (keys.has(key)) problems.push(`${at}: key ${key} already seen`);
    keys.add(key);
  });
  return problems;
}

/** The metric id an INDICATOR code stands for, read from the codelist's `OPTALLY_METRIC_ID` annotation. */
export function metricOfIndicator(message: SdmxStructureMessage, code: string): string | undefined {
  const indicators = message.data.codelists.find((cl) => cl.id.endsWith('_INDICATOR'));
  return indicators?.codes
    .find((c) => c.id === code)
    ?.annotations?.find((a) => a.type === 'OPTALLY_METRIC_ID')?.value;
}
