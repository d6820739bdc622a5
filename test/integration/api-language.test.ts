import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DryRunResult, SubmissionPage, UploadSlot, UploadStatus } from '../../shared/api/responses.ts';
import type { Problem } from '../../shared/domain/problems.ts';
import { SUPPORTED_LOCALES } from '../../shared/i18n/locale.ts';
import { loadLocales, renderProblem } from '../../shared/i18n/render.ts';
import { liberterraIII } from '../support/builders.ts';
import { freshStack } from '../support/local-servers.ts';

const OP = 'liberterra-iii';
const OPERATION = liberterraIII();
// Two typical mistakes: a misspelt metric id and a negative count.
const BAD_RETURN = 'date,metric,value\n2025-11-12,arests,1\n2025-11-13,arrests,-2\n';
const ARABIC = /[\u0600-\u06ff]/;

await loadLocales(SUPPORTED_LOCALES);

describe('the API in the language the caller reads', () => {
  let stack: Awaited<ReturnType<typeof freshStack>>;
  let token: string;
  const call = (method: string, path: string, headers: Record<string, string> = {}, body?: string) =>
    fetch(`${stack.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...headers },
      body,
    });
  const dryRun = async (query: string, headers: Record<string, string> = {}) => {
    const res = await call(
      'POST',
      `/operations/${OP}/validate?fileName=r.csv${query}`,
      {
        'content-type': 'text/csv',
        ...headers,
      },
      BAD_RETURN,
    );
    return { res, body: (await res.json()) as DryRunResult };
  };

  beforeAll(async () => {
    stack = await freshStack();
    token = await stack.tokens.agency('SN');
  });
  afterAll(async () => {
    await stack.dispose();
  });

  it('renders a dry run’s problems in French for ?lang=fr, keeping codes and parameters', async () => {
    const english = await dryRun('');
    const french = await dryRun('&lang=fr');
    expect(french.res.headers.get('content-language')).toBe('fr');
    expect(french.res.headers.get('vary')).toMatch(/accept-language/i);
    const strip = (p: Problem) => ({ ...p, message: undefined, hint: undefined });
    expect(french.body.report.problems.map(strip)).toEqual(english.body.report.problems.map(strip));
    expect(french.body.report.problems.length).toBeGreaterThanOrEqual(2);
    for (const [i, p] of french.body.report.problems.entries()) {
      const en = english.body.report.problems[i]!;
      expect(p.message).not.toBe(en.message);
      expect({ message: p.message, hint: p.hint }).toEqual(renderProblem(en, 'fr', OPERATION));
    }
  });

  it('renders the same dry run in Arabic from Accept-Language, figures and codes unchanged', async () => {
    const { res, body } = await dryRun('', { 'accept-language': 'ar-EG,ar;q=0.9,en;q=0.5' });
    expect(res.headers.get('content-language')).toBe('ar');
    const metric = body.report.problems.find((p) => p.code === 'unknown-metric' || p.value === 'arests');
    expect(metric?.message).toMatch(ARABIC);
    expect(metric?.message).toContain('arests');
    expect(body.report.counts).toEqual((await dryRun('')).body.report.counts);
  });

  it('lets ?lang= win over Accept-Language, and falls back to English for a language it lacks', async () => {
    expect((await dryRun('&lang=es', { 'accept-language': 'ar' })).res.headers.get('content-language')).toBe(
      'es',
    );
    expect((await dryRun('', { 'accept-language': 'de-DE' })).res.headers.get('content-language')).toBe('en');
  });

  it('serves the same rejected submission’s text report in French and in Arabic', async () => {
    const slot = (await (
      await call(
        'POST',
        `/operations/${OP}/uploads`,
        { 'content-type': 'application/json' },
        '{"fileName":"r.csv"}',
      )
    ).json()) as UploadSlot;
    const form = new FormData();
    for (const [k, v] of Object.entries(slot.upload.fields)) form.append(k, v);
    form.append('file', new Blob([BAD_RETURN], { type: 'text/csv' }), 'r.csv');
    expect((await fetch(slot.upload.url, { method: 'POST', body: form })).ok).toBe(true);
    for (let i = 0; i < 200; i++) {
      const r = (await (
        await call('GET', `/operations/${OP}/uploads/${slot.uploadId}`)
      ).json()) as UploadStatus;
      if (r.submission?.status === 'rejected') break;
      await new Promise((ok) => setTimeout(ok, 50));
    }
    const subs = (await (await call('GET', `/operations/${OP}/submissions`)).json()) as SubmissionPage;
    const id = subs.submissions[0]?.id ?? '';
    const text = async (lang: string) => {
      const res = await call('GET', `/operations/${OP}/submissions/${id}?format=text`, {
        'accept-language': lang,
      });
      expect(res.headers.get('content-language')).toBe(lang);
      return res.text();
    };
    const [en, fr, ar] = [await text('en'), await text('fr'), await text('ar')];
    expect(en).toMatch(/^r\.csv: REJECTED/);
    expect(fr).toMatch(/^r\.csv: REFUSÉE/);
    expect(fr).toContain('Ligne 2, colonne metric: "arests"');
    expect(ar).toMatch(/^r\.csv: مرفوض/);
    expect(ar).toContain('الصف 2، العمود metric: "arests"');
    // The same problems, by code, in the three languages.
    const codes = (t: string) => [...t.matchAll(/ (\S+-\S+): /g)].map((m) => m[1]);
    expect(codes(fr)).toEqual(codes(en));
    expect(codes(ar)).toEqual(codes(en));

    const detail = (await (await call('GET', `/operations/${OP}/submissions/${id}?lang=ar`)).json()) as {
      report: { problems: Problem[] };
    };
    expect(detail.report.problems.every((p) => ARABIC.test(p.message))).toBe(true);
  });

  it('serves the workbook template with its guide in French for ?lang=fr', async () => {
    const guideTitle = async (query: string) => {
      const res = await call('GET', `/operations/${OP}/template.xlsx${query}`);
      expect(res.status).toBe(200);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as unknown as ArrayBuffer);
      const texts: string[] = [];
      wb.getWorksheet('guide')?.eachRow((row) => {
        row.eachCell((cell) => {
          texts.push(String(cell.value ?? ''));
        });
      });
      return texts.join('\n');
    };
    expect(await guideTitle('?lang=fr')).toContain('déclaration nationale');
    expect(await guideTitle('')).toContain('national return');
  });

  it('answers an error in the request’s language when the catalogue has its message', async () => {
    const unknown = await call('GET', '/operations/no-such-op/uploads/x?lang=fr');
    expect(unknown.headers.get('content-language')).toBe('fr');
    expect(await unknown.json()).toEqual({
      error: 'unknown-operation',
      message: 'Il n’existe aucune opération « no-such-op » ; GET /operations les liste.',
    });
    const missing = await call('GET', `/operations/${OP}/uploads/no-such-upload`, {
      'accept-language': 'ar',
    });
    expect(missing.headers.get('content-language')).toBe('ar');
    const missingBody = (await missing.json()) as { error: string; message: string };
    expect(missingBody.error).toBe('unknown-upload');
    expect(missingBody.message).toMatch(ARABIC);
    expect(missingBody.message).toContain('no-such-upload');
  });

  const errorIn = async (res: Response) => ({
    status: res.status,
    language: res.headers.get('content-language'),
    vary: res.headers.get('vary'),
    ...((await res.json()) as { error: string; message: string }),
  });

  it('answers a refusal and a bad body in French and Arabic, English unchanged', async () => {
    const readOther = (lang: string) => call('GET', `/operations/${OP}/countries/BR?lang=${lang}`);
    const forbidden = { en: await errorIn(await readOther('en')), fr: await errorIn(await readOther('fr')) };
    expect(forbidden.en).toMatchObject({ status: 403, language: 'en', error: 'forbidden' });
    expect(forbidden.en.message).toBe("An agency of SN may not read BR's data.");
    expect(forbidden.fr).toMatchObject({ status: 403, language: 'fr', error: 'forbidden' });
    expect(forbidden.fr.message).toBe('Une agence de SN ne peut pas lire les données de BR.');
    expect(forbidden.fr.vary).toMatch(/accept-language/i);

    const badBody = (headers: Record<string, string>) =>
      call('POST', `/operations/${OP}/uploads`, { 'content-type': 'application/json', ...headers }, '[1, 2]');
    const en = await errorIn(await badBody({}));
    const ar = await errorIn(await badBody({ 'accept-language': 'ar, fr;q=0.5' }));
    expect(en).toMatchObject({ status: 400, language: 'en', error: 'bad-request' });
    expect(en.message).toBe('The body must be a JSON object, e.g. { "fileName": "return.csv" }.');
    expect(ar).toMatchObject({ status: 400, language: 'ar', error: 'bad-request' });
    expect(ar.message).not.toBe(en.message);
    expect(ar.message).toMatch(ARABIC);
    expect(ar.message).toContain('{ "fileName": "return.csv" }');
  });

  it('answers the lifecycle’s and the application’s refusals in French and Arabic, codes unchanged', async () => {
    const asAdmin = (path: string, body: string, headers: Record<string, string> = {}) =>
      fetch(`${stack.apiUrl}${path}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${stack.tokens.admin}`,
          'content-type': 'application/json',
          ...headers,
        },
        body,
      });
    const draft = JSON.stringify({ status: 'draft' });
    const en = await errorIn(await asAdmin(`/operations/${OP}/status`, draft));
    expect(en).toMatchObject({ status: 409, language: 'en', error: 'bad-transition' });
    expect(en.message).toBe('An operation that is open cannot become draft; the next step is closed.');
    const fr = await errorIn(await asAdmin(`/operations/${OP}/status?lang=fr`, draft));
    expect(fr).toEqual({
      status: 409,
      language: 'fr',
      vary: 'Accept-Language',
      error: 'bad-transition',
      message: 'Une opération à l’état open ne peut pas passer à draft ; l’étape suivante est closed.',
    });

    const final = await fetch(`${stack.apiUrl}/operations/${OP}/final`, {
      headers: { authorization: `Bearer ${stack.tokens.auditor}`, 'accept-language': 'ar' },
    });
    const ar = await errorIn(final);
    expect(ar).toMatchObject({ status: 409, language: 'ar', error: 'not-closed' });
    expect(ar.message).toMatch(ARABIC);
    expect(ar.message).toContain('open');
  });
});
