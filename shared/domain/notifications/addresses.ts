import type { Operation } from '../operation.ts';
import type { Principal } from '../policy.ts';

/**
 * The definition as `reader` may read it. Contact addresses are personal data of the agencies'
 * staff: coordinators and admins see every address, an agency only its own country's, anyone else
 * none (the coordinators' addresses are dropped too; the cut-off time stays).
 */
export function definitionFor(op: Operation, reader: Pick<Principal, 'role' | 'country'>): Operation {
  if (reader.role === 'coordinator' || reader.role === 'admin') return op;
  const own = reader.role === 'agency' ? reader.country : null;
  return {
    ...op,
    participants: op.participants.map((p) => {
      if (p.code === own || p.contacts === undefined) return p;
      const { contacts: _contacts, ...rest } = p;
      return rest;
    }),
    ...(op.notifications ? { notifications: { ...op.notifications, coordinators: [] } } : {}),
  };
}
