import { canonicalJson, type Manifest, sha256Hex } from './final-export.ts';
import type { Operation } from './operation.ts';
import { versionParts } from './rollup.ts';
import {
  breakdownCode,
  indicatorCode,
  refAreaCode,
  SDMX_AGENCY,
  SDMX_DIMENSIONS,
  SDMX_TOTAL,
  type SdmxArtefact,
  sdmxArtefacts,
  sdmxUrn,
} from './sdmx.ts';

/** The schema of the SDMX-JSON 2.0.0 structure message (SDMX 3.0), named in the message. */
export const SDMX_JSON_STRUCTURE_SCHEMA =
  'https://raw.githubusercontent.com/sdmx-twg/sdmx-json/master/structure-message/tools/schemas/2.0.0/sdmx-json-structure-schema.json';

/** How the structure message is served. */
export const SDMX_STRUCTURE_CONTENT_TYPE =
  'application/vnd.sdmx.structure+json; version=2.0.0; charset=utf-8';

/** An SDMX annotation: a typed value for programs (which metric a code stands for, a hash). */
export type SdmxAnnotation = { type: string; value: string };

/** What every named SDMX object carries: a name (English, the only language of a definition). */
type Named = {
  name: string;
  names: { en: string };
  description?: string;
  descriptions?: { en: string };
  annotations?: SdmxAnnotation[];
};

export type SdmxCode = Named & { id: string };
export type SdmxCodelist = SdmxArtefact & Named & { isPartial: false; codes: SdmxCode[] };
export type SdmxConcept = Named & { id: string };
export type SdmxConceptScheme = SdmxArtefact & Named & { isPartial: false; concepts: SdmxConcept[] };

type Format = {
  dataType: 'String' | 'Long' | 'ObservationalTimePeriod';
  minValue?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
};

export type SdmxDimension = {
  id: string;
  position: number;
  conceptIdentity: string;
  localRepresentation: { enumeration: string };
};
export type SdmxTimeDimension = {
  id: 'TIME_PERIOD';
  conceptIdentity: string;
  localRepresentation: { format: Format };
};
export type SdmxAttribute = {
  id: string;
  usage: 'mandatory' | 'optional';
  attributeRelationship: { dimensions: string[] } | { dataflow: Record<string, never> };
  conceptIdentity: string;
  localRepresentation: { format: Format };
};
export type SdmxMeasure = {
  id: string;
  usage: 'mandatory';
  isMandatory: true;
  conceptIdentity: string;
  localRepresentation: { format: Format };
};

export type SdmxDataStructure = SdmxArtefact &
  Named & {
    dataStructureComponents: {
      dimensionList: {
        id: 'DimensionDescriptor';
        dimensions: SdmxDimension[];
        timeDimension: SdmxTimeDimension;
      };
      attributeList: { id: 'AttributeDescriptor'; attributes: SdmxAttribute[] };
      measureList: { id: 'MeasureDescriptor'; measures: SdmxMeasure[] };
    };
  };

/** An SDMX-JSON 2.0.0 structure message: one data structure, its concept scheme and codelists. */
export type SdmxStructureMessage = {
  meta: {
    schema: string;
    id: string;
    test: false;
    prepared: string;
    contentLanguages: ['en'];
    sender: { id: string; name: string };
  };
  data: {
    dataStructures: [SdmxDataStructure];
    conceptSchemes: [SdmxConceptScheme];
    codelists: [SdmxCodelist, SdmxCodelist, SdmxCodelist];
  };
};

function named(name: string, description?: string, annotations?: SdmxAnnotation[]): Named {
  return {
    name,
    names: { en: name },
    ...(description ? { description, descriptions: { en: description } } : {}),
    ...(annotations ? { annotations } : {}),
  };
}

const CONCEPTS: readonly { id: string; name: string; description: string }[] = [
  { id: 'REF_AREA', name: 'Reference area', description: 'The participating country; _T: all participants.' },
  { id: 'INDICATOR', name: 'Indicator', description: 'The metric of the operation definition.' },
  {
    id: 'BREAKDOWN',
    name: 'Breakdown',
    description: 'The breakdown of the figure (dimension and value of the definition); _T: the total.',
  },
  {
    id: 'TIME_PERIOD',
    name: 'Time period',
    description:
      'A day, or the whole operation window written as its first day and its length (e.g. 2025-11-10/P12D).',
  },
  { id: 'OBS_VALUE', name: 'Observation value', description: 'The figure: a whole number, 0 included.' },
  {
    id: 'SUBMISSION_ID',
    name: 'Submission',
    description: "The submission (accepted national return) a country's figures come from.",
  },
  {
    id: 'MANIFEST_SHA256',
    name: 'Manifest digest',
    description: 'The SHA-256 of the canonical JSON manifest every figure of the export follows from.',
  },
];

const AGGREGATION: Record<Operation['metrics'][number]['aggregation'], string> = {
  sum: 'summed over the days of the window',
  max: "a gauge: a country's figure is its peak day, the figure of all participants the sum of their peaks",
};

/** A structure asked for figures that do not follow from the definition given: a bug. */
export class SdmxStructureError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SdmxStructureError';
  }
}

/**
 * The data structure of an operation's final figures, as an SDMX-JSON 2.0.0 structure message:
 * the data structure definition (dimensions REF_AREA, INDICATOR, BREAKDOWN and TIME_PERIOD; the
 * measure OBS_VALUE, a whole number ≥ 0; the attributes SUBMISSION_ID, by country, and
 * MANIFEST_SHA256, one for the whole export), its concept scheme, and a codelist for each coded
 * dimension, every code named and, where it stands for an id of the definition, annotated with
 * it. The SDMX-CSV export of `manifest` (`finalSdmxCsv`) names this structure in every row and
 * uses only its codes: the version is that of the definition the manifest was computed with, and
 * `op` must be that definition (its SHA-256 is the manifest's, carried as an annotation), else
 * `SdmxStructureError`. Pure: `prepared` is the only thing drawn from neither.
 */
export function sdmxStructure(
  op: Operation,
  manifest: Pick<Manifest, 'operation' | 'version' | 'definitionSha256'>,
  prepared: Date,
): SdmxStructureMessage {
  const definitionSha256 = sha256Hex(canonicalJson(op));
  if (manifest.operation !== op.id || manifest.definitionSha256 !== definitionSha256) {
    throw new SdmxStructureError(
      `the figures of ${manifest.operation} follow from definition ${manifest.definitionSha256}, not from ${op.id}'s ${definitionSha256}`,
    );
  }
  const definitionVersion = versionParts(manifest.version).definition;
  const ids = sdmxArtefacts(op.id, definitionVersion);
  const concept = (id: string) => sdmxUrn('conceptscheme.Concept', ids.conceptScheme, id);
  const codelist = (artefact: SdmxArtefact) => sdmxUrn('codelist.Codelist', artefact);

  const refAreas: SdmxCodelist = {
    ...ids.refAreas,
    ...named(
      `${op.name}: participants`,
      'Participating countries by ISO 3166-1 alpha-2 code; _T: all of them.',
    ),
    isPartial: false,
    codes: [
      { id: SDMX_TOTAL, ...named('All participants') },
      ...[...op.participants]
        .sort((a, b) => a.code.localeCompare(b.code))
        .map((p) => ({ id: refAreaCode(p.code), ...named(p.name, `Region: ${p.region}`) })),
    ],
  };
  const indicators: SdmxCodelist = {
    ...ids.indicators,
    ...named(
      `${op.name}: indicators`,
      'The metrics of the definition; each code is the metric id upper-cased.',
    ),
    isPartial: false,
    codes: op.metrics.map((m) => ({
      id: indicatorCode(m.id),
      ...named(m.label, `Unit: ${m.unit}; ${AGGREGATION[m.aggregation]}.`, [
        { type: 'OPTALLY_METRIC_ID', value: m.id },
        { type: 'OPTALLY_AGGREGATION', value: m.aggregation },
      ]),
    })),
  };
  const breakdownCodes = new Map<string, SdmxCode>();
  for (const metric of op.metrics) {
    for (const b of metric.breakdowns) {
      for (const value of b.values) {
        const key = `${b.dimension}=${value}`;
        if (breakdownCodes.has(key)) continue;
        breakdownCodes.set(key, {
          id: breakdownCode(key),
          ...named(`${b.label ?? b.dimension}: ${value.replace(/_/g, ' ')}`, undefined, [
            { type: 'OPTALLY_BREAKDOWN', value: key },
          ]),
        });
      }
    }
  }
  const breakdowns: SdmxCodelist = {
    ...ids.breakdowns,
    ...named(
      `${op.name}: breakdowns`,
      'The breakdowns of the definition: DIMENSION_VALUE upper-cased (a hyphen after a dimension id that has an underscore); _T: the total.',
    ),
    isPartial: false,
    codes: [{ id: SDMX_TOTAL, ...named('Total') }, ...breakdownCodes.values()],
  };

  const codelistOf: Record<(typeof SDMX_DIMENSIONS)[number], SdmxArtefact> = {
    REF_AREA: ids.refAreas,
    INDICATOR: ids.indicators,
    BREAKDOWN: ids.breakdowns,
  };
  const dataStructure: SdmxDataStructure = {
    ...ids.dataStructure,
    ...named(
      `${op.name}: final figures`,
      `The final figures of ${op.name}, as exported in SDMX-CSV by GET /operations/${op.id}/final?format=sdmx-csv.`,
      [
        { type: 'OPTALLY_OPERATION', value: op.id },
        { type: 'OPTALLY_DEFINITION_SHA256', value: definitionSha256 },
      ],
    ),
    dataStructureComponents: {
      dimensionList: {
        id: 'DimensionDescriptor',
        dimensions: SDMX_DIMENSIONS.map((id, position) => ({
          id,
          position,
          conceptIdentity: concept(id),
          localRepresentation: { enumeration: codelist(codelistOf[id]) },
        })),
        timeDimension: {
          id: 'TIME_PERIOD',
          conceptIdentity: concept('TIME_PERIOD'),
          localRepresentation: { format: { dataType: 'ObservationalTimePeriod' } },
        },
      },
      attributeList: {
        id: 'AttributeDescriptor',
        attributes: [
          {
            id: 'SUBMISSION_ID',
            usage: 'optional',
            attributeRelationship: { dimensions: ['REF_AREA'] },
            conceptIdentity: concept('SUBMISSION_ID'),
            localRepresentation: { format: { dataType: 'String' } },
          },
          {
            id: 'MANIFEST_SHA256',
            usage: 'mandatory',
            attributeRelationship: { dataflow: {} },
            conceptIdentity: concept('MANIFEST_SHA256'),
            localRepresentation: {
              format: { dataType: 'String', minLength: 64, maxLength: 64, pattern: '[0-9a-f]{64}' },
            },
          },
        ],
      },
      measureList: {
        id: 'MeasureDescriptor',
        measures: [
          {
            id: 'OBS_VALUE',
            usage: 'mandatory',
            isMandatory: true,
            conceptIdentity: concept('OBS_VALUE'),
            localRepresentation: { format: { dataType: 'Long', minValue: 0 } },
          },
        ],
      },
    },
  };

  return {
    meta: {
      schema: SDMX_JSON_STRUCTURE_SCHEMA,
      id: `${ids.dataStructure.id}-${definitionVersion}`,
      test: false,
      prepared: prepared.toISOString(),
      contentLanguages: ['en'],
      sender: { id: SDMX_AGENCY, name: 'optally' },
    },
    data: {
      dataStructures: [dataStructure],
      conceptSchemes: [
        {
          ...ids.conceptScheme,
          ...named(`${op.name}: concepts`),
          isPartial: false,
          concepts: CONCEPTS.map((c) => ({ id: c.id, ...named(c.name, c.description) })),
        },
      ],
      codelists: [refAreas, indicators, breakdowns],
    },
  };
}
