import type { Region } from './operation.ts';

/**
 * The UN M49 standard's top-level region of every country or area that has an ISO 3166-1 alpha-2
 * code: "Standard country or area codes for statistical use" (Series M, No. 49), United Nations
 * Statistics Division, https://unstats.un.org/unsd/methodology/m49/overview/ — the region column,
 * with the region's own M49 area code in a comment. Data, kept here so that definitions take their regions from
 * the standard they name, not from a package with regions of its own (world-countries puts
 * Cyprus in Europe; M49 puts it in Western Asia). M49 places Antarctica (AQ) in no region and
 * lists no Taiwan or Kosovo: those have none here either.
 */
const M49: Record<Region, string> = {
  // M49 area code 002
  Africa:
    'AO BF BI BJ BW CD CF CG CI CM CV DJ DZ EG EH ER ET GA GH GM GN GQ GW IO KE KM LR LS LY MA MG ML ' +
    'MR MU MW MZ NA NE NG RE RW SC SD SH SL SN SO SS ST SZ TD TF TG TN TZ UG YT ZA ZM ZW',
  // M49 area code 019
  Americas:
    'AG AI AR AW BB BL BM BO BQ BR BS BV BZ CA CL CO CR CU CW DM DO EC FK GD GF GL GP GS GT GY HN HT ' +
    'JM KN KY LC MF MQ MS MX NI PA PE PM PR PY SR SV SX TC TT US UY VC VE VG VI',
  // M49 area code 142
  Asia:
    'AE AF AM AZ BD BH BN BT CN CY GE HK ID IL IN IQ IR JO JP KG KH KP KR KW KZ LA LB LK MM MN MO MV ' +
    'MY NP OM PH PK PS QA SA SG SY TH TJ TL TM TR UZ VN YE',
  // M49 area code 150
  Europe:
    'AD AL AT AX BA BE BG BY CH CZ DE DK EE ES FI FO FR GB GG GI GR HR HU IE IM IS IT JE LI LT LU LV ' +
    'MC MD ME MK MT NL NO PL PT RO RS RU SE SI SJ SK SM UA VA',
  // M49 area code 009
  Oceania: 'AS AU CC CK CX FJ FM GU HM KI MH MP NC NF NR NU NZ PF PG PN PW SB TK TO TV UM VU WF WS',
};

const REGION_OF: ReadonlyMap<string, Region> = new Map(
  (Object.entries(M49) as [Region, string][]).flatMap(([region, codes]) =>
    codes.split(' ').map((code): [string, Region] => [code, region]),
  ),
);

/** The M49 top-level region of an ISO 3166-1 alpha-2 code, or undefined when M49 gives none. */
export function m49Region(code: string): Region | undefined {
  return REGION_OF.get(code);
}
