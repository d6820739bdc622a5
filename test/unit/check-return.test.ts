import { describe, expect, it } from 'vitest';
import { ReturnChecker } from '../../shared/domain/check-return.ts';
import { closest } from '../../shared/domain/checks/cells.ts';
import { PROBLEM_CODES } from '../../shared/domain/problems.ts';
import { anOperation, aReturn, liberterraIII, readCsv, readJson } from '../support/builders.ts';
import { codesOf, theProblem } from '../support/problems.ts';

// The operation of these tests is `anOperation()`: BR, FR and KE, 10–12 November 2025. Rows are
// numbered as a spreadsheet shows them: the header is row 1, the first data row row 2.

describe('an accepted return', () => {
  it('accepts a well-formed return and counts its data rows', async () => {
    const csv = aReturn()
      .withRow('2025-11-10', 'arrests', 3)
      .withRow('2025-11-11', 'arrests', 4)
      .withRow('2025-11-10', 'officers_deployed', 40)
      .csv();

    const { report } = await readCsv(csv);

    expect(report).toEqual({
      verdict: 'accepted',
      counts: { rows: 3, errors: 0, warnings: 0, byCode: {} },
      problems: [],
      problemsOmitted: 0,
    });
  });

  it('adds up a flow over the days of the window', async () => {
    const csv = aReturn()
      .withRow('2025-11-10', 'arrests', 3)
      .withRow('2025-11-11', 'arrests', 4)
      .withRow('2025-11-12', 'arrests', 5)
      .csv();

    const { figures } = await readCsv(csv);

    expect(figures?.totals).toEqual({ arrests: 12 });
    expect(figures?.byDay).toEqual({
      '2025-11-10': { arrests: 3 },
      '2025-11-11': { arrests: 4 },
      '2025-11-12': { arrests: 5 },
    });
  });

  it('takes the peak day as the figure of a gauge (officers deployed)', async () => {
    const csv = aReturn()
      .withRow('2025-11-10', 'officers_deployed', 40)
      .withRow('2025-11-11', 'officers_deployed', 55)
      .withRow('2025-11-12', 'officers_deployed', 30)
      .csv();

    const { figures } = await readCsv(csv);

    expect(figures?.totals).toEqual({ officers_deployed: 55 });
    expect(figures?.byDay['2025-11-12']).toEqual({ officers_deployed: 30 });
  });

  it('keeps a reported zero as 0 and leaves unreported metrics out', async () => {
    const csv = aReturn()
      .withRow('2025-11-10', 'arrests', 0)
      .withRow('2025-11-10', 'officers_deployed', 0)
      .csv();

    const { report, figures } = await readCsv(csv);

    expect(report.verdict).toBe('accepted');
    expect(figures?.totals).toEqual({ arrests: 0, officers_deployed: 0 });
    expect(figures?.totals).not.toHaveProperty('victims_safeguarded');
    expect(figures?.byDay).not.toHaveProperty('2025-11-11');
  });

  it('keeps breakdown rows apart from the total, by day and over the window', async () => {
    const csv = aReturn()
      .withRow('2025-11-10', 'victims_safeguarded', 5)
      .withRow('2025-11-10', 'victims_safeguarded', 3, 'exploitation=forced_labour')
      .withRow('2025-11-10', 'victims_safeguarded', 1, 'exploitation=other')
      .withRow('2025-11-11', 'victims_safeguarded', 2)
      .withRow('2025-11-11', 'victims_safeguarded', 2, 'exploitation=forced_labour')
      .csv();

    const { report, figures } = await readCsv(csv);

    expect(report.verdict).toBe('accepted');
    expect(figures?.totals).toEqual({ victims_safeguarded: 7 });
    expect(figures?.byBreakdown).toEqual({
      victims_safeguarded: { 'exploitation=forced_labour': 5, 'exploitation=other': 1 },
    });
    expect(figures?.byDayBreakdown['2025-11-10']).toEqual({
      victims_safeguarded: { 'exploitation=forced_labour': 3, 'exploitation=other': 1 },
    });
    expect(figures?.byDay['2025-11-10']).toEqual({ victims_safeguarded: 5 });
  });

  it('takes the peak day of a gauge breakdown over the window', async () => {
    const op = anOperation({
      metrics: [
        {
          id: 'officers_deployed',
          label: 'Officers',
          aggregation: 'max',
          breakdowns: [{ dimension: 'agency', values: ['police', 'border'] }],
        },
      ],
      rules: [],
    });
    const csv = aReturn()
      .withRow('2025-11-10', 'officers_deployed', 50)
      .withRow('2025-11-10', 'officers_deployed', 30, 'agency=police')
      .withRow('2025-11-11', 'officers_deployed', 40)
      .withRow('2025-11-11', 'officers_deployed', 35, 'agency=police')
      .csv();

    const { figures } = await readCsv(csv, { operation: op });

    expect(figures?.totals).toEqual({ officers_deployed: 50 });
    expect(figures?.byBreakdown).toEqual({ officers_deployed: { 'agency=police': 35 } });
  });

  it('accepts a value with spaces around it', async () => {
    const csv = 'date,metric,value\n2025-11-10, arrests , 12 \n';

    const { report, figures } = await readCsv(csv);

    expect(report.verdict).toBe('accepted');
    expect(figures?.totals).toEqual({ arrests: 12 });
  });

  it('reads leading zeros as the number they write', async () => {
    const { figures } = await readCsv(aReturn().withRow('2025-11-10', 'arrests', '007').csv());

    expect(figures?.totals).toEqual({ arrests: 7 });
  });

  it('accepts breakdowns written with spaces around "="', async () => {
    const csv = aReturn()
      .withRow('2025-11-10', 'victims_safeguarded', 5)
      .withRow('2025-11-10', 'victims_safeguarded', 3, ' exploitation = forced_labour ')
      .csv();

    const { figures } = await readCsv(csv);

    expect(figures?.byBreakdown).toEqual({ victims_safeguarded: { 'exploitation=forced_labour': 3 } });
  });

  it('accepts a country column that names the uploader, in any case', async () => {
    const csv = aReturn().withRow('2025-11-10', 'arrests', 3).csv({ country: 'br' });

    const { report } = await readCsv(csv, { country: 'BR' });

    expect(report.verdict).toBe('accepted');
  });

  it('accepts an empty country cell', async () => {
    const csv = aReturn().withRow('2025-11-10', 'arrests', 3).csv({ country: '' });

    const { report } = await readCsv(csv);

    expect(report.verdict).toBe('accepted');
  });

  it('accepts a return without a breakdown column', async () => {
    const csv = aReturn().withRow('2025-11-10', 'arrests', 3).csv({ withoutBreakdown: true });

    const { report } = await readCsv(csv);

    expect(report.verdict).toBe('accepted');
  });

  it('accepts a return to the shipped Liberterra III definition', async () => {
    const csv = aReturn()
      .withRow('2025-11-10', 'arrests', 12)
      .withRow('2025-11-10', 'arrests_trafficking_smuggling', 4)
      .withRow('2025-11-21', 'irregular_migrants_detected', 140)
      .withRow('2025-11-15', 'investigations_opened', 0)
      .withRow('2025-11-15', 'victims_safeguarded', 9)
      .withRow('2025-11-15', 'victims_safeguarded', 2, 'exploitation=organ_removal')
      .csv();

    const { report, figures } = await readCsv(csv, { operation: liberterraIII(), country: 'CI' });

    expect(report.verdict).toBe('accepted');
    expect(figures?.totals).toEqual({
      arrests: 12,
      arrests_trafficking_smuggling: 4,
      irregular_migrants_detected: 140,
      investigations_opened: 0,
      victims_safeguarded: 9,
    });
  });
});

describe('problems in a row', () => {
  it('rejects a return whose country differs from the uploader', async () => {
    const csv = aReturn().withRow('2025-11-10', 'arrests', 3).csv({ country: 'FR' });

    const { report, figures } = await readCsv(csv, { country: 'BR' });

    expect(report.verdict).toBe('rejected');
    expect(figures).toBeNull();
    const p = theProblem(report, 'country-mismatch', { row: 2, column: 'country', value: 'FR' });
    expect(p.hint).toContain('BR');
  });

  it('rejects an unknown metric, suggesting the closest one', async () => {
    const csv = aReturn().withRow('2025-11-10', 'arrests', 3).withRow('2025-11-11', 'arrest', 3).csv();

    const { report } = await readCsv(csv);

    const p = theProblem(report, 'unknown-metric', { row: 3, column: 'metric', value: 'arrest' });
    expect(p.hint).toContain('Did you mean "arrests"?');
  });

  it('lists the metrics when an unknown metric is like none of them', async () => {
    const { report } = await readCsv(aReturn().withRow('2025-11-10', 'seizures', 3).csv());

    const p = theProblem(report, 'unknown-metric', { row: 2, column: 'metric' });
    expect(p.hint).not.toContain('Did you mean');
    expect(p.hint).toContain(
      'arrests, arrests_trafficking_smuggling, victims_safeguarded, officers_deployed',
    );
  });

  it('rejects a row without a metric', async () => {
    const { report } = await readCsv(aReturn().withRow('2025-11-10', '', 3).csv());

    const p = theProblem(report, 'unknown-metric', { row: 2, column: 'metric', value: '' });
    expect(p.message).toContain('missing');
  });

  it('rejects a breakdown not written dimension=value, listing the allowed ones', async () => {
    const csv = aReturn()
      .withRow('2025-11-10', 'victims_safeguarded', 5)
      .withRow('2025-11-10', 'victims_safeguarded', 3, 'forced_labour')
      .csv();

    const { report } = await readCsv(csv);

    const p = theProblem(report, 'bad-breakdown', { row: 3, column: 'breakdown', value: 'forced_labour' });
    expect(p.hint).toContain('exploitation=forced_labour');
  });

  it('rejects a breakdown the metric does not have', async () => {
    const csv = aReturn()
      .withRow('2025-11-10', 'victims_safeguarded', 5)
      .withRow('2025-11-10', 'victims_safeguarded', 3, 'exploitation=begging')
      .csv();

    const { report } = await readCsv(csv);

    const p = theProblem(report, 'unknown-breakdown', {
      row: 3,
      column: 'breakdown',
      value: 'exploitation=begging',
    });
    expect(p.hint).toContain(
      'exploitation=sexual_exploitation, exploitation=forced_labour, exploitation=other',
    );
  });

  it('rejects a breakdown on a metric that has none, saying to leave the cell empty', async () => {
    const csv = aReturn().withRow('2025-11-10', 'arrests', 3, 'exploitation=other').csv();

    const { report } = await readCsv(csv);

    const p = theProblem(report, 'unknown-breakdown', { row: 2, column: 'breakdown' });
    expect(p.hint).toContain('arrests has no breakdowns');
  });

  it.each([
    ['a day without its leading zero', '2025-11-9'],
    ['a day-first date', '12/11/2025'],
    ['a date that does not exist', '2025-02-30'],
    ['a date with a time', '2025-11-10T00:00:00Z'],
    ['an empty date', ''],
  ])('rejects %s as a bad date', async (_case, date) => {
    const csv = aReturn().withRow('2025-11-10', 'arrests', 1).withRow(date, 'arrests', 3).csv();

    const { report } = await readCsv(csv);

    const p = theProblem(report, 'bad-date', { row: 3, column: 'date', value: date });
    expect(p.hint).toContain('YYYY-MM-DD');
  });

  it('rejects a date outside the operation window, giving the window', async () => {
    const csv = aReturn().withRow('2025-11-13', 'arrests', 3).csv();

    const { report } = await readCsv(csv);

    const p = theProblem(report, 'date-outside-window', { row: 2, column: 'date', value: '2025-11-13' });
    expect(p.hint).toContain('between 2025-11-10 and 2025-11-12');
  });

  it('accepts the first and the last day of the window', async () => {
    const csv = aReturn().withRow('2025-11-10', 'arrests', 1).withRow('2025-11-12', 'arrests', 1).csv();

    const { report } = await readCsv(csv);

    expect(report.verdict).toBe('accepted');
  });

  it.each([
    ['a negative value', '-5', 'write 0 or more'],
    ['a decimal value', '1.5', 'whole number'],
    ['exponent notation', '1e3', '1000 rather than 1e3'],
    ['thousands separators', '1,200', 'without separators: 1200'],
    ['words', 'twelve', 'digits only'],
    ['an empty value', '', 'Write 0 to report zero'],
  ])('rejects %s, saying how to write it', async (_case, value, advice) => {
    const csv = aReturn().withRow('2025-11-10', 'arrests', value).csv();

    const { report } = await readCsv(csv);

    const p = theProblem(report, 'bad-value', { row: 2, column: 'value', value });
    expect(p.hint).toContain(advice);
  });

  it('rejects a value too large to be counted exactly', async () => {
    const csv = aReturn().withRow('2025-11-10', 'arrests', '9007199254740993').csv();

    const { report } = await readCsv(csv);

    theProblem(report, 'value-too-large', { row: 2, column: 'value', value: '9007199254740993' });
  });

  it('rejects a second row for the same date, metric and breakdown, naming the earlier row', async () => {
    const csv = aReturn()
      .withRow('2025-11-10', 'arrests', 3)
      .withRow('2025-11-11', 'arrests', 4)
      .withRow('2025-11-10', 'arrests', 5)
      .csv();

    const { report } = await readCsv(csv);

    const p = theProblem(report, 'duplicate-row', { row: 4, column: 'metric' });
    expect(p.message).toContain('Row 2');
    expect(p.hint).toContain('row 2');
  });

  it('sees the same breakdown written two ways as a duplicate', async () => {
    const csv = aReturn()
      .withRow('2025-11-10', 'victims_safeguarded', 5)
      .withRow('2025-11-10', 'victims_safeguarded', 1, 'exploitation=other')
      .withRow('2025-11-10', 'victims_safeguarded', 2, 'exploitation = other')
      .csv();

    const { report } = await readCsv(csv);

    const p = theProblem(report, 'duplicate-row', { row: 4 });
    expect(p.message).toContain('Row 3');
  });

  it('rejects an over-long cell once, without checking it further', async () => {
    const metric = 'a'.repeat(300);
    const csv = aReturn().withRow('2025-11-10', metric, 3).csv();

    const { report } = await readCsv(csv);

    const p = theProblem(report, 'cell-too-long', { row: 2, column: 'metric' });
    expect(codesOf(report)).toEqual(['cell-too-long']);
    expect(p.value?.length).toBeLessThan(120);
    expect(p.value).toContain('(300 characters)');
  });

  it('reports every problem of a row, not only the first', async () => {
    const csv = aReturn().withRow('2025-11-31', 'arest', '-1').csv();

    const { report } = await readCsv(csv);

    expect(codesOf(report)).toEqual(['bad-date', 'unknown-metric', 'bad-value']);
    expect(report.problems.every((p) => p.row === 2)).toBe(true);
  });
});

describe('figures the global totals can add up exactly', () => {
  // test-op has 3 participants: a country's figure may be at most ⌊(2^53 − 1) / 3⌋, so that the
  // sum over all countries (the global total) is still an exact integer.
  const LIMIT = 3_002_399_751_580_330;

  it('accepts a value of exactly the operation’s limit', async () => {
    const { report, figures } = await readCsv(aReturn().withRow('2025-11-10', 'arrests', LIMIT).csv());

    expect(report.verdict).toBe('accepted');
    expect(figures?.totals).toEqual({ arrests: LIMIT });
  });

  it('rejects a value one above the limit, naming the limit in the hint', async () => {
    const csv = aReturn()
      .withRow('2025-11-10', 'arrests', LIMIT + 1)
      .csv();

    const { report, figures } = await readCsv(csv);

    expect(figures).toBeNull();
    const p = theProblem(report, 'value-too-large', { row: 2, column: 'value', value: String(LIMIT + 1) });
    expect(p.hint).toContain(String(LIMIT));
    expect(p.hint).toContain('3 participants');
  });

  it('rejects a JSON value of 2^53 − 1, exact on its own but not in a sum', async () => {
    const json = aReturn().withRow('2025-11-10', 'arrests', Number.MAX_SAFE_INTEGER).json('test-op', 'BR');

    const { report } = await readJson(json);

    theProblem(report, 'value-too-large', { row: 1, column: 'value' });
  });

  it('rejects a country total above the limit though each day is within it', async () => {
    const half = (LIMIT - 2) / 2 + 2;
    const csv = aReturn().withRow('2025-11-10', 'arrests', half).withRow('2025-11-11', 'arrests', half).csv();

    const { report, figures } = await readCsv(csv);

    expect(figures).toBeNull();
    const p = theProblem(report, 'value-too-large', { row: null, column: 'value' });
    expect(p.message).toContain('arrests');
    expect(p.hint).toContain(String(LIMIT));
  });

  it('rejects a breakdown total above the limit', async () => {
    const half = (LIMIT - 2) / 2 + 2;
    const csv = aReturn()
      .withRow('2025-11-10', 'victims_safeguarded', half)
      .withRow('2025-11-10', 'victims_safeguarded', half, 'exploitation=other')
      .withRow('2025-11-11', 'victims_safeguarded', half)
      .withRow('2025-11-11', 'victims_safeguarded', half, 'exploitation=other')
      .csv();

    const { report } = await readCsv(csv);

    expect(report.problems.map((p) => [p.code, p.message.includes('exploitation=other')])).toEqual([
      ['value-too-large', false],
      ['value-too-large', true],
    ]);
  });

  it('keeps the limit of a gauge on its peak day, not on a sum over days', async () => {
    const csv = aReturn()
      .withRow('2025-11-10', 'officers_deployed', LIMIT)
      .withRow('2025-11-11', 'officers_deployed', LIMIT)
      .csv();

    const { report } = await readCsv(csv);

    expect(report.verdict).toBe('accepted');
  });
});

describe('rules across rows', () => {
  it('rejects breakdown rows whose day has no total', async () => {
    const csv = aReturn()
      .withRow('2025-11-10', 'arrests', 3)
      .withRow('2025-11-10', 'victims_safeguarded', 3, 'exploitation=forced_labour')
      .csv();

    const { report } = await readCsv(csv);

    const p = theProblem(report, 'breakdown-without-total', { row: 3, column: 'breakdown' });
    expect(p.hint).toContain('2025-11-10');
  });

  it('rejects breakdown rows adding up to more than the day’s total', async () => {
    const csv = aReturn()
      .withRow('2025-11-10', 'victims_safeguarded', 5)
      .withRow('2025-11-10', 'victims_safeguarded', 4, 'exploitation=forced_labour')
      .withRow('2025-11-10', 'victims_safeguarded', 2, 'exploitation=other')
      .csv();

    const { report } = await readCsv(csv);

    const p = theProblem(report, 'rule-violation', { row: 4, column: 'value', value: '6' });
    expect(p.message).toContain('exploitation-within-victims');
    expect(p.message).toContain('row 2');
  });

  it('accepts breakdown rows adding up to the day’s total exactly', async () => {
    const csv = aReturn()
      .withRow('2025-11-10', 'victims_safeguarded', 6)
      .withRow('2025-11-10', 'victims_safeguarded', 4, 'exploitation=forced_labour')
      .withRow('2025-11-10', 'victims_safeguarded', 2, 'exploitation=other')
      .csv();

    const { report } = await readCsv(csv);

    expect(report.verdict).toBe('accepted');
  });

  it('rejects more trafficking arrests than arrests on the same day', async () => {
    const csv = aReturn()
      .withRow('2025-11-10', 'arrests', 3)
      .withRow('2025-11-10', 'arrests_trafficking_smuggling', 5)
      .csv();

    const { report } = await readCsv(csv);

    const p = theProblem(report, 'rule-violation', { row: 3, column: 'value', value: '5' });
    expect(p.message).toContain('trafficking-arrests-within-arrests');
    expect(p.message).toContain('row 2');
  });

  it('accepts as many trafficking arrests as arrests', async () => {
    const csv = aReturn()
      .withRow('2025-11-10', 'arrests', 5)
      .withRow('2025-11-10', 'arrests_trafficking_smuggling', 5)
      .csv();

    const { report } = await readCsv(csv);

    expect(report.verdict).toBe('accepted');
  });

  it('compares trafficking arrests with the arrests of the same day only', async () => {
    const csv = aReturn()
      .withRow('2025-11-10', 'arrests', 10)
      .withRow('2025-11-11', 'arrests', 1)
      .withRow('2025-11-11', 'arrests_trafficking_smuggling', 2)
      .csv();

    const { report } = await readCsv(csv);

    theProblem(report, 'rule-violation', { row: 4 });
  });

  it('rejects trafficking arrests on a day without arrests, asking for the arrests row', async () => {
    const csv = aReturn()
      .withRow('2025-11-10', 'arrests', 10)
      .withRow('2025-11-11', 'arrests_trafficking_smuggling', 2)
      .csv();

    const { report } = await readCsv(csv);

    const p = theProblem(report, 'rule-violation', { row: 3, column: 'value' });
    expect(p.hint).toContain('add the arrests row for 2025-11-11');
  });

  it('reports a rule of warning severity as a warning and still accepts the file', async () => {
    const op = anOperation({
      rules: [
        {
          kind: 'lte',
          id: 'within-arrests',
          metric: 'arrests_trafficking_smuggling',
          bound: 'arrests',
          severity: 'warning',
        },
      ],
    });
    const csv = aReturn()
      .withRow('2025-11-10', 'arrests', 3)
      .withRow('2025-11-10', 'arrests_trafficking_smuggling', 5)
      .csv();

    const { report, figures } = await readCsv(csv, { operation: op });

    expect(report.verdict).toBe('accepted');
    expect(report.counts).toMatchObject({ errors: 0, warnings: 1 });
    expect(theProblem(report, 'rule-warning', { row: 3 }).severity).toBe('warning');
    expect(figures?.totals).toEqual({ arrests: 3, arrests_trafficking_smuggling: 5 });
  });
});

describe('warnings against the previous accepted return', () => {
  it('warns when a flow totals less than before, and still accepts the file', async () => {
    const csv = aReturn().withRow('2025-11-10', 'arrests', 7).csv();

    const { report, figures } = await readCsv(csv, { previous: { totals: { arrests: 10 } } });

    expect(report.verdict).toBe('accepted');
    expect(figures?.totals).toEqual({ arrests: 7 });
    expect(report.counts).toMatchObject({ errors: 0, warnings: 1 });
    const p = theProblem(report, 'total-decreased', { row: null, column: 'metric', value: 'arrests' });
    expect(p.severity).toBe('warning');
    expect(p.message).toContain('10');
  });

  it('warns when a metric reported before is missing now', async () => {
    const csv = aReturn().withRow('2025-11-10', 'arrests', 10).csv();

    const { report } = await readCsv(csv, { previous: { totals: { arrests: 10, officers_deployed: 40 } } });

    expect(report.verdict).toBe('accepted');
    const p = theProblem(report, 'total-decreased', { value: 'officers_deployed' });
    expect(p.hint).toContain('replaces the previous one');
  });

  it('does not warn when totals stayed or grew', async () => {
    const csv = aReturn().withRow('2025-11-10', 'arrests', 10).withRow('2025-11-11', 'arrests', 2).csv();

    const { report } = await readCsv(csv, { previous: { totals: { arrests: 12 } } });

    expect(report.problems).toEqual([]);
  });

  it('does not compare a rejected return with the previous one', async () => {
    const csv = aReturn().withRow('2025-11-10', 'arrests', '-1').csv();

    const { report } = await readCsv(csv, { previous: { totals: { arrests: 12 } } });

    expect(codesOf(report)).toEqual(['bad-value']);
  });
});

describe('the report', () => {
  it('lists problems in file order', async () => {
    const csv = aReturn()
      .withRow('2025-11-10', 'arrests', '-1')
      .withRow('2025-11-31', 'arrests', 1)
      .withRow('2025-11-11', 'arest', 1)
      .csv();

    const { report } = await readCsv(csv);

    expect(report.problems.map((p) => [p.row, p.code])).toEqual([
      [2, 'bad-value'],
      [3, 'bad-date'],
      [4, 'unknown-metric'],
    ]);
  });

  it('lists at most maxProblemsListed problems and counts the rest as omitted', async () => {
    const op = anOperation({ limits: { maxProblemsListed: 3 } });
    const builder = aReturn();
    for (let i = 0; i < 5; i++) builder.withRow('2025-11-10', `metric_${i}`, 1);

    const { report } = await readCsv(builder.csv(), { operation: op });

    expect(report.problems.map((p) => p.row)).toEqual([2, 3, 4]);
    expect(report.problemsOmitted).toBe(2);
    expect(report.counts.errors).toBe(5);
    expect(report.counts.byCode).toEqual({ 'unknown-metric': 5 });
  });

  it('counts every problem by code', async () => {
    const csv = aReturn()
      .withRow('2025-11-10', 'arrests', '-1')
      .withRow('2025-11-11', 'arrests', 'x')
      .withRow('2025-11-31', 'arrests', 1)
      .csv();

    const { report } = await readCsv(csv);

    expect(report.counts.byCode).toEqual({ 'bad-value': 2, 'bad-date': 1 });
    expect(report.counts.errors).toBe(3);
  });

  it('stops at maxRows data rows and rejects the file', async () => {
    const op = anOperation({ limits: { maxRows: 2 } });
    const csv = aReturn()
      .withRow('2025-11-10', 'arrests', 1)
      .withRow('2025-11-11', 'arrests', 1)
      .withRow('2025-11-12', 'arrests', 1)
      .withRow('2025-11-12', 'arest', 1)
      .csv();

    const { report, figures } = await readCsv(csv, { operation: op });

    expect(report.verdict).toBe('rejected');
    expect(figures).toBeNull();
    theProblem(report, 'too-many-rows', { row: 4 });
    expect(codesOf(report)).toEqual(['too-many-rows']);
  });

  it('accepts exactly maxRows data rows', async () => {
    const op = anOperation({ limits: { maxRows: 2 } });
    const csv = aReturn().withRow('2025-11-10', 'arrests', 1).withRow('2025-11-11', 'arrests', 1).csv();

    const { report } = await readCsv(csv, { operation: op });

    expect(report.verdict).toBe('accepted');
  });

  it('keeps the reason reading stopped in a list full of row problems', async () => {
    const op = anOperation({ limits: { maxRows: 4, maxProblemsListed: 2 } });
    const builder = aReturn();
    for (let i = 0; i < 5; i++) builder.withRow('2025-11-10', `metric_${i}`, 1);

    const { report } = await readCsv(builder.csv(), { operation: op });

    expect(report.problems).toHaveLength(2);
    expect(codesOf(report)).toContain('too-many-rows');
    expect(report.problemsOmitted).toBe(3);
  });

  it('lists problems with the whole file before row problems', async () => {
    const op = anOperation({ limits: { maxRows: 2 } });
    const json = aReturn()
      .withRow('2025-11-10', 'arrests', -1)
      .withRow('2025-11-11', 'arrests', -2)
      .withRow('2025-11-12', 'arrests', 3)
      .json(op, 'BR');

    const { report } = await readJson(json, { operation: op });

    expect(report.problems.map((p) => [p.code, p.row])).toEqual([
      ['too-many-rows', 3],
      ['bad-value', 1],
      ['bad-value', 2],
    ]);
  });

  it('gives each problem the severity of its code', async () => {
    const csv = aReturn().withRow('2025-11-10', 'arrests', 1).withRow('2025-11-10', 'arrests', 'x').csv();

    const { report } = await readCsv(csv);

    expect(report.problems.length).toBeGreaterThan(0);
    for (const p of report.problems) expect(p.severity).toBe(PROBLEM_CODES[p.code]);
  });
});

describe('ReturnChecker.header', () => {
  it('maps header names to columns regardless of case and surrounding spaces', () => {
    const checker = new ReturnChecker({ operation: anOperation(), country: 'BR' });

    const columns = checker.header([' Date', 'METRIC ', ' Breakdown ', 'Value', 'country']);

    expect(columns).toEqual(['date', 'metric', 'breakdown', 'value', 'country']);
    expect(checker.finish().report.problems.map((p) => p.code)).toEqual(['no-rows']);
  });

  it('rejects an unknown column, naming its position', () => {
    const checker = new ReturnChecker({ operation: anOperation(), country: 'BR' });

    const columns = checker.header(['date', 'metric', 'value', 'notes']);

    expect(columns).toEqual(['date', 'metric', 'value', undefined]);
    const p = theProblem(checker.finish().report, 'unknown-column', {
      row: 1,
      column: 'column 4',
      value: 'notes',
    });
    expect(p.hint).toContain('date, metric, breakdown, value, country');
  });

  it('rejects a column that appears twice', () => {
    const checker = new ReturnChecker({ operation: anOperation(), country: 'BR' });

    checker.header(['date', 'metric', 'value', 'Value']);

    theProblem(checker.finish().report, 'duplicate-column', { row: 1, column: 'value', value: 'Value' });
  });

  it.each(['date', 'metric', 'value'])('rejects a header without the required "%s" column', (missing) => {
    const checker = new ReturnChecker({ operation: anOperation(), country: 'BR' });

    checker.header(['date', 'metric', 'breakdown', 'value'].filter((c) => c !== missing));

    theProblem(checker.finish().report, 'missing-column', { row: 1, column: missing });
  });
});

describe('closest', () => {
  it('suggests the candidate within three edits', () => {
    expect(closest('arest', ['arrests', 'officers_deployed'])).toBe('arrests');
  });

  it('ignores the case of the word', () => {
    expect(closest('Arrests', ['arrests', 'officers_deployed'])).toBe('arrests');
  });

  it('prefers the nearest of several candidates', () => {
    expect(closest('arrestss', ['arrest', 'arrests'])).toBe('arrests');
  });

  it('suggests nothing when no candidate is near', () => {
    expect(closest('seizures', ['arrests', 'officers_deployed'])).toBeUndefined();
  });
});

describe('JSON rows', () => {
  it('checks JSON rows by the same rules as CSV rows', async () => {
    const op = anOperation();
    const json = aReturn()
      .withRow('2025-11-10', 'arrests', 3)
      .withRow('2025-11-10', 'arrest', 1)
      .json(op, 'BR');

    const { report } = await readJson(json, { operation: op });

    theProblem(report, 'unknown-metric', { row: 2, column: 'metric', value: 'arrest' });
  });
});
