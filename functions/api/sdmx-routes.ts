import type { FinalStructure } from '../../shared/api/responses.ts';
import { finalFigures } from '../../shared/app/final-figures.ts';
import { SDMX_STRUCTURE_CONTENT_TYPE, sdmxStructure } from '../../shared/domain/sdmx-structure.ts';
import { type ApiRequest, type ApiResponse, HttpError, json } from './http.ts';
import { type ApiDeps, allow, nowOf, operationOr404 } from './route-kit.ts';

/**
 * GET /operations/{op}/final/structure: the SDMX data structure the SDMX-CSV export follows, as an
 * SDMX-JSON 2.0.0 structure message (data structure, concept scheme, codelists of REF_AREA,
 * INDICATOR and BREAKDOWN). Who may read it and when are those of GET /operations/{op}/final
 * (`read-final`; 409 before the operation is closed): its version is that of the definition the
 * final figures were computed with.
 */
export async function finalStructure(req: ApiRequest, deps: ApiDeps): Promise<ApiResponse> {
  const record = await operationOr404(req, deps);
  allow(req, { kind: 'read-final', status: record.status });
  const figures = await finalFigures(deps, record);
  if (!figures.ok) throw HttpError.refused(figures.error);
  const structure = sdmxStructure(record.definition, figures.value, nowOf(deps));
  return json(200, structure satisfies FinalStructure, {
    'content-type': SDMX_STRUCTURE_CONTENT_TYPE,
    'cache-control': 'no-cache',
  });
}
