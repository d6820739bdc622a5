import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadEvent } from '../../events/load-event.ts';
import { HttpError, msg, toResponse } from '../../functions/api/http.ts';
import { type ApiDeps, makeApiHandler } from '../../functions/api/routes.ts';
import { ERROR_STATUS, type ErrorBody } from '../../shared/api/errors.ts';
import { checkTransition } from '../../shared/domain/lifecycle.ts';
import { type Action, authorize, type Principal, principalFromClaims } from '../../shared/domain/policy.ts';
import { readCatalogue } from '../../shared/i18n/compile-catalogues.ts';
import { SUPPORTED_LOCALES } from '../../shared/i18n/locale.ts';
import { loadLocales, renderMessage } from '../../shared/i18n/render.ts';
import type { CatalogueText } from '../../shared/i18n/text.ts';

await loadLocales(SUPPORTED_LOCALES);

const ARABIC = /[\u0600-\u06ff]/;
const agency = (country: string): Principal => ({ subject: 'a', role: 'agency', country });
const coordinator: Principal = { subject: 'c', role: 'coordinator', country: null };

/** Every refusal the policy makes: its code, its catalogue text and its English. */
function policyRefusals(): Array<{ code: string; text: CatalogueText; english: string }> {
  const refusals: Array<[Principal, Action]> = [
    [agency('SN'), { kind: 'read-rollup' }],
    [agency('SN'), { kind: 'read-country', country: 'ML' }],
    [agency('SN'), { kind: 'list-submissions', country: 'ML' }],
    [coordinator, { kind: 'upload', country: 'SN' }],
    [agency('SN'), { kind: 'upload', country: 'ML' }],
    [coordinator, { kind: 'manage-operation' }],
    [agency('SN'), { kind: 'read-ledger' }],
    [coordinator, { kind: 'read-final', status: 'closed' }],
    [agency('SN'), { kind: 'read-final', status: 'final' }],
  ];
  const out = refusals.map(([who, action]) => {
    const decision = authorize(who, action);
    if (decision.ok) throw new Error(`${action.kind} was allowed`);
    return { ...decision.error, english: decision.error.reason };
  });
  for (const claims of [undefined, { sub: 'x' }, { sub: 'x', role: 'agency' }]) {
    const read = principalFromClaims(claims);
    if (read.ok) throw new Error('claims were accepted');
    out.push({ ...read.error, english: read.error.reason });
  }
  return out;
}

/** Every refusal the lifecycle makes. */
function transitionRefusals(): Array<{ code: string; text: CatalogueText; english: string }> {
  const tries = [
    ['open', 'open', ''],
    ['draft', 'final', ''],
    ['final', 'draft', ''],
    ['closed', 'open', ''],
  ] as const;
  return tries.map(([from, to, reason]) => {
    const checked = checkTransition(from, to, reason);
    if (checked.ok) throw new Error(`${from} → ${to} was allowed`);
    return { ...checked.error, english: checked.error.message };
  });
}

/** The `error.*` keys named in the sources of the layers whose errors the API answers. */
function errorKeysInSources(): Map<string, string> {
  const files = [
    ...readdirSync(new URL('../../functions/api/', import.meta.url))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => `functions/api/${f}`),
    ...readdirSync(new URL('../../shared/app/', import.meta.url))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => `shared/app/${f}`),
    'shared/domain/policy.ts',
    'shared/domain/lifecycle.ts',
  ];
  const keys = new Map<string, string>();
  for (const file of files) {
    const source = readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');
    for (const [, key] of source.matchAll(/['"](error\.[a-z0-9.-]+)['"]/g)) keys.set(key!, file);
  }
  return keys;
}

/** Dependencies a request refused before any storage is read must never reach. */
const untouched = new Proxy({} as ApiDeps, {
  get(_target, name) {
    throw new Error(`the API used deps.${String(name)} for a request it should refuse`);
  },
});

/** The sample HTTP API event (a coordinator's), for another method, path and query. */
function event(method: string, rawPath: string, query: Record<string, string> = {}) {
  const e = loadEvent('http-api-request');
  e.rawPath = rawPath;
  e.requestContext.http.path = rawPath;
  e.requestContext.http.method = method;
  e.queryStringParameters = query;
  e.headers = { ...e.headers, 'accept-language': 'en' };
  return e;
}

async function answer(method: string, path: string, lang: string) {
  const res = await makeApiHandler(untouched)(event(method, path, { lang }));
  return {
    status: res.statusCode,
    language: res.headers?.['content-language'],
    ...(JSON.parse(String(res.body)) as ErrorBody),
  };
}

describe('API errors in the request’s language', () => {
  it('answers only with catalogue messages, each in all four catalogues', () => {
    const keys = errorKeysInSources();
    // The router's, the policy's, the lifecycle's, the application's and the 500 are all there.
    for (const key of [
      'error.not-found.route',
      'error.method-not-allowed',
      'error.bad-path',
      'error.internal',
      'error.denied.manage-operation',
      'error.bad-transition.next',
      'error.operation-not-editable',
      'error.not-in-ledger',
      'error.unsupported-format.dry-run',
    ])
      expect(keys.has(key), key).toBe(true);
    for (const locale of SUPPORTED_LOCALES) {
      const catalogue = readCatalogue(locale);
      for (const [key, file] of keys) expect(catalogue[key], `${key} (${file}) in ${locale}`).toBeTruthy();
    }
    // An error the API answers is a code and a catalogue message, never a sentence built in code.
    const sources = [...new Set(keys.values())].map((f) =>
      readFileSync(new URL(`../../${f}`, import.meta.url), 'utf8'),
    );
    for (const source of sources) {
      expect(source).not.toMatch(/new HttpError\([^)]*`/);
      expect(source).not.toMatch(/\bmessage: `/);
    }
  });

  it('keeps every refusal of the policy and the lifecycle as its key and parameters, English unchanged', () => {
    for (const refusal of [...policyRefusals(), ...transitionRefusals()]) {
      expect(refusal.code in ERROR_STATUS, refusal.code).toBe(true);
      expect(renderMessage(refusal.text.key, refusal.text.params, 'en')).toBe(refusal.english);
      const error = HttpError.refused(refusal as { code: 'forbidden'; text: CatalogueText });
      expect(error.message).toBe(refusal.english);
      for (const locale of ['fr', 'es', 'ar'] as const) {
        const shown = error.inLocale(locale);
        expect(shown.locale).toBe(locale);
        expect(shown.code).toBe(refusal.code);
        expect(shown.message, `${refusal.text.key} in ${locale}`).not.toBe(refusal.english);
        expect(shown.message).not.toMatch(/[{}]\w/);
      }
    }
  });

  it('answers a policy refusal in French and Arabic with ?lang=, keeping its code and status', async () => {
    const en = await answer('POST', '/operations/liberterra-iii/status', 'en');
    expect(en).toEqual({
      status: 403,
      language: 'en',
      error: 'forbidden',
      message: 'Only admins manage operations.',
    });
    const fr = await answer('POST', '/operations/liberterra-iii/status', 'fr');
    expect(fr).toEqual({
      status: 403,
      language: 'fr',
      error: 'forbidden',
      message: 'Seuls les administrateurs gèrent les opérations.',
    });
    const ar = await answer('POST', '/operations/liberterra-iii/status', 'ar');
    expect(ar).toMatchObject({ status: 403, language: 'ar', error: 'forbidden' });
    expect(ar.message).toMatch(ARABIC);
  });

  it('answers the router’s own errors in the request’s language', async () => {
    const notFound = await answer('GET', '/nowhere', 'fr');
    expect(notFound).toEqual({
      status: 404,
      language: 'fr',
      error: 'not-found',
      message: 'Aucune route GET /nowhere.',
    });
    const notAllowed = await answer('DELETE', '/operations', 'ar');
    expect(notAllowed).toMatchObject({ status: 405, language: 'ar', error: 'method-not-allowed' });
    expect(notAllowed.message).toMatch(ARABIC);
    expect(notAllowed.message).toContain('DELETE');
    const badPath = await answer('GET', '/operations/%E0%A4%A/rollup', 'es');
    expect(badPath).toMatchObject({ status: 400, language: 'es', error: 'bad-path' });
    expect(badPath.message).toContain('«%E0%A4%A»');
    expect((await answer('GET', '/nowhere', 'en')).message).toBe('No route GET /nowhere.');
  });

  it('answers a failure of the server in the request’s language, logging the error', () => {
    const logged: unknown[] = [];
    const res = toResponse(new Error('disk on fire'), (line) => logged.push(line), undefined, 'fr');
    expect(res.statusCode).toBe(500);
    expect(res.headers?.['content-language']).toBe('fr');
    expect(JSON.parse(String(res.body))).toEqual({
      error: 'internal',
      message: renderMessage('error.internal', {}, 'fr'),
    });
    expect(renderMessage('error.internal', {}, 'fr')).not.toBe(renderMessage('error.internal', {}, 'en'));
    expect(logged).toHaveLength(1);
    expect(String(JSON.parse(String(toResponse(new Error('x'), () => {}).body)).message)).toBe(
      'The server failed; the error was logged. Try again.',
    );
  });

  it('renders a route’s message from the catalogue, free text passed as a parameter', () => {
    const error = new HttpError(
      'bad-status',
      msg('error.invalid-body.not-valid', {
        field: 'reason',
        reason: 'Too small: expected string to have >=1 characters',
      }),
    );
    expect(error.message).toBe('"reason" is not valid: Too small: expected string to have >=1 characters.');
    const fr = error.inLocale('fr').message;
    expect(fr).toBe(
      '« reason » n’est pas valide (détail technique, en anglais : Too small: expected string to have >=1 characters).',
    );
    const ar = error.inLocale('ar').message;
    expect(ar).toMatch(ARABIC);
    expect(ar).toContain('Too small: expected string to have >=1 characters');
    expect(new HttpError('bad-request', msg('error.bad-request.body-not-object')).message).toBe(
      'The body must be a JSON object, e.g. { "fileName": "return.csv" }.',
    );
  });
});
