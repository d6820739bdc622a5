import { ApiError, createClient } from '../../shared/api/client.ts';
import { API } from '../../shared/api/routes.ts';
import { apiBaseUrl, type Fetch } from './api-client.ts';
import type { RollupView } from './api-types.ts';
import { byId, saveBlob, setText } from './dom.ts';
import { formatBytes } from './format.ts';
import { pageLocale, t } from './i18n.ts';
import { tokenStore } from './session.ts';

/** The provisional export formats, as the buttons offer them. */
export const EXPORT_FORMATS = ['csv', 'xlsx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

const ACCEPT: Record<ExportFormat, string> = {
  csv: 'text/csv',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** Where the buttons fetch from: the API, the signed-in token (read at each click: it is renewed). */
export type ExportSource = { baseUrl: string; token: () => string | null; fetch?: Fetch };

/**
 * The file name an answer gives (`Content-Disposition: attachment; filename="…"`), else
 * `{op}-provisional-v{version}.{format}` as the API names it.
 */
export function exportFileName(
  disposition: string | null,
  rollup: Pick<RollupView, 'operation' | 'version'>,
  format: ExportFormat,
): string {
  const named = /filename="([^"]+)"/.exec(disposition ?? '')?.[1];
  return named ?? `${rollup.operation}-provisional-v${rollup.version}.${format}`;
}

/**
 * The two download buttons under the country table: the rollup on screen as a provisional CSV or
 * Excel file (`GET /operations/{op}/rollup/export`), fetched with the bearer token as the final
 * exports are, the stamp in the page's language. While the page shows a past moment (the
 * timeline's `asOf`), that moment is exported.
 */
export class ExportButtons {
  #rollup: Pick<RollupView, 'operation' | 'version'> | null = null;
  #busy = false;

  constructor(
    private readonly source: ExportSource = {
      baseUrl: apiBaseUrl(location.href),
      token: () => tokenStore(sessionStorage).load(),
    },
  ) {
    for (const format of EXPORT_FORMATS) {
      const button = byId<HTMLButtonElement>(`export-${format}`);
      button.addEventListener('click', () => void this.#download(format, button));
    }
  }

  /** The rollup on screen: what the buttons export. */
  show(rollup: Pick<RollupView, 'operation' | 'version'>): void {
    this.#rollup = { operation: rollup.operation, version: rollup.version };
  }

  async #download(format: ExportFormat, button: HTMLButtonElement): Promise<void> {
    const rollup = this.#rollup;
    if (!rollup || this.#busy) return;
    this.#busy = true;
    button.setAttribute('aria-busy', 'true');
    const status = byId('export-status');
    setText(status, t('web.export.downloading', { name: exportFileName(null, rollup, format) }));
    try {
      const doFetch: Fetch = this.source.fetch ?? ((input, init) => fetch(input, init));
      const client = createClient<Response>({
        baseUrl: this.source.baseUrl,
        token: this.source.token(),
        fetch: (url, init) => doFetch(url, init),
        cache: 'no-store',
      });
      const response = await client.send(API.rollupExport, {
        params: { op: rollup.operation },
        query: { format, asOf: document.documentElement.dataset.asOf ?? null, lang: pageLocale() },
        accept: ACCEPT[format],
      });
      const blob = await response.blob();
      const name = exportFileName(response.headers.get('content-disposition'), rollup, format);
      saveBlob(blob, name);
      setText(status, t('web.export.downloaded', { name, size: formatBytes(blob.size) }));
    } catch (e) {
      const reason = (e instanceof ApiError || e instanceof Error ? e.message : String(e)).replace(/\.$/, '');
      setText(status, t('web.export.failed', { reason }));
    } finally {
      this.#busy = false;
      button.removeAttribute('aria-busy');
    }
  }
}
