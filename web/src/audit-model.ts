import type {
  FinalExport,
  FinalFormat,
  LedgerEntry,
  LedgerPage,
  LedgerQuery,
  OperationStatus,
  Participant,
  Provenance,
  SubmissionStatus,
} from './api-types.ts';
import { fileName, formatCount, shortHash } from './format.ts';
import { t } from './i18n.ts';

/**
 * What the audit sections show — the final figures' manifest, their provenance and the
 * submission ledger — computed without the DOM, so the rules are unit-tested in Node.
 */

/** The three exports of the final figures, in the order the page offers them. */
export const FINAL_FORMATS: readonly {
  format: FinalFormat;
  label: string;
  extension: string;
  description: string;
}[] = [
  {
    format: 'json',
    label: 'JSON',
    extension: '.json',
    get description(): string {
      return t('web.format.json');
    },
  },
  {
    format: 'csv',
    label: 'CSV',
    extension: '.csv',
    get description(): string {
      return t('web.format.csv');
    },
  },
  {
    format: 'sdmx-csv',
    label: 'SDMX-CSV',
    extension: '.sdmx.csv',
    get description(): string {
      return t('web.format.sdmx-csv');
    },
  },
];

/**
 * The name a download is saved under: `{op}-{status}.json|.csv|.sdmx.csv`, as the API names it.
 * Anything but letters, digits, `.`, `_` and `-` in the operation id becomes `-`, so the name is
 * safe on every file system.
 */
export function downloadName(operation: string, status: OperationStatus, format: FinalFormat): string {
  const safe = operation.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+/, '') || 'operation';
  const extension = FINAL_FORMATS.find((f) => f.format === format)?.extension ?? `.${format}`;
  return `${safe}-${status}${extension}`;
}

/** A country's name from the operation's participants (the code itself when unknown). */
export function countryName(code: string, participants: readonly Participant[]): string {
  return participants.find((p) => p.code === code)?.name ?? code;
}

/** The facts about a manifest the page shows above the downloads. */
export type FinalSummary = {
  digest: string;
  status: OperationStatus;
  statusLabel: string;
  definitionSha256: string;
  validatorVersion: string;
  version: number;
  /** "2 of 119 countries' files": how many countries the figures come from. */
  coverage: string;
};

export function finalSummary(final: FinalExport): FinalSummary {
  const { manifest } = final;
  const expected = manifest.figures.progress.expected;
  const files = manifest.provenance.length;
  return {
    digest: final.manifestSha256,
    status: manifest.status,
    statusLabel: t(`web.op-status.${manifest.status}`),
    definitionSha256: manifest.definitionSha256,
    validatorVersion: manifest.validatorVersion,
    version: manifest.version,
    coverage: t('web.final.coverage', { files: formatCount(files), expected }),
  };
}

/** One line of the provenance table: the file that counts for a country. */
export type ProvenanceRow = {
  code: string;
  name: string;
  file: string;
  key: string;
  submissionId: string;
  sha256: string | null;
  shortSha: string;
  receivedAt: string;
  acceptedAt: string;
};

/** The provenance table's lines, by country name (then code). */
export function provenanceRows(
  provenance: readonly Provenance[],
  participants: readonly Participant[],
): ProvenanceRow[] {
  return provenance
    .map((p) => ({
      code: p.country,
      name: countryName(p.country, participants),
      file: fileName(p.key),
      key: p.key,
      submissionId: p.submissionId,
      sha256: p.sha256,
      shortSha: shortHash(p.sha256),
      receivedAt: p.receivedAt,
      acceptedAt: p.acceptedAt,
    }))
    .sort((a, b) => a.name.localeCompare(b.name) || a.code.localeCompare(b.code));
}

/** The verdicts the ledger can be filtered by, with the words the page shows for them. */
export const VERDICTS: readonly { value: SubmissionStatus; readonly label: string }[] = (
  ['accepted', 'rejected', 'failed', 'superseded', 'processing'] as const
).map((value) => ({
  value,
  // Read when shown: in the page's language.
  get label(): string {
    return t(`web.verdict.${value}`);
  },
}));

/** Reads a verdict filter's value: a known status, or null for "all". */
export function parseVerdict(value: string): SubmissionStatus | null {
  return VERDICTS.find((v) => v.value === value)?.value ?? null;
}

/** One line of the ledger table. */
export type LedgerRow = {
  id: string;
  country: string;
  countryName: string;
  file: string;
  status: SubmissionStatus;
  statusLabel: string;
  /** Whether the file's figures are in the totals now. */
  counted: boolean;
  errors: number;
  warnings: number;
  size: number | null;
  sha256: string | null;
  shortSha: string;
  receivedAt: string;
  processedAt: string | null;
  /** What became of the file, in words (so the verdict never rests on colour alone). */
  note: string;
};

/**
 * The ledger table's lines, in the API's order (so "Load more" only ever appends). A superseded
 * entry names the file that replaced it when that file is among the loaded entries.
 */
export function ledgerRows(
  entries: readonly LedgerEntry[],
  participants: readonly Participant[],
): LedgerRow[] {
  const files = new Map(entries.map((e) => [e.id, fileName(e.key)]));
  return entries.map((e) => ({
    id: e.id,
    country: e.country,
    countryName: countryName(e.country, participants),
    file: fileName(e.key),
    status: e.status,
    statusLabel: t(`web.verdict.${e.status}`),
    counted: e.status === 'accepted',
    errors: e.errors,
    warnings: e.warnings,
    size: e.size,
    sha256: e.sha256,
    shortSha: shortHash(e.sha256),
    receivedAt: e.receivedAt,
    processedAt: e.processedAt,
    note: ledgerNote(e, e.supersededBy ? (files.get(e.supersededBy) ?? e.supersededBy) : null),
  }));
}

function ledgerNote(e: LedgerEntry, replacedBy: string | null): string {
  switch (e.status) {
    case 'accepted':
      return t('web.ledger.note.accepted');
    case 'superseded':
      return replacedBy
        ? t('web.ledger.note.superseded', { file: replacedBy })
        : t('web.ledger.note.superseded-later');
    case 'rejected':
      return t('web.ledger.note.rejected', { errors: e.errors });
    case 'failed':
      return e.failure
        ? t('web.ledger.note.failed-because', { reason: e.failure })
        : t('web.ledger.note.failed');
    case 'processing':
      return t('web.ledger.note.processing');
  }
}

/** The ledger filter: a country code and a verdict, null meaning all. */
export type LedgerFilter = { country: string | null; verdict: SubmissionStatus | null };

/**
 * The ledger's pages as loaded so far for one filter. `more()` asks for the next page and, while a
 * filtered page comes back short (the API filters verdicts after reading a page), follows the
 * cursor on — up to `maxRequests` requests — so one click shows about `pageSize` entries. A
 * filter change (`reset`) makes an answer still on its way be dropped.
 */
export class LedgerPager {
  #filter: LedgerFilter = { country: null, verdict: null };
  #entries: LedgerEntry[] = [];
  #cursor: string | null = null;
  #started = false;
  #generation = 0;

  constructor(
    private readonly fetchPage: (query: LedgerQuery) => Promise<LedgerPage>,
    private readonly pageSize = 50,
    private readonly maxRequests = 5,
  ) {}

  get filter(): LedgerFilter {
    return this.#filter;
  }

  /** Every entry loaded so far, in the API's order. */
  get entries(): readonly LedgerEntry[] {
    return this.#entries;
  }

  /** Whether the API has more entries for this filter (true before the first page). */
  get hasMore(): boolean {
    return !this.#started || this.#cursor !== null;
  }

  /** Forgets what was loaded; the next `more()` starts from the first page of `filter`. */
  reset(filter: LedgerFilter = this.#filter): void {
    this.#filter = filter;
    this.#entries = [];
    this.#cursor = null;
    this.#started = false;
    this.#generation += 1;
  }

  /**
   * Loads the next entries. Resolves to the entries added, or null when a `reset` happened while
   * they were on their way (they were dropped). Rejects when a request fails, keeping what was loaded.
   */
  async more(): Promise<LedgerEntry[] | null> {
    const generation = this.#generation;
    const added: LedgerEntry[] = [];
    const seen = new Set(this.#entries.map((e) => e.id));
    for (let requests = 0; requests < this.maxRequests; requests += 1) {
      if (this.#started && this.#cursor === null) break;
      const page = await this.fetchPage({
        country: this.#filter.country,
        verdict: this.#filter.verdict,
        limit: this.pageSize,
        cursor: this.#started ? this.#cursor : null,
      });
      if (generation !== this.#generation) return null;
      this.#started = true;
      this.#cursor = page.cursor;
      for (const entry of page.entries) {
        if (seen.has(entry.id)) continue;
        seen.add(entry.id);
        this.#entries.push(entry);
        added.push(entry);
      }
      if (added.length >= this.pageSize) break;
    }
    return added;
  }
}
