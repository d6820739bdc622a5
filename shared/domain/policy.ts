import { type CatalogueText, english, msg } from '../i18n/text.ts';
import { assertNever, err, ok, type Result } from './result.ts';

export const ROLES = ['agency', 'coordinator', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who is asking: read from verified token claims only. */
export type Principal = { subject: string; role: Role; country: string | null };

/** Everything a caller can ask the API to do. */
export type Action =
  | { kind: 'list-operations' }
  | { kind: 'read-operation' }
  | { kind: 'read-rollup' }
  | { kind: 'read-country'; country: string }
  | { kind: 'list-submissions'; country: string | null }
  | { kind: 'read-submission'; country: string }
  | { kind: 'upload'; country: string }
  | { kind: 'manage-operation' }
  | { kind: 'read-ledger' }
  | { kind: 'read-final'; status: 'draft' | 'open' | 'closed' | 'final' };

/**
 * Why a caller may not: `unauthorized` when it is not known who calls, `forbidden` when the caller
 * may not do this. The HTTP layer gives each code its status (shared/api/errors.ts) and renders
 * `text` in the caller's language; `reason` is that text in English.
 */
export type Denial = { code: 'unauthorized' | 'forbidden'; text: CatalogueText; reason: string };

function denial(code: Denial['code'], text: CatalogueText): Denial {
  return { code, text, reason: english(text) };
}

/**
 * Reads a principal from JWT claims: `role`/`country` as the local issuer writes them, or
 * `cognito:groups`/`custom:country` as Cognito does (API Gateway passes groups as "[a b]").
 */
export function principalFromClaims(
  claims: Readonly<Record<string, unknown>> | undefined,
): Result<Principal, Denial> {
  if (!claims) return err(denial('unauthorized', msg('error.denied.no-token')));
  const groups = claims['cognito:groups'];
  const groupList = Array.isArray(groups)
    ? groups.map(String)
    : typeof groups === 'string'
      ? groups.replace(/^\[|\]$/g, '').split(/[\s,]+/)
      : [];
  const role = (ROLES as readonly string[]).includes(String(claims.role))
    ? (claims.role as Role)
    : ROLES.filter((r) => groupList.includes(r)).at(-1);
  if (!role) return err(denial('forbidden', msg('error.denied.no-role')));
  const rawCountry = claims.country ?? claims['custom:country'];
  const country = typeof rawCountry === 'string' && /^[A-Z]{2}$/.test(rawCountry) ? rawCountry : null;
  if (role === 'agency' && !country) return err(denial('forbidden', msg('error.denied.no-country')));
  return ok({ subject: String(claims.sub ?? 'unknown'), role, country });
}

/**
 * Who may do what. Agencies act for their own country only; coordinators read all live data;
 * auditors read everything, including the ledger; admins may do anything.
 */
export function authorize(who: Principal, action: Action): Result<void, Denial> {
  const deny = (text: CatalogueText) => err(denial('forbidden', text));
  const country = who.country ?? '';
  if (who.role === 'admin') return ok(undefined);
  switch (action.kind) {
    case 'list-operations':
    case 'read-operation':
      return ok(undefined);
    case 'read-rollup':
      return who.role === 'agency' ? deny(msg('error.denied.rollup')) : ok(undefined);
    case 'read-country':
    case 'read-submission':
      return who.role !== 'agency' || who.country === action.country
        ? ok(undefined)
        : deny(msg('error.denied.read-country', { country, other: action.country }));
    case 'list-submissions':
      if (who.role !== 'agency') return ok(undefined);
      return action.country === who.country
        ? ok(undefined)
        : deny(msg('error.denied.list-submissions', { country }));
    case 'upload':
      if (who.role !== 'agency') return deny(msg('error.denied.upload-role', { role: who.role }));
      return who.country === action.country
        ? ok(undefined)
        : deny(msg('error.denied.upload-country', { country, other: action.country }));
    case 'manage-operation':
      return deny(msg('error.denied.manage-operation'));
    case 'read-ledger':
      // Coordinators chase the countries whose uploads were rejected or failed: they read it too.
      return who.role === 'auditor' || who.role === 'coordinator'
        ? ok(undefined)
        : deny(msg('error.denied.ledger'));
    case 'read-final':
      if (who.role === 'auditor') return ok(undefined);
      if (who.role === 'coordinator' && action.status === 'final') return ok(undefined);
      return deny(msg(who.role === 'coordinator' ? 'error.denied.final-coordinator' : 'error.denied.final'));
    default:
      return assertNever(action);
  }
}
