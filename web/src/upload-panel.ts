import type { Operation } from '../../shared/domain/operation.ts';
import { returnDiff } from '../../shared/domain/return-diff.ts';
import type { Submission } from './api-types.ts';
import { byId, setAttr, setHidden, setText, setTime } from './dom.ts';
import { formatBytes, formatCount, formatDateTime } from './format.ts';
import { operationTitle, pageIntlLocale, t } from './i18n.ts';
import { sha256Hex } from './sha256.ts';
import {
  ApiError,
  type CountryView,
  DRY_RUN_BODY_LIMIT,
  type DryRunResult,
  postToStorage,
  StorageUploadError,
  type UploadApi,
  type UploadReceipt,
} from './upload-api.ts';
import { renderChanges, renderProblems } from './upload-render.ts';

/** How often the panel asks for the verdict of a file it sent. */
const VERDICT_POLL_MS = 1000;
/** After this long without a verdict the panel stops asking; the submissions list keeps polling. */
const VERDICT_PATIENCE_MS = 10 * 60 * 1000;
/** The extensions the API reads a return from (the slot refuses any other). */
const RETURN_FILE = /\.(csv|json|xlsx)$/i;

/** Listeners of the panel on screen: a new sign-in replaces them (the page's elements stay). */
let active: AbortController | null = null;

/** What the panel tells the rest of the agency view. */
export type UploadPanelEvents = {
  /** A file sent got its verdict: the figures and the submissions may have changed. */
  onVerdict: (submissionId: string) => void;
};

/**
 * "Send a return": the agency picks or drops a file; the page dry-runs it and shows the report
 * and what would change against the figures that count now; "Send" posts it straight to storage
 * through an upload slot (with progress), waits for the verdict and shows the receipt, whose
 * SHA-256 was computed here and is checked against the one storage's file got.
 */
export class UploadPanel {
  readonly #signal: AbortSignal;
  #file: File | null = null;
  #digest: Promise<string> | null = null;
  #dryRun: DryRunResult | null = null;
  /** The dry run could not finish (not a refusal): the file may still be sent, unchecked. */
  #unchecked = false;
  /** The chosen file was sent: a second Send would only store it again. */
  #sent = false;
  #busy = false;

  constructor(
    private readonly api: UploadApi,
    private readonly operation: Operation,
    private readonly country: string,
    private readonly events: UploadPanelEvents,
  ) {
    active?.abort();
    active = new AbortController();
    this.#signal = active.signal;
    const signal = this.#signal;
    setText(byId('send-limit'), formatBytes(operation.limits.maxFileBytes));
    const input = byId<HTMLInputElement>('send-input');
    input.addEventListener(
      'change',
      () => {
        const file = input.files?.[0];
        if (file) void this.choose(file);
      },
      { signal },
    );
    const drop = byId('send-drop');
    drop.addEventListener(
      'dragover',
      (e) => {
        e.preventDefault();
        setAttr(drop, 'data-over', 'true');
      },
      { signal },
    );
    drop.addEventListener('dragleave', () => setAttr(drop, 'data-over', null), { signal });
    drop.addEventListener(
      'drop',
      (e) => {
        e.preventDefault();
        setAttr(drop, 'data-over', null);
        const file = e.dataTransfer?.files[0];
        if (file) void this.choose(file);
      },
      { signal },
    );
    byId('send-button').addEventListener('click', () => void this.#send(), { signal });
    byId('send-anyway').addEventListener('change', () => this.#renderActions(), { signal });
    byId('send-unchecked').addEventListener('change', () => this.#renderActions(), { signal });
    byId('send-reset').addEventListener('click', () => this.#reset(), { signal });
    this.#reset();
  }

  /** Takes a file, checks what the page can check itself, then dry-runs it. */
  async choose(file: File): Promise<void> {
    if (this.#busy) return;
    this.#reset();
    this.#file = file;
    setHidden(byId('send-chosen'), false);
    setText(byId('send-file'), `${file.name} · ${formatBytes(file.size)}`);
    if (!RETURN_FILE.test(file.name)) {
      this.#fail(t('web.send.not-return-file', { file: file.name }));
      return;
    }
    const limit = this.operation.limits.maxFileBytes;
    if (file.size > limit) {
      this.#fail(
        t('web.send.too-large', {
          size: formatBytes(file.size),
          operation: operationTitle(this.operation.name),
          limit: formatBytes(limit),
        }),
      );
      return;
    }
    if (file.size === 0) {
      this.#fail(t('web.send.empty'));
      return;
    }
    this.#busy = true;
    this.#digest = sha256Hex(file);
    // Keep the rejection of a digest nobody awaits yet from surfacing as an unhandled one.
    this.#digest.catch(() => undefined);
    try {
      this.#status(t('web.send.checking'));
      const [result, now] = await Promise.all([
        this.#validate(file),
        this.api.getCountry(this.operation.id, this.country),
      ]);
      if (this.#signal.aborted || this.#file !== file) return;
      this.#dryRun = result;
      this.#renderDryRun(result, now);
      this.#status(
        result.report.verdict === 'accepted' ? t('web.send.dry-accepted') : t('web.send.dry-rejected'),
      );
    } catch (e) {
      if (this.#signal.aborted || this.#file !== file) return;
      if (e instanceof ApiError && e.status >= 400 && e.status < 500 && e.status !== 413) {
        // The API refused the file itself (its format, the country, the operation): so would a send.
        this.#fail(t('web.send.dry-refused', { reason: describe(e) }));
      } else {
        // The check could not finish (a file too large to check within the API's time or size
        // limits, or a broken connection): the file itself may be fine, and sending it is how to
        // find out. The verdict then comes after sending.
        this.#unchecked = true;
        this.#fail(t('web.send.dry-unfinished', { reason: describe(e) }));
      }
    } finally {
      this.#busy = false;
      this.#renderActions();
    }
  }

  /** The dry run: in the request body when small enough, else through a dry-run slot. */
  async #validate(file: File): Promise<DryRunResult> {
    const { id } = this.operation;
    if (file.size <= DRY_RUN_BODY_LIMIT) return this.api.validateFile(id, file, file.name);
    const slot = await this.api.createSlot(id, file.name, true);
    await postToStorage(
      slot,
      file,
      file.name,
      (sent, total) => this.#progress(t('web.send.progress.dry-run'), sent, total),
      this.#signal,
    );
    this.#status(t('web.send.checking'));
    return this.api.validateSlot(id, slot.uploadId);
  }

  async #send(): Promise<void> {
    const file = this.#file;
    if (!file || (!this.#dryRun && !this.#unchecked) || this.#busy) return;
    this.#busy = true;
    this.#renderActions();
    setHidden(byId('send-error'), true);
    const started = performance.now();
    let uploadId: string | null = null;
    try {
      const slot = await this.api.createSlot(this.operation.id, file.name, false);
      uploadId = slot.uploadId;
      setText(byId('receipt-upload'), slot.uploadId);
      await postToStorage(
        slot,
        file,
        file.name,
        (sent, total) => this.#progress(t('web.send.progress.sending'), sent, total),
        this.#signal,
      );
      this.#sent = true;
      const sentMs = performance.now() - started;
      this.#progress(t('web.send.progress.sent'), file.size, file.size);
      this.#status(t('web.send.waiting', { sent: seconds(sentMs) }));
      const [state, digest] = await Promise.all([
        this.#verdict(slot.uploadId),
        this.#digest ?? sha256Hex(file),
      ]);
      if (this.#signal.aborted) return;
      const verdictMs = performance.now() - started;
      const receipt = byId('receipt');
      setAttr(receipt, 'data-sent-ms', String(Math.round(sentMs)));
      setAttr(receipt, 'data-verdict-ms', String(Math.round(verdictMs)));
      if (!state) {
        this.#status(t('web.send.no-verdict', { sent: seconds(sentMs), elapsed: seconds(verdictMs) }));
        return;
      }
      this.#renderReceipt(file, digest, state.receipt, state.submission);
      this.#status(
        t('web.send.done', {
          verdict: t(`web.verdict.${state.submission.status}`),
          sent: seconds(sentMs),
          elapsed: seconds(verdictMs),
        }),
      );
      this.events.onVerdict(state.submission.id);
    } catch (e) {
      this.#fail(
        t('web.send.failed', {
          reason: describe(e),
          kept: e instanceof StorageUploadError ? 'storage' : 'other',
          slot: uploadId ? 'yes' : 'no',
          upload: uploadId ?? '',
        }),
      );
    } finally {
      this.#busy = false;
      this.#renderActions();
    }
  }

  /** Asks for the verdict until there is one (or patience runs out: null). */
  async #verdict(uploadId: string): Promise<{ receipt: UploadReceipt; submission: Submission } | null> {
    const deadline = Date.now() + VERDICT_PATIENCE_MS;
    while (Date.now() < deadline && !this.#signal.aborted) {
      const state = await this.api.getUpload(this.operation.id, uploadId);
      if (state.receipt && state.submission && state.submission.status !== 'processing') {
        return { receipt: state.receipt, submission: state.submission };
      }
      this.#status(t(state.receipt ? 'web.send.received-checking' : 'web.send.sent-waiting'));
      await new Promise((r) => setTimeout(r, VERDICT_POLL_MS));
    }
    return null;
  }

  #reset(): void {
    if (this.#busy) return;
    this.#file = null;
    this.#digest = null;
    this.#dryRun = null;
    this.#unchecked = false;
    this.#sent = false;
    byId<HTMLInputElement>('send-input').value = '';
    byId<HTMLInputElement>('send-anyway').checked = false;
    byId<HTMLInputElement>('send-unchecked').checked = false;
    for (const id of ['send-chosen', 'dry-run', 'send-progress-wrap', 'receipt', 'send-error'])
      setHidden(byId(id), true);
    setText(byId('send-status'), '');
    const report = byId<HTMLAnchorElement>('receipt-report');
    if (report.href.startsWith('blob:')) URL.revokeObjectURL(report.href);
    report.href = '#receipt';
    report.removeAttribute('download');
    setText(report, t('web.send.download-report'));
    setHidden(byId('receipt-report-wrap'), true);
    this.#renderActions();
  }

  #renderActions(): void {
    const verdict = this.#dryRun?.report.verdict ?? null;
    setHidden(byId('send-anyway-wrap'), verdict !== 'rejected');
    setHidden(byId('send-unchecked-wrap'), !this.#unchecked);
    const anyway = byId<HTMLInputElement>('send-anyway').checked;
    const unchecked = byId<HTMLInputElement>('send-unchecked').checked;
    const button = byId<HTMLButtonElement>('send-button');
    button.disabled =
      this.#busy ||
      this.#sent ||
      (verdict === null && !(this.#unchecked && unchecked)) ||
      (verdict === 'rejected' && !anyway);
    setHidden(byId('send-actions'), verdict === null && !this.#unchecked);
    byId<HTMLButtonElement>('send-reset').disabled = this.#busy;
    byId<HTMLInputElement>('send-input').disabled = this.#busy;
  }

  #renderDryRun(result: DryRunResult, now: CountryView): void {
    setHidden(byId('dry-run'), false);
    const { report } = result;
    const verdict = byId('dry-verdict');
    setAttr(verdict, 'data-status', report.verdict);
    setText(verdict, t(report.verdict === 'accepted' ? 'web.send.would-accept' : 'web.send.would-reject'));
    setText(byId('dry-rows'), formatCount(report.counts.rows));
    setText(byId('dry-errors'), formatCount(report.counts.errors));
    setText(byId('dry-warnings'), formatCount(report.counts.warnings));
    renderProblems(report);
    const changes = byId('changes');
    setHidden(changes, result.figures === null);
    if (result.figures === null) return;
    const current = now.reported ? { totals: now.totals, byDay: now.byDay } : null;
    const diff = returnDiff(
      this.operation.metrics.map((m) => m.id),
      current,
      result.figures,
    );
    renderChanges(diff, now, this.operation);
  }

  #renderReceipt(file: File, digest: string, receipt: UploadReceipt, submission: Submission): void {
    setHidden(byId('receipt'), false);
    const verdict = byId('receipt-verdict');
    setAttr(verdict, 'data-status', submission.status);
    setText(verdict, t(`web.verdict.${submission.status}`));
    setText(byId('receipt-upload'), receipt.uploadId);
    setText(
      byId('receipt-size'),
      t('web.send.size-bytes', { size: formatBytes(receipt.size), bytes: formatCount(receipt.size) }),
    );
    setText(byId('receipt-sha-browser'), digest);
    setText(byId('receipt-sha-server'), receipt.sha256 ?? '—');
    const check = byId('receipt-sha-check');
    const same = receipt.sha256 === digest && receipt.size === file.size;
    setAttr(check, 'data-status', same ? 'accepted' : 'rejected');
    setText(check, t(same ? 'web.send.sha-match' : 'web.send.sha-mismatch'));
    setTime(byId('receipt-received'), receipt.receivedAt, formatDateTime(receipt.receivedAt));
    const link = byId<HTMLAnchorElement>('receipt-report');
    void this.api
      .reportText(this.operation.id, receipt.submissionId)
      .then((text) => {
        if (this.#signal.aborted) return;
        link.href = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
        link.download = `${receipt.uploadId}-report.txt`;
        setHidden(byId('receipt-report-wrap'), false);
      })
      .catch(() => {
        link.removeAttribute('href');
        setText(link, t('web.send.report-unavailable'));
        setHidden(byId('receipt-report-wrap'), false);
      });
  }

  #status(text: string): void {
    setText(byId('send-status'), text);
  }

  #progress(what: string, sent: number, total: number): void {
    setHidden(byId('send-progress-wrap'), false);
    const bar = byId<HTMLProgressElement>('send-progress');
    bar.max = total;
    bar.value = sent;
    const percent = total > 0 ? Math.floor((sent / total) * 100) : 100;
    setText(
      byId('send-progress-text'),
      t('web.send.progress', {
        what,
        sent: formatBytes(sent),
        total: formatBytes(total),
        percent: String(percent),
      }),
    );
  }

  #fail(message: string): void {
    this.#status('');
    setText(byId('send-error'), message);
    setHidden(byId('send-error'), false);
  }
}

/** A duration in seconds, one decimal, in the page's language ("1.2 s", "1,2 s"). */
function seconds(ms: number): string {
  const value = new Intl.NumberFormat(pageIntlLocale(), {
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
    useGrouping: false,
  }).format(ms / 1000);
  return t('web.send.seconds', { value });
}

function describe(e: unknown): string {
  if (e instanceof ApiError) return `${e.message}${e.code ? ` (${e.status} ${e.code})` : ''}`;
  return e instanceof Error ? e.message : String(e);
}
