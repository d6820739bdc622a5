/**
 * The operation model, written out as plain types. The zod schema that checks definition files
 * (operation-schema.ts) is checked against these types when it compiles; nothing here imports it,
 * so the Lambdas (which read definitions already checked at load) do not bundle zod.
 */

/** The languages a definition may translate its texts into; English is the text itself. */
export const TRANSLATED_LOCALES = ['fr', 'es', 'ar'] as const;

/**
 * A text of the definition in other languages: `{ "fr": "Arrestations", "ar": "الاعتقالات" }`. A
 * language left out reads the English text (see `operation-texts.ts`).
 */
export type Translations = Partial<Record<(typeof TRANSLATED_LOCALES)[number], string>>;

/** The UN M49 top-level regions participants are grouped by. */
export const REGIONS = ['Africa', 'Americas', 'Asia', 'Europe', 'Oceania'] as const;
export type Region = (typeof REGIONS)[number];

/** The dates returns may report, inclusive, written YYYY-MM-DD. */
export type OperationWindow = { start: string; end: string };

/** The languages a mail may be written in (the catalogues' languages). */
export const MAIL_LANGUAGES = ['en', ...TRANSLATED_LOCALES] as const;
export type MailLanguage = (typeof MAIL_LANGUAGES)[number];

/** An e-mail address of a participant's agency, for reminders and verdict mails. */
export type Contact = {
  address: string;
  /** The language of this address's mails; the participant's language otherwise. */
  language?: MailLanguage;
  /** `false`: no mail after each upload (reminders still come). Verdict mails are sent otherwise. */
  verdicts?: boolean;
};

/**
 * A country taking part: its ISO 3166-1 alpha-2 code (e.g. "BR"), its name and its region; the
 * language its mails are written in (English unless given) and the addresses they go to.
 */
export type Participant = {
  code: string;
  name: string;
  region: Region;
  language?: MailLanguage;
  contacts?: Contact[];
};

/**
 * Who is told what, and when: each day of the window up to the reporting deadline, at `cutoff`
 * (HH:MM, UTC), the coordinators get a digest and each participant that has not reported a
 * reminder; mails come from `from` (the deployment's sender otherwise).
 */
export type Notifications = {
  cutoff: string;
  coordinators: { address: string; language?: MailLanguage }[];
  from?: string;
};

/** One way a metric's figure may be broken down: `dimension=value` for each of `values`. */
export type Breakdown = {
  /** An identifier (lower-case letters, digits and underscores). */
  dimension: string;
  label?: string;
  labels?: Translations;
  /** Identifiers, at least one. */
  values: string[];
  /**
   * How each value reads, by value: its English label (`en`) and translations. A value without one
   * reads as its identifier; the identifier is what returns write, in every language.
   */
  valueLabels?: Record<string, Partial<Record<'en' | (typeof TRANSLATED_LOCALES)[number], string>>>;
};

/** Something a return reports a figure of, by day. */
export type Metric = {
  /** An identifier (lower-case letters, digits and underscores), unique in the operation. */
  id: string;
  label: string;
  labels?: Translations;
  /** What the figure counts; `count` unless the definition says otherwise. */
  unit: string;
  units?: Translations;
  /** What the figure means and how it is counted, in a sentence or two (the press summary shows it). */
  note?: string;
  notes?: Translations;
  /** `sum`: a flow, added up over days. `max`: a gauge, a country's figure is its peak day. */
  aggregation: 'sum' | 'max';
  /** None unless the definition lists some. */
  breakdowns: Breakdown[];
};

/**
 * A check across the rows of a return. `error` (the default) rejects the return; `warning` is
 * reported and the return still counts.
 */
export type Rule = LteRule | BreakdownSumRule;

/** For every day, the value of `metric` must be ≤ the value of `bound` on the same day. */
export type LteRule = {
  kind: 'lte';
  id: string;
  /** The rule in words, for the template's guide; a sentence made from the rule otherwise. */
  description?: string;
  descriptions?: Translations;
  metric: string;
  bound: string;
  severity: 'error' | 'warning';
};

/** For every day, the breakdown rows of `metric` along `dimension` add up to ≤ the day's total. */
export type BreakdownSumRule = {
  kind: 'breakdown-sum-lte-total';
  id: string;
  /** The rule in words, for the template's guide; a sentence made from the rule otherwise. */
  description?: string;
  descriptions?: Translations;
  metric: string;
  dimension: string;
  severity: 'error' | 'warning';
};

/** What one return may be; each has a default (operation-schema.ts). */
export type Limits = {
  /** The largest file accepted, in bytes (25 MiB). */
  maxFileBytes: number;
  /** Lines read, blank ones included (200,000). */
  maxRows: number;
  /** The longest cell, in characters (256). */
  maxCellChars: number;
  /** Problems listed in a report; more are counted only (1,000). */
  maxProblemsListed: number;
};

/** A checked operation definition. */
export type Operation = {
  /** Lower-case letters, digits and hyphens: the operation's key everywhere (object keys, routes). */
  id: string;
  name: string;
  names?: Translations;
  description?: string;
  descriptions?: Translations;
  window: OperationWindow;
  /** When returns are due (ISO date-time). A country first reporting after it is late. */
  reportingDeadline: string;
  /** At least one, each country once. */
  participants: Participant[];
  /** At least one, each id once. */
  metrics: Metric[];
  rules: Rule[];
  limits: Limits;
  /** Reminders and digests; none are sent when absent (verdict mails still go to contacts). */
  notifications?: Notifications;
};

/** The lifecycle of an operation: uploads count only while it is `open`. */
export const OPERATION_STATUSES = ['draft', 'open', 'closed', 'final'] as const;
export type OperationStatus = (typeof OPERATION_STATUSES)[number];

/** Every date of the operation window, in order (calendar dates, no time zone involved). */
export function windowDates(op: Pick<Operation, 'window'>): string[] {
  const dates: string[] = [];
  const end = Date.parse(`${op.window.end}T00:00:00Z`);
  for (let t = Date.parse(`${op.window.start}T00:00:00Z`); t <= end; t += 86_400_000) {
    dates.push(new Date(t).toISOString().slice(0, 10));
  }
  return dates;
}

/**
 * The largest figure a country may report for a metric — a value, and its total (or a breakdown's)
 * over the window: ⌊(2^53 − 1) / participants⌋. A global figure adds up one figure per
 * participant, so it then stays an exact integer (a double holds integers exactly only up to
 * 2^53 − 1), and each file is checked on its own, the same way every time. For Liberterra III's
 * 119 participants: 75,690,750,039,840.
 */
export function maxCountryFigure(op: Pick<Operation, 'participants'>): number {
  return Math.floor(Number.MAX_SAFE_INTEGER / Math.max(1, op.participants.length));
}

/** The region of a participant, or undefined when the country does not take part. */
export function regionOf(op: Operation, country: string): Region | undefined {
  return op.participants.find((p) => p.code === country)?.region;
}
