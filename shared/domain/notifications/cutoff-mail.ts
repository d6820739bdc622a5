import type { Locale } from '../../i18n/locale.ts';
import { formatDate, formatFigure } from '../../i18n/render.ts';
import type { Operation, Participant } from '../operation.ts';
import { metricLabel, operationName, participantName } from '../operation-texts.ts';
import type { Rollup } from '../rollup.ts';
import {
  countryList,
  formatChange,
  formatInstant,
  formatPercent,
  type MailLinks,
  mailLocale,
  type Say,
  sayIn,
} from './mail-text.ts';
import { digestId, type PlannedMessage, reminderId } from './messages.ts';

/** The parts of a rollup the cut-off reads. */
export type CutoffRollup = Pick<Rollup, 'countries' | 'byCountry' | 'totals' | 'progress'>;

/**
 * Whether a country has reported in a rollup: it has a current accepted return (`countries`), or
 * any figure (`byCountry`, 0 included). A country that reported 0 has reported.
 */
export function hasReported(rollup: Pick<Rollup, 'countries' | 'byCountry'>, country: string): boolean {
  if (Object.hasOwn(rollup.countries, country)) return true;
  return Object.values(rollup.byCountry[country] ?? {}).some((v) => v !== null);
}

/** What a cut-off is planned from. */
export type CutoffInput = {
  op: Operation;
  /** The cut-off's time. */
  cutoff: Date;
  /** The figures now (computed from the country items). */
  current: CutoffRollup;
  /** The figures at the previous cut-off (a day earlier); null when there were none yet. */
  previous: CutoffRollup | null;
  links: MailLinks;
};

/**
 * The messages of one cut-off: a reminder to every address of every participant that has not
 * reported (in the address's language), and a digest to every coordinator. A country that has
 * reported gets no reminder. Ids are fixed by the operation, cut-off, kind and address, so planning
 * again yields the same messages' ids. No messages when the definition has no `notifications`.
 */
export function planCutoff(input: CutoffInput): PlannedMessage[] {
  const { op, current } = input;
  if (!op.notifications) return [];
  const missing = op.participants.filter((p) => !hasReported(current, p.code));
  const reminders = missing.flatMap((p) =>
    (p.contacts ?? []).map((contact) =>
      reminder(input, p, contact.address, mailLocale(contact.language, p.language)),
    ),
  );
  const digests = op.notifications.coordinators.map((c) =>
    digest(input, missing, c.address, mailLocale(c.language)),
  );
  return [...reminders, ...digests];
}

/** Parameters every cut-off message uses. */
function cutoffParams(input: CutoffInput, locale: Locale) {
  const iso = input.cutoff.toISOString();
  return {
    operation: operationName(input.op, locale),
    date: formatDate(iso.slice(0, 10), locale),
    time: iso.slice(11, 16),
    deadline: formatInstant(input.op.reportingDeadline, locale),
    pastDeadline: input.cutoff.getTime() >= Date.parse(input.op.reportingDeadline),
  };
}

function reminder(input: CutoffInput, p: Participant, address: string, locale: Locale): PlannedMessage {
  const say = sayIn(locale);
  const { operation, date, time, deadline, pastDeadline } = cutoffParams(input, locale);
  const country = participantName(p, locale);
  const lines = [
    say('mail.reminder.greeting'),
    '',
    say('mail.reminder.missing', { operation, country, date, time }),
    say(pastDeadline ? 'mail.reminder.past-deadline' : 'mail.reminder.deadline', { deadline }),
    '',
    say('mail.reminder.zero'),
    say('mail.reminder.how'),
    ...(input.links.dashboardUrl ? [say('mail.link.dashboard', { url: input.links.dashboardUrl })] : []),
    '',
    say('mail.reminder.repeat'),
    ...footer(say, operation),
  ];
  return {
    id: reminderId(input.op.id, input.cutoff.toISOString(), p.code, address),
    kind: 'reminder',
    to: address,
    locale,
    subject: say('mail.reminder.subject', { operation, country }),
    text: `${lines.join('\n')}\n`,
    country: p.code,
  };
}

function digest(
  input: CutoffInput,
  missing: readonly Participant[],
  address: string,
  locale: Locale,
): PlannedMessage {
  const { op, current, previous } = input;
  const say = sayIn(locale);
  const { operation, date, time, deadline, pastDeadline } = cutoffParams(input, locale);
  const { expected, reported, onTime, percent } = current.progress;
  const byCode = (codes: readonly string[]) => op.participants.filter((p) => codes.includes(p.code));
  const newly = op.participants.filter(
    (p) => hasReported(current, p.code) && !(previous && hasReported(previous, p.code)),
  );
  const late = byCode(current.progress.late);
  const reminded = missing.filter((p) => (p.contacts ?? []).length > 0);
  const unreachable = missing.filter((p) => (p.contacts ?? []).length === 0);
  const list = (ps: readonly Participant[]) => ({ count: ps.length, list: countryList(ps, locale) });
  const lines = [
    say('mail.digest.intro', { operation, date, time }),
    '',
    say('mail.digest.progress', { reported, expected, onTime, percent: formatPercent(percent, locale) }),
    newly.length > 0 ? say('mail.digest.new', list(newly)) : say('mail.digest.new-none'),
    missing.length === 0
      ? say('mail.digest.missing-none')
      : pastDeadline
        ? say('mail.digest.missing-late', { ...list(missing), deadline })
        : say('mail.digest.missing', list(missing)),
    ...(late.length > 0 ? [say('mail.digest.late', list(late))] : []),
    ...(reminded.length > 0 ? [say('mail.digest.reminders', { count: reminded.length })] : []),
    ...(unreachable.length > 0 ? [say('mail.digest.no-contacts', list(unreachable))] : []),
    '',
    say('mail.digest.totals'),
    ...op.metrics.map((m) => {
      const now = current.totals[m.id] ?? null;
      const before = previous?.totals[m.id] ?? null;
      const change = formatChange((now ?? 0) - (before ?? 0), say, locale);
      return `  ${say('mail.digest.total', { metric: metricLabel(m, locale), value: formatFigure(now, locale), change })}`;
    }),
    ...(input.links.dashboardUrl ? ['', say('mail.link.dashboard', { url: input.links.dashboardUrl })] : []),
    ...footer(say, operation),
  ];
  return {
    id: digestId(op.id, input.cutoff.toISOString(), address),
    kind: 'digest',
    to: address,
    locale,
    subject: say('mail.digest.subject', { operation, date, reported, expected }),
    text: `${lines.join('\n')}\n`,
  };
}

/** The closing lines of every mail. */
export function footer(say: Say, operation: string): string[] {
  return ['', '--', say('mail.footer', { operation })];
}
