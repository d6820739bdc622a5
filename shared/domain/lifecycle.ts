import { type CatalogueText, msg, type Refusal, refusal } from '../i18n/text.ts';
import type { OperationStatus } from './operation.ts';
import { err, ok, type Result } from './result.ts';

/** The lifecycle moves an admin may make: forward one step, or back to reopen (with a reason). */
const FORWARD: Record<OperationStatus, OperationStatus | null> = {
  draft: 'open',
  open: 'closed',
  closed: 'final',
  final: null,
};

/** A lifecycle move that is allowed, and whether it reopens (which must be justified and is logged). */
export type Transition = { from: OperationStatus; to: OperationStatus; reopening: boolean };

/**
 * Checks a status change: `draft → open → closed → final`; reopening (`closed → open`,
 * `final → closed` or `final → open`) needs a reason. Anything else is refused (`bad-transition`)
 * with what to do.
 */
export function checkTransition(
  from: OperationStatus,
  to: OperationStatus,
  reason: string,
): Result<Transition, Refusal<'bad-transition'>> {
  const refuse = (text: CatalogueText) => err(refusal('bad-transition', text));
  if (from === to) return refuse(msg('error.bad-transition.same', { status: to }));
  if (FORWARD[from] === to) return ok({ from, to, reopening: false });
  const reopening =
    (from === 'closed' && to === 'open') || (from === 'final' && (to === 'closed' || to === 'open'));
  if (!reopening) {
    const next = FORWARD[from];
    return refuse(
      next
        ? msg('error.bad-transition.next', { from, to, next })
        : msg('error.bad-transition.no-next', { from, to }),
    );
  }
  if (reason.trim().length < 5) return refuse(msg('error.bad-transition.reason', { from }));
  return ok({ from, to, reopening: true });
}

/**
 * The operation's status at an instant, from its status log (kept in time order): the status the
 * last change at or before `at` moved to. A file is judged by the status when S3 received it,
 * whenever it is processed. An instant before the first entry (clocks differ by a little) gets the
 * status the operation was created with.
 */
export function statusAt(
  log: readonly { at: string; to: OperationStatus }[],
  at: string,
  created: OperationStatus,
): OperationStatus {
  const t = Date.parse(at);
  let status = log[0]?.to ?? created;
  for (const entry of log) if (Date.parse(entry.at) <= t) status = entry.to;
  return status;
}
