import { versionParts } from '../../shared/domain/rollup.ts';
import { type Api, ApiError } from './api-client.ts';
import type { FinalExport, FinalFormat, Participant } from './api-types.ts';
import { downloadName, FINAL_FORMATS, finalSummary, provenanceRows } from './audit-model.ts';
import { byId, h, hashCode, saveBlob, setAttr, setHidden, setText, setTime } from './dom.ts';
import { formatBytes, formatCount, formatDateTime } from './format.ts';
import { localParticipants, t } from './i18n.ts';

/** Says something to screen readers through the page's polite live region. */
type Announce = (message: string) => void;

/**
 * "Final figures and exports": shown when `GET /final` answers 200 (auditors and admins once the
 * operation is closed, coordinators once it is final). It shows the manifest digest and what it
 * was taken from, offers the three exports as downloads (fetched with the bearer token), and
 * lists the file that counts for each country.
 */
export class FinalView {
  #api: Api | null = null;
  #operation = '';
  #participants: readonly Participant[] = [];
  #shown: FinalExport | null = null;
  #generation = 0;
  readonly #busy = new Set<FinalFormat>();

  constructor(private readonly announce: Announce) {
    byId('final-downloads').replaceChildren(
      ...FINAL_FORMATS.map((f) => {
        const button = h(
          'button',
          {
            type: 'button',
            'data-format': f.format,
            'aria-describedby': `final-name-${f.format} final-about-${f.format}`,
          },
          t('web.final.download', { format: f.label }),
        );
        button.addEventListener('click', () => void this.#download(f.format, button));
        return h(
          'li',
          {},
          button,
          h('span', { class: 'file-name' }, h('code', { id: `final-name-${f.format}` })),
          h('span', { class: 'subtle', id: `final-about-${f.format}` }, f.description),
        );
      }),
    );
    byId('final-copy').addEventListener('click', () => void this.#copy());
  }

  /** Starts over for an operation: hidden until `refresh` finds final figures. */
  start(api: Api, operation: string, participants: readonly Participant[]): void {
    this.stop();
    this.#api = api;
    this.#operation = operation;
    this.#participants = localParticipants(participants);
  }

  /** Hides the section and drops any answer still on its way. */
  stop(): void {
    this.#generation += 1;
    this.#api = null;
    this.#shown = null;
    this.#busy.clear();
    setHidden(byId('final-section'), true);
  }

  /** Asks for the final figures: shows them on 200, hides the section when there are none to read. */
  async refresh(): Promise<void> {
    const api = this.#api;
    if (!api) return;
    const generation = this.#generation;
    let final: FinalExport | null;
    try {
      final = await api.getFinal(this.#operation);
    } catch {
      // A courtesy check: a failure leaves the section as it was (the rollup poll reports outages).
      return;
    }
    if (generation !== this.#generation) return;
    if (!final) {
      this.#shown = null;
      setHidden(byId('final-section'), true);
      return;
    }
    if (final.manifestSha256 !== this.#shown?.manifestSha256) this.#render(final);
    setHidden(byId('final-section'), false);
  }

  #render(final: FinalExport): void {
    this.#shown = final;
    const summary = finalSummary(final);
    setText(byId('final-digest'), summary.digest);
    const status = byId('final-status');
    setAttr(status, 'data-status', summary.status);
    setText(status, summary.statusLabel);
    setText(byId('final-definition'), summary.definitionSha256);
    setText(byId('final-validator'), summary.validatorVersion);
    const { definition, revisions } = versionParts(summary.version);
    setText(byId('final-version'), t('web.final.version-value', { definition, revisions }));
    setText(byId('final-coverage'), summary.coverage);
    const ledger = final.manifest.ledger;
    setHidden(byId('final-ledger-row'), !ledger);
    setText(byId('final-ledger-root'), ledger?.root ?? '');
    setText(byId('final-ledger-size'), ledger ? formatCount(ledger.size) : '');
    setHidden(byId('final-signature-row'), !final.signature);
    setText(byId('final-key-id'), final.signature?.keyId ?? '');
    void this.#showPublicKey(Boolean(final.signature));
    setText(
      byId('final-intro'),
      summary.status === 'final' ? t('web.final.intro-final') : t('web.final.intro-closed'),
    );
    for (const f of FINAL_FORMATS) {
      setText(byId(`final-name-${f.format}`), downloadName(this.#operation, summary.status, f.format));
    }
    const rows = provenanceRows(final.manifest.provenance, this.#participants);
    setHidden(byId('provenance-wrap'), rows.length === 0);
    setText(byId('provenance-none'), rows.length === 0 ? 'No country had an accepted file.' : '');
    byId('provenance-body').replaceChildren(
      ...rows.map((r) =>
        h(
          'tr',
          { 'data-key': r.code },
          h('th', { scope: 'row' }, r.name, ' ', h('span', { class: 'code' }, r.code)),
          h('td', { class: 'file', title: r.key }, r.file),
          h('td', {}, hashCode(r.sha256, r.shortSha)),
          h('td', {}, time(r.receivedAt)),
          h('td', {}, time(r.acceptedAt)),
        ),
      ),
    );
    setText(byId('download-status'), '');
    setText(byId('final-copy-status'), '');
  }

  /** The published public key, shown once the manifest is signed (fetched once). */
  async #showPublicKey(signed: boolean): Promise<void> {
    const details = byId('final-public-key-details');
    if (!signed || !this.#api) {
      setHidden(details, true);
      return;
    }
    if (!byId('final-public-key').textContent) {
      const key = await this.#api.getPublicKey(this.#operation).catch(() => null);
      setText(byId('final-public-key'), key?.pem ?? '');
    }
    setHidden(details, !byId('final-public-key').textContent);
  }

  async #download(format: FinalFormat, button: HTMLButtonElement): Promise<void> {
    const api = this.#api;
    const shown = this.#shown;
    if (!api || !shown || this.#busy.has(format)) return;
    const generation = this.#generation;
    const label = FINAL_FORMATS.find((f) => f.format === format)?.label ?? format;
    this.#busy.add(format);
    setAttr(button, 'aria-disabled', 'true');
    this.#status(t('web.final.preparing', { format: label }));
    try {
      const { blob, digest } = await api.downloadFinal(this.#operation, format);
      if (generation !== this.#generation) return;
      let status = shown.manifest.status;
      let changed = false;
      if (digest && digest !== shown.manifestSha256) {
        // The figures moved since the page showed them (reopened and closed again): show the new ones.
        await this.refresh();
        status = this.#shown?.manifest.status ?? status;
        changed = true;
      }
      const name = downloadName(this.#operation, status, format);
      saveBlob(blob, name);
      this.#status(
        changed
          ? t('web.final.downloaded-changed', { name, size: formatBytes(blob.size), digest: digest ?? '' })
          : t('web.final.downloaded', { name, size: formatBytes(blob.size) }),
      );
    } catch (e) {
      if (generation !== this.#generation) return;
      const reason = e instanceof Error ? e.message : String(e);
      const retry = e instanceof ApiError && (e.status === 0 || e.status >= 500);
      this.#status(
        t(retry ? 'web.final.download-failed-retry' : 'web.final.download-failed', { reason }),
        true,
      );
    } finally {
      this.#busy.delete(format);
      setAttr(button, 'aria-disabled', null);
    }
  }

  async #copy(): Promise<void> {
    const digest = this.#shown?.manifestSha256;
    if (!digest) return;
    try {
      await navigator.clipboard.writeText(digest);
      this.announce(t('web.final.copied'));
      setText(byId('final-copy-status'), t('web.final.copied-short'));
    } catch {
      // No clipboard access (an insecure page, a refused permission): select it for Ctrl+C instead.
      const range = document.createRange();
      range.selectNodeContents(byId('final-digest'));
      const selection = getSelection();
      selection?.removeAllRanges();
      selection?.addRange(range);
      this.announce(t('web.final.select-to-copy'));
      setText(byId('final-copy-status'), 'Selected: press Ctrl+C');
    }
  }

  #status(message: string, error = false): void {
    const node = byId('download-status');
    node.classList.toggle('error', error);
    setText(node, message);
  }
}

function time(iso: string): HTMLElement {
  const node = h('time');
  setTime(node, iso, formatDateTime(iso));
  return node;
}
