import { describe, expect, it } from 'vitest';
import { HttpError, KNOWN_SENTENCES, knownText, msg } from '../../functions/api/http.ts';
import { checkTransition } from '../../shared/domain/lifecycle.ts';
import { type Action, authorize, type Principal, principalFromClaims } from '../../shared/domain/policy.ts';
import { SUPPORTED_LOCALES } from '../../shared/i18n/locale.ts';
import { loadLocales, renderMessage } from '../../shared/i18n/render.ts';

await loadLocales(SUPPORTED_LOCALES);

const ARABIC = /[\u0600-\u06ff]/;
const agency = (country: string): Principal => ({ subject: 'a', role: 'agency', country });
const coordinator: Principal = { subject: 'c', role: 'coordinator', country: null };

/** Every refusal the policy writes, from the policy itself. */
function policyReasons(): string[] {
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
  const reasons = refusals.map(([who, action]) => {
    const decision = authorize(who, action);
    if (decision.ok) throw new Error(`${action.kind} was allowed`);
    return decision.error.reason;
  });
  for (const claims of [undefined, { sub: 'x' }, { sub: 'x', role: 'agency' }]) {
    const read = principalFromClaims(claims);
    if (read.ok) throw new Error('claims were accepted');
    reasons.push(read.error.reason);
  }
  return reasons;
}

/** Every refusal the lifecycle writes. */
function transitionReasons(): string[] {
  const tries = [
    ['open', 'open', ''],
    ['draft', 'final', ''],
    ['final', 'draft', ''],
    ['closed', 'open', ''],
  ] as const;
  return tries.map(([from, to, reason]) => {
    const checked = checkTransition(from, to, reason);
    if (checked.ok) throw new Error(`${from} → ${to} was allowed`);
    return checked.error;
  });
}

describe('API error messages in the request’s language', () => {
  it('reads every policy and lifecycle refusal back into its catalogue key, English unchanged', () => {
    for (const reason of [...policyReasons(), ...transitionReasons()]) {
      const text = knownText(reason);
      expect(text, reason).toBeDefined();
      expect(renderMessage(text!.key, text!.params, 'en')).toBe(reason);
      expect(new HttpError('forbidden', reason).message).toBe(reason);
    }
  });

  it('renders each known sentence back from its own English, with its parameters', () => {
    for (const [key, names] of KNOWN_SENTENCES) {
      const params = Object.fromEntries(names.map((n, i) => [n, `P${i}-${n}`]));
      const english = renderMessage(key, params, 'en');
      expect(knownText(english), key).toEqual({ key, params });
    }
  });

  it('leaves a sentence the catalogue does not know in English', () => {
    const error = new HttpError('bad-request', 'Something nobody translated.');
    expect(error.inLocale('fr')).toBe(error);
    expect(error.inLocale('fr').locale).toBe('en');
  });

  it('answers a refusal in French and Arabic, keeping the countries', () => {
    const decision = authorize(agency('SN'), { kind: 'upload', country: 'ML' });
    if (decision.ok) throw new Error('allowed');
    const error = HttpError.denied(decision.error);
    expect(error.message).toBe('An agency of SN may not upload for ML.');
    const fr = error.inLocale('fr');
    expect(fr.locale).toBe('fr');
    expect(fr.code).toBe('forbidden');
    expect(fr.message).toBe('Une agence de SN ne peut pas déposer pour ML.');
    const ar = error.inLocale('ar');
    expect(ar.message).toMatch(ARABIC);
    expect(ar.message).toContain('SN');
    expect(ar.message).toContain('ML');
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
    expect(fr).toBe('« reason » n’est pas valide : Too small: expected string to have >=1 characters.');
    const ar = error.inLocale('ar').message;
    expect(ar).toMatch(ARABIC);
    expect(ar).toContain('Too small: expected string to have >=1 characters');
    expect(new HttpError('bad-request', msg('error.bad-request.body-not-object')).message).toBe(
      'The body must be a JSON object, e.g. { "fileName": "return.csv" }.',
    );
  });
});
