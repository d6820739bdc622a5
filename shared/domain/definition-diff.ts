import { canonicalJson } from './final-export.ts';
import type { Operation } from './operation.ts';

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
  byId('participant', before.participants, after.participants, (p) => p.code, changes);
  byId('metric', before.metrics, after.metrics, (m) => m.id, changes);
  byId('rule', before.rules, after.rules, (r) => r.id, changes);
  scalar('limits', before.limits, after.limits);
  return changes;
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
