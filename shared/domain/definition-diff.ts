import { canonicalJson } from './final-export.ts';
import type { Operation, Participant } from './operation.ts';

/**
 * What changed between two definitions of one operation, said plainly (one line a change), for
 * the definition log an auditor reads. Empty when they are the same definition.
 */
export function diffDefinitions(before: Operation, after: Operation): string[] {
  const changes: string[] = [];
  const scalar = (what: string, a: unknown, b: unknown) => {
    if (canonicalJson(a) !== canonicalJson(b)) changes.push(`${what}: ${show(a)} → ${show(b)}`);
  };
  scalar('name', before.name, after.name);
  scalar('description', before.description ?? null, after.description ?? null);
  scalar('window', before.window, after.window);
  scalar('reporting deadline', before.reportingDeadline, after.reportingDeadline);
  // Every role reads the log: contact addresses are named as changed, never shown.
  byId(
    'participant',
    before.participants.map(withoutContacts),
    after.participants.map(withoutContacts),
    (p) => p.code,
    changes,
  );
  const contactsBefore = new Map(before.participants.map((p) => [p.code, canonicalJson(p.contacts ?? [])]));
  for (const p of after.participants) {
    const was = contactsBefore.get(p.code);
    if (was !== undefined && was !== canonicalJson(p.contacts ?? []))
      changes.push(`participant ${p.code}: contact addresses changed`);
  }
  byId('metric', before.metrics, after.metrics, (m) => m.id, changes);
  byId('rule', before.rules, after.rules, (r) => r.id, changes);
  scalar('limits', before.limits, after.limits);
  scalar('notification cut-off', before.notifications?.cutoff ?? null, after.notifications?.cutoff ?? null);
  if (
    canonicalJson(before.notifications?.coordinators ?? []) !==
    canonicalJson(after.notifications?.coordinators ?? [])
  )
    changes.push(
      `coordinators' addresses changed: ${before.notifications?.coordinators.length ?? 0} → ${after.notifications?.coordinators.length ?? 0}`,
    );
  if ((before.notifications?.from ?? null) !== (after.notifications?.from ?? null))
    changes.push('sender address changed');
  return changes;
}

/** A participant as the definition log may show it: without its contact addresses. */
function withoutContacts(p: Participant): Omit<Participant, 'contacts'> {
  const { contacts: _contacts, ...shown } = p;
  return shown;
}

function byId<T>(
  what: string,
  before: readonly T[],
  after: readonly T[],
  id: (t: T) => string,
  out: string[],
) {
  const was = new Map(before.map((t) => [id(t), t]));
  const now = new Map(after.map((t) => [id(t), t]));
  const added = [...now.keys()].filter((k) => !was.has(k));
  const removed = [...was.keys()].filter((k) => !now.has(k));
  const changed = [...now.keys()].filter(
    (k) => was.has(k) && canonicalJson(was.get(k)) !== canonicalJson(now.get(k)),
  );
  if (added.length > 0) out.push(`${what}s added: ${added.join(', ')}`);
  if (removed.length > 0) out.push(`${what}s removed: ${removed.join(', ')}`);
  for (const k of changed) out.push(`${what} ${k} changed: ${show(was.get(k))} → ${show(now.get(k))}`);
}

function show(v: unknown): string {
  const text = typeof v === 'string' ? v : canonicalJson(v);
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}
