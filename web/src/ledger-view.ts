import { type Api, ApiError } from './api-client.ts';
import type { Participant } from './api-types.ts';
import {
  type LedgerFilter,
  LedgerPager,
  type LedgerRow,
  ledgerRows,
  parseVerdict,
  VERDICTS,
} from './audit-model.ts';
import { byId, h, hashCode, setAttr, setHidden, setText, setTime } from './dom.ts';
import { formatBytes, formatCount, formatDateTime } from './format.ts';
import { localParticipants, t } from './i18n.ts';

/**
 * The submission ledger (coordinators, auditors and admins): every file received and what became of it,
 * filterable by verdict and country, a page at a time ("Load more" follows the API's cursor).
 * It loads when the dashboard opens and on "Refresh"; a 403 hides it for good.
 */
export class LedgerView {
  #pager: LedgerPager | null = null;
  #participants: readonly Participant[] = [];
  /** Counts loads: only the latest one may clear the busy state or report an error. */
  #ticket = 0;
  #loading = false;
  readonly #verdict = byId<HTMLSelectElement>('ledger-verdict');
  readonly #country = byId<HTMLSelectElement>('ledger-country');
  readonly #more = byId<HTMLButtonElement>('ledger-more');

  constructor() {
    this.#verdict.replaceChildren(
      h('option', { value: '' }, t('web.ledger.all-verdicts')),
      ...VERDICTS.map((v) => h('option', { value: v.value }, v.label)),
    );
    this.#verdict.addEventListener('change', () => this.#reload());
    this.#country.addEventListener('change', () => this.#reload());
    byId('ledger-refresh').addEventListener('click', () => this.#reload());
    this.#more.addEventListener('click', () => {
      if (!this.#loading) void this.#load();
    });
  }

  /** Opens the ledger of an operation (coordinators, auditors, admins) and loads its first page. */
  start(api: Api, operation: string, participants: readonly Participant[]): void {
    this.stop();
    this.#participants = localParticipants(participants);
    const sorted = [...this.#participants].sort((a, b) => a.name.localeCompare(b.name));
    this.#country.replaceChildren(
      h('option', { value: '' }, t('web.ledger.all-countries')),
      ...sorted.map((p) => h('option', { value: p.code }, `${p.name} (${p.code})`)),
    );
    this.#verdict.value = '';
    this.#pager = new LedgerPager((query) => api.getLedger(operation, query));
    this.#pager.reset(this.#filter());
    void this.#load();
  }

  /** Hides the ledger and drops any answer still on its way. */
  stop(): void {
    this.#ticket += 1;
    this.#pager = null;
    this.#loading = false;
    setHidden(byId('ledger-section'), true);
    byId('ledger-body').replaceChildren();
  }

  #filter(): LedgerFilter {
    return { country: this.#country.value || null, verdict: parseVerdict(this.#verdict.value) };
  }

  #reload(): void {
    if (!this.#pager) return;
    this.#pager.reset(this.#filter());
    void this.#load();
  }

  async #load(): Promise<void> {
    const pager = this.#pager;
    if (!pager) return;
    const ticket = ++this.#ticket;
    this.#setLoading(true);
    setText(byId('ledger-error'), '');
    setHidden(byId('ledger-error'), true);
    try {
      const added = await pager.more();
      if (added === null || ticket !== this.#ticket) return;
      this.#render(pager);
      setHidden(byId('ledger-section'), false);
    } catch (e) {
      if (ticket !== this.#ticket) return;
      if (e instanceof ApiError && (e.status === 403 || e.status === 401)) {
        // Not for this role (coordinators): the section stays hidden.
        this.stop();
        return;
      }
      const reason = e instanceof Error ? e.message : String(e);
      setText(byId('ledger-error'), `The ledger could not be loaded: ${reason} Use Refresh to try again.`);
      setHidden(byId('ledger-error'), false);
    } finally {
      if (ticket === this.#ticket) this.#setLoading(false);
    }
  }

  #setLoading(loading: boolean): void {
    this.#loading = loading;
    setAttr(byId('ledger-wrap'), 'aria-busy', loading ? 'true' : null);
    setAttr(this.#more, 'aria-disabled', loading ? 'true' : null);
  }

  #render(pager: LedgerPager): void {
    const rows = ledgerRows(pager.entries, this.#participants);
    const body = byId('ledger-body');
    body.replaceChildren(...rows.map(ledgerRow));
    setHidden(byId('ledger-wrap'), rows.length === 0);
    const filtered = pager.filter.country !== null || pager.filter.verdict !== null;
    const more = pager.hasMore;
    setText(
      byId('ledger-count'),
      rows.length === 0
        ? more
          ? t('web.ledger.none-yet-more')
          : filtered
            ? t('web.ledger.none-filtered')
            : t('web.ledger.none')
        : more
          ? t('web.ledger.first', { count: rows.length })
          : t('web.ledger.all', { count: rows.length }),
    );
    const hadFocus = document.activeElement === this.#more;
    setHidden(this.#more, !more);
    // The button that had focus is gone: keep the keyboard where the list ends, not on the page top.
    if (hadFocus && !more) byId('ledger-count').focus();
  }
}

function ledgerRow(r: LedgerRow): HTMLTableRowElement {
  const received = h('time');
  setTime(received, r.receivedAt, formatDateTime(r.receivedAt));
  return h(
    'tr',
    { 'data-key': r.id, 'data-verdict': r.status },
    h('td', {}, received),
    h('td', {}, r.countryName, ' ', h('span', { class: 'code' }, r.country)),
    h('th', { scope: 'row', class: 'file' }, r.file),
    h('td', {}, h('span', { class: 'pill', 'data-status': r.status }, r.statusLabel)),
    h('td', { class: 'num' }, formatCount(r.errors)),
    h('td', { class: 'num' }, formatCount(r.warnings)),
    h('td', { class: 'num' }, formatBytes(r.size)),
    h('td', {}, hashCode(r.sha256, r.shortSha)),
    h('td', { class: 'note' }, r.note),
  );
}
