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
 * may not do this. The HTTP layer gives each code its status (shared/api/errors.ts).
 */
export type Denial = { code: 'unauthorized' | 'forbidden'; reason: string };

/**
 * Reads a principal from JWT claims: `role`/`country` as the local issuer writes them, or
 * `cognito:groups`/`custom:country` as Cognito does (API Gateway passes groups as "[a b]").
 */
export function principalFromClaims(
  claims: Readonly<Record<string, unknown>> | undefined,
): Result<Principal, Denial> {
  if (!claims)
    return err({ code: 'unauthorized', reason: 'No bearer token: send Authorization: Bearer <token>.' });
  const groups = claims['cognito:groups'];
  const groupList = Array.isArray(groups)
    ? groups.map(String)
    : typeof groups === 'string'
      ? groups.replace(/^\[|\]$/g, '').split(/[\s,]+/)
      : [];
  const role = (ROLES as readonly string[]).includes(String(claims.role))
    ? (claims.role as Role)
    : ROLES.filter((r) => groupList.includes(r)).at(-1);
  if (!role)
    return err({
      code: 'forbidden',
      reason: 'The token carries no role (agency, coordinator, auditor or admin).',
    });
  const rawCountry = claims.country ?? claims['custom:country'];
  const country = typeof rawCountry === 'string' && /^[A-Z]{2}$/.test(rawCountry) ? rawCountry : null;
  if (role === 'agency' && !country) {
    return err({
      code: 'forbidden',
      reason: 'An agency token must name its country (claim "country" or "custom:country").',
    });
  }
  return ok({ subject: String(claims.sub ?? 'unknown'), role, country });
}

/**
 * Who may do what. Agencies act for their own country only; coordinators read all live data;
 * auditors read everything, including the ledger; admins may do anything.
 */
export function authorize(who: Principal, action: Action): Result<void, Denial> {
  const deny = (reason: string) => err<Denial>({ code: 'forbidden', reason });
  if (who.role === 'admin') return ok(undefined);
  switch (action.kind) {
    case 'list-operations':
    case 'read-operation':
      return ok(undefined);
    case 'read-rollup':
      return who.role === 'agency'
        ? deny(
            'Agencies see their own country’s figures and submissions; the global rollup is for coordinators and auditors.',
          )
        : ok(undefined);
    case 'read-country':
    case 'read-submission':
      return who.role !== 'agency' || who.country === action.country
        ? ok(undefined)
        : deny(`An agency of ${who.country} may not read ${action.country}'s data.`);
    case 'list-submissions':
      if (who.role !== 'agency') return ok(undefined);
      return action.country === who.country
        ? ok(undefined)
        : deny(`An agency of ${who.country} may list only its own submissions: add ?country=${who.country}.`);
    case 'upload':
      if (who.role !== 'agency')
        return deny(`A ${who.role} may not upload returns; agencies upload their own.`);
      return who.country === action.country
        ? ok(undefined)
        : deny(`An agency of ${who.country} may not upload for ${action.country}.`);
    case 'manage-operation':
      return deny('Only admins manage operations.');
    case 'read-ledger':
      // Coordinators chase the countries whose uploads were rejected or failed: they read it too.
      return who.role === 'auditor' || who.role === 'coordinator'
        ? ok(undefined)
        : deny('The submission ledger is for coordinators, auditors and admins.');
    case 'read-final':
      if (who.role === 'auditor') return ok(undefined);
      if (who.role === 'coordinator' && action.status === 'final') return ok(undefined);
      return deny(
        who.role === 'coordinator'
          ? 'Coordinators read the final figures once the operation is final; until then, use the live rollup.'
          : 'The final figures are for auditors, admins and (once final) coordinators.',
      );
    default:
      return assertNever(action);
  }
}
