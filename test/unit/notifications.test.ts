import { describe, expect, it } from 'vitest';
import { definitionFor } from '../../shared/domain/notifications/addresses.ts';
import { hasReported, planCutoff } from '../../shared/domain/notifications/cutoff-mail.ts';
import {
  digestId,
  idTime,
  reminderId,
  retryDelayMs,
  verdictId,
} from '../../shared/domain/notifications/messages.ts';
import {
  cutoffOfDay,
  cutoffsOf,
  dueCutoff,
  previousCutoff,
} from '../../shared/domain/notifications/schedule.ts';
import { planVerdictMails, VERDICT_REPORT_LINES } from '../../shared/domain/notifications/verdict-mail.ts';
import type { Operation } from '../../shared/domain/operation.ts';
import { parseOperation } from '../../shared/domain/operation-schema.ts';
import { rollup } from '../../shared/domain/rollup.ts';
import type { StoredReport } from '../../shared/domain/stored-report.ts';
import { SUPPORTED_LOCALES } from '../../shared/i18n/locale.ts';
import { formatFigure, loadLocales } from '../../shared/i18n/render.ts';
import { aCountryState, anOperation, anOperationDefinition, liberterraIII } from '../support/builders.ts';

// The small operation (10–12 November 2025, returns due 2025-11-15T23:59:59Z) with addresses: BR
// in English, FR in French with a second address that opted out of verdict mails, KE without any
// address, MA in Arabic; two coordinators, one reading French; cut-off 18:00 UTC.
const PARTICIPANTS = [
  { code: 'BR', name: 'Brazil', region: 'Americas', contacts: [{ address: 'ncb-br@test.example.org' }] },
  {
    code: 'FR',
    name: 'France',
    region: 'Europe',
    language: 'fr',
    contacts: [
      { address: 'ncb-fr@test.example.org' },
      { address: 'permanence-fr@test.example.org', verdicts: false },
    ],
  },
  { code: 'KE', name: 'Kenya', region: 'Africa' },
  {
    code: 'MA',
    name: 'Morocco',
    region: 'Africa',
    language: 'ar',
    contacts: [{ address: 'ncb-ma@test.example.org' }],
  },
];
const NOTIFICATIONS = {
  cutoff: '18:00',
  coordinators: [
    { address: 'centre@test.example.org' },
    { address: 'lyon@test.example.org', language: 'fr' },
  ],
};

function notifyingOperation(): Operation {
  return anOperation({ participants: PARTICIPANTS, notifications: NOTIFICATIONS });
}

const CUTOFF = new Date('2025-11-11T18:00:00.000Z');

// Mails are rendered in all four languages; the edge (here, the test) loads them first.
await loadLocales(SUPPORTED_LOCALES);

describe('the definition of who is told what', () => {
  it('refuses an invalid contact address, naming the path of the bad entry and the value', () => {
    const participants = structuredClone(PARTICIPANTS);
    (participants[3] as { contacts: { address: string }[] }).contacts[0] = {
      address: 'ncb-ma at example.org',
    };

    const parsed = parseOperation(anOperationDefinition({ participants, notifications: NOTIFICATIONS }));

    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? [] : parsed.error).toEqual([
      'participants.3.contacts.0.address: must be an e-mail address such as "ncb-br@example.org", not "ncb-ma at example.org"',
    ]);
  });

  it('refuses an invalid coordinator address, a cut-off that is not HH:MM and an unknown language', () => {
    const parsed = parseOperation(
      anOperationDefinition({
        participants: [{ code: 'BR', name: 'Brazil', region: 'Americas', language: 'pt' }],
        notifications: { cutoff: '6pm', coordinators: [{ address: 'centre@' }] },
      }),
    );

    const errors = parsed.ok ? [] : parsed.error;
    expect(errors.map((e) => e.slice(0, e.indexOf(':')))).toEqual([
      'participants.0.language',
      'notifications.cutoff',
      'notifications.coordinators.0.address',
    ]);
  });

  it('ships Liberterra III with placeholder addresses on a reserved domain, a language each and a daily cut-off', () => {
    const op = liberterraIII();

    const addresses = op.participants.flatMap((p) => (p.contacts ?? []).map((c) => c.address));
    expect(addresses).toHaveLength(op.participants.length);
    expect(addresses.every((a) => a.endsWith('@liberterra-iii.example.org'))).toBe(true);
    expect(op.notifications?.cutoff).toBe('18:00');
    expect(op.notifications?.coordinators).toHaveLength(2);
    const language = (cc: string) => op.participants.find((p) => p.code === cc)?.language;
    expect([language('SN'), language('MX'), language('JO'), language('KE')]).toEqual([
      'fr',
      'es',
      'ar',
      'en',
    ]);
  });
});

describe('the daily cut-offs', () => {
  it('falls each day from the window’s first to the reporting deadline’s, at the cut-off time (UTC)', () => {
    const cutoffs = cutoffsOf(notifyingOperation()).map((d) => d.toISOString());

    expect(cutoffs).toEqual([
      '2025-11-10T18:00:00.000Z',
      '2025-11-11T18:00:00.000Z',
      '2025-11-12T18:00:00.000Z',
      '2025-11-13T18:00:00.000Z',
      '2025-11-14T18:00:00.000Z',
      '2025-11-15T18:00:00.000Z',
    ]);
  });

  it('is due from its time until the next one, and no longer a day after the last', () => {
    const op = notifyingOperation();
    const due = (iso: string) => dueCutoff(op, new Date(iso))?.toISOString() ?? null;

    expect(due('2025-11-10T17:59:59Z')).toBeNull();
    expect(due('2025-11-10T18:00:00Z')).toBe('2025-11-10T18:00:00.000Z');
    expect(due('2025-11-11T17:59:00Z')).toBe('2025-11-10T18:00:00.000Z');
    expect(due('2025-11-15T20:00:00Z')).toBe('2025-11-15T18:00:00.000Z');
    expect(due('2025-11-16T18:00:00Z')).toBeNull();
  });

  it('has none without notifications in the definition', () => {
    expect(cutoffsOf(anOperation())).toEqual([]);
    expect(dueCutoff(anOperation(), new Date('2025-11-11T19:00:00Z'))).toBeNull();
  });

  it('sends today’s cut-off early on request, from the window’s first day on', () => {
    const op = notifyingOperation();

    expect(cutoffOfDay(op, new Date('2025-11-11T09:30:00Z'))?.toISOString()).toBe('2025-11-11T18:00:00.000Z');
    expect(cutoffOfDay(op, new Date('2025-11-09T09:30:00Z'))).toBeNull();
    expect(previousCutoff(CUTOFF).toISOString()).toBe('2025-11-10T18:00:00.000Z');
  });
});

describe('the messages of a cut-off', () => {
  const op = notifyingOperation();
  const previous = rollup(op, [aCountryState(op, 'BR', { '2025-11-10': { arrests: 5 } })]);
  const current = rollup(op, [
    aCountryState(op, 'BR', { '2025-11-10': { arrests: 5 }, '2025-11-11': { arrests: 7 } }),
    aCountryState(op, 'KE', { '2025-11-10': { arrests: 0 } }),
  ]);
  const messages = planCutoff({
    op,
    cutoff: CUTOFF,
    current,
    previous,
    links: { dashboardUrl: 'https://d.example.org/' },
  });
  const reminders = messages.filter((m) => m.kind === 'reminder');
  const digests = messages.filter((m) => m.kind === 'digest');

  it('reminds every address of each participant that has not reported, and no country that has', () => {
    expect(reminders.map((m) => [m.country, m.to]).sort()).toEqual([
      ['FR', 'ncb-fr@test.example.org'],
      ['FR', 'permanence-fr@test.example.org'],
      ['MA', 'ncb-ma@test.example.org'],
    ]);
  });

  it('counts a country that reported 0 as reported', () => {
    expect(hasReported(current, 'KE')).toBe(true);
    expect(reminders.some((m) => m.country === 'KE')).toBe(false);
  });

  it('writes each reminder in its participant’s language, saying the cut-off, the deadline and that 0 counts', () => {
    const fr = reminders.find((m) => m.to === 'ncb-fr@test.example.org');
    const ma = reminders.find((m) => m.country === 'MA');

    expect(fr?.locale).toBe('fr');
    expect(fr?.subject).toBe('Operation Test : déclaration nationale non reçue (France)');
    expect(fr?.text).toContain('11 novembre 2025, 18:00 UTC');
    expect(fr?.text).toContain('15 novembre 2025, 23:59 UTC');
    expect(fr?.text).toContain('une déclaration à zéro compte comme déclarée');
    expect(fr?.text).toContain('https://d.example.org/');
    expect(ma?.locale).toBe('ar');
    expect(ma?.subject).toBe('Operation Test: لم يصل التقرير الوطني لبلدكم (المغرب)');
  });

  it('sends one digest per coordinator, in its language, with who reported, who has not, and each total’s change', () => {
    const en = digests.find((m) => m.to === 'centre@test.example.org');
    const fr = digests.find((m) => m.to === 'lyon@test.example.org');

    expect(digests).toHaveLength(2);
    expect(en?.subject).toBe('Operation Test: daily digest of 11 November 2025: 2 of 4 countries reported');
    expect(en?.text).toContain('Reported since the previous cut-off (1): Kenya (KE)');
    expect(en?.text).toContain('Not reported yet (2): France (FR), Morocco (MA)');
    expect(en?.text).toContain('Arrests: 12 (+7)');
    expect(en?.text).toContain(`Officers deployed: ${formatFigure(null, 'en')} (unchanged)`);
    expect(en?.text).toContain('A reminder was sent to 2 countries that had not reported.');
    expect(fr?.locale).toBe('fr');
    expect(fr?.text).toContain('N’ont pas encore déclaré (2) : France (FR) et Maroc (MA)');
  });

  it('says the countries without an address, which no reminder reaches', () => {
    const none = rollup(op, []);

    const digest = planCutoff({ op, cutoff: CUTOFF, current: none, previous: null, links: {} }).find(
      (m) => m.to === 'centre@test.example.org',
    );

    expect(digest?.text).toContain('No address in the definition, so no reminder (1): Kenya (KE)');
    expect(digest?.text).toContain('No country has reported since the previous cut-off.');
  });

  it('after the deadline, says so in the reminders and the digest', () => {
    const late = new Date('2025-11-16T18:00:00.000Z');

    const planned = planCutoff({ op, cutoff: late, current, previous: current, links: {} });

    expect(planned.find((m) => m.country === 'FR')?.text).toContain('L’échéance des déclarations');
    expect(planned.find((m) => m.to === 'centre@test.example.org')?.text).toContain(
      'Not reported, past the deadline of 15 November 2025, 23:59 UTC (2): France (FR), Morocco (MA)',
    );
  });

  it('gives every message an id fixed by the cut-off, kind and address, so planning again yields the same ids', () => {
    const again = planCutoff({ op, cutoff: CUTOFF, current, previous, links: {} });

    expect(again.map((m) => m.id)).toEqual(messages.map((m) => m.id));
    expect(new Set(messages.map((m) => m.id)).size).toBe(messages.length);
    expect(reminders.map((m) => m.id)).toContain(
      reminderId('test-op', '2025-11-11T18:00:00.000Z', 'MA', 'ncb-ma@test.example.org'),
    );
    expect(digests.map((m) => m.id)).toContain(
      digestId('test-op', CUTOFF.toISOString(), 'centre@test.example.org'),
    );
    expect(idTime('test-op', messages[0]?.id ?? '')).toBe('2025-11-11T18:00:00.000Z');
  });

  it('plans nothing for a definition without notifications', () => {
    const plain = anOperation();

    expect(
      planCutoff({ op: plain, cutoff: CUTOFF, current: rollup(plain, []), previous: null, links: {} }),
    ).toEqual([]);
  });
});

describe('the verdict mail of an upload', () => {
  const op = notifyingOperation();
  function aStoredReport(country: string, verdict: 'accepted' | 'rejected', problems = 0): StoredReport {
    return {
      submission: {
        id: `${country}-20251111T090000000Z-0001`,
        operation: op.id,
        country,
        key: `incoming/${op.id}/${country}/u1/return.csv`,
        uploadId: 'u1',
        size: 120,
        sha256: 'ab'.repeat(32),
        receivedAt: '2025-11-11T09:00:00.000Z',
        orderKey: 'k',
      },
      processedAt: '2025-11-11T09:00:01.000Z',
      validatorVersion: '1',
      report: {
        verdict,
        counts: { rows: 3, errors: verdict === 'rejected' ? problems : 0, warnings: 0, byCode: {} },
        problems: Array.from({ length: problems }, (_, i) => ({
          code: 'bad-value' as const,
          severity: 'error' as const,
          row: i + 2,
          column: 'value',
          value: 'x',
          message: 'The value is not a number.',
          hint: 'Write a whole number.',
        })),
        problemsOmitted: 0,
      },
      figures: null,
      outcome: verdict === 'accepted' ? 'applied' : null,
    };
  }

  it('goes to each address of the country that has not opted out, in its language, with the verdict and links', () => {
    const mails = planVerdictMails(op, aStoredReport('FR', 'accepted'), {
      dashboardUrl: 'https://d.example.org',
    });

    expect(mails.map((m) => m.to)).toEqual(['ncb-fr@test.example.org']);
    expect(mails[0]?.subject).toBe('Operation Test : déclaration de votre pays (France) acceptée');
    expect(mails[0]?.text).toContain('https://d.example.org/#/countries/FR');
    expect(mails[0]?.text).toContain('GET /operations/test-op/submissions/FR-20251111T090000000Z-0001');
    expect(mails[0]?.id).toBe(
      verdictId(
        'test-op',
        '2025-11-11T09:00:00.000Z',
        'FR-20251111T090000000Z-0001',
        'ncb-fr@test.example.org',
      ),
    );
  });

  it('says a rejection and its problems, and cuts a long report short with a pointer to the rest', () => {
    const [mail] = planVerdictMails(op, aStoredReport('BR', 'rejected', 100), {});

    expect(mail?.subject).toBe('Operation Test: return of Brazil rejected');
    expect(mail?.text).toContain('it was rejected, and nothing from it was counted.');
    expect(mail?.text).toContain('Row 2, column value');
    expect(mail?.text).not.toContain('Row 101, column value');
    expect(mail?.text).toContain('The report continues');
    expect(mail?.text.split('\n').length).toBeLessThan(VERDICT_REPORT_LINES + 20);
  });

  it('says when a later upload has replaced the accepted one', () => {
    const stored = { ...aStoredReport('BR', 'accepted'), outcome: 'superseded' as const };

    const [mail] = planVerdictMails(op, stored, {});

    expect(mail?.text).toContain('A later upload of Brazil has replaced it since: the later one counts.');
  });

  it('goes nowhere for a country without an address', () => {
    expect(planVerdictMails(op, aStoredReport('KE', 'accepted'), {})).toEqual([]);
  });
});

describe('retries', () => {
  it('wait longer after each failed try, up to an hour', () => {
    expect([1, 2, 3, 4, 7, 8, 12].map((n) => retryDelayMs(n) / 60_000)).toEqual([1, 2, 4, 8, 60, 60, 60]);
  });
});

describe('who reads the addresses', () => {
  const op = notifyingOperation();
  const addresses = (o: Operation) => [
    ...o.participants.flatMap((p) => (p.contacts ?? []).map((c) => c.address)),
    ...(o.notifications?.coordinators ?? []).map((c) => c.address),
  ];

  it('shows coordinators and admins every address', () => {
    expect(definitionFor(op, { role: 'coordinator', country: null })).toBe(op);
    expect(definitionFor(op, { role: 'admin', country: null })).toBe(op);
  });

  it('shows an agency its own country’s addresses only, and an auditor none', () => {
    expect(addresses(definitionFor(op, { role: 'agency', country: 'FR' }))).toEqual([
      'ncb-fr@test.example.org',
      'permanence-fr@test.example.org',
    ]);
    expect(addresses(definitionFor(op, { role: 'auditor', country: null }))).toEqual([]);
    expect(definitionFor(op, { role: 'auditor', country: null }).notifications?.cutoff).toBe('18:00');
  });
});
