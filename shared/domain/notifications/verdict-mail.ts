import type { Locale } from '../../i18n/locale.ts';
import type { Operation } from '../operation.ts';
import { operationName, participantName } from '../operation-texts.ts';
import { type StoredReport, storedReportText } from '../stored-report.ts';
import { footer } from './cutoff-mail.ts';
import { countryPage, formatInstant, type MailLinks, mailLocale, sayIn } from './mail-text.ts';
import { type PlannedMessage, verdictId } from './messages.ts';

/** The report's lines a verdict mail quotes at most; the links lead to the rest. */
export const VERDICT_REPORT_LINES = 60;

/** The API path of a submission's report. */
export function submissionPath(op: string, id: string): string {
  return `/operations/${encodeURIComponent(op)}/submissions/${encodeURIComponent(id)}`;
}

/**
 * The verdict mails of one stored report: one to each address of the uploading participant that
 * has not opted out (`verdicts: false`), in its language: accepted or rejected, the counts and
 * problems (the report itself, cut after `VERDICT_REPORT_LINES` lines), and links to the
 * country's page and the report. None for a country that is not a participant or has no address.
 */
export function planVerdictMails(op: Operation, stored: StoredReport, links: MailLinks): PlannedMessage[] {
  const { submission } = stored;
  const participant = op.participants.find((p) => p.code === submission.country);
  if (!participant) return [];
  return (participant.contacts ?? [])
    .filter((c) => c.verdicts !== false)
    .map((c) => {
      const locale = mailLocale(c.language, participant.language);
      return {
        id: verdictId(op.id, submission.receivedAt, submission.id, c.address),
        kind: 'verdict' as const,
        to: c.address,
        locale,
        subject: sayIn(locale)('mail.verdict.subject', {
          operation: operationName(op, locale),
          country: participantName(participant, locale),
          verdict: stored.report.verdict,
        }),
        text: verdictText(op, stored, links, locale),
        country: participant.code,
      };
    });
}

function verdictText(op: Operation, stored: StoredReport, links: MailLinks, locale: Locale): string {
  const say = sayIn(locale);
  const { submission } = stored;
  const participant = op.participants.find((p) => p.code === submission.country);
  const country = participant ? participantName(participant, locale) : submission.country;
  const operation = operationName(op, locale);
  const report = storedReportText(stored, locale, op).trimEnd().split('\n');
  const quoted = report.slice(0, VERDICT_REPORT_LINES);
  const lines = [
    say('mail.verdict.intro', {
      country,
      received: formatInstant(submission.receivedAt, locale),
      verdict: stored.report.verdict,
    }),
    ...(stored.outcome === 'superseded' ? [say('mail.verdict.superseded', { country })] : []),
    '',
    say('mail.verdict.report'),
    '',
    ...quoted,
    ...(quoted.length < report.length ? ['', say('mail.verdict.truncated')] : []),
    '',
    ...(links.dashboardUrl
      ? [say('mail.verdict.dashboard', { country, url: countryPage(links.dashboardUrl, submission.country) })]
      : []),
    say('mail.verdict.api', { path: submissionPath(op.id, submission.id) }),
    '',
    say('mail.verdict.opt-out', { country }),
    ...footer(say, operation),
  ];
  return `${lines.join('\n')}\n`;
}
