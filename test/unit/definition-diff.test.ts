import { describe, expect, it } from 'vitest';
import { diffDefinitions } from '../../shared/domain/definition-diff.ts';
import type { Operation } from '../../shared/domain/operation.ts';
import { anOperation } from '../support/builders.ts';

const withContacts = (op: Operation, address: string): Operation => ({
  ...op,
  participants: op.participants.map((p) => (p.code === 'BR' ? { ...p, contacts: [{ address }] } : p)),
});

// Every role reads the definition log (GET /operations/{op}): it says what changed, but never
// shows an agency's or a coordinator's address.
describe('the definition log', () => {
  it('names a participant whose contact addresses changed, without the addresses', () => {
    const before = withContacts(anOperation(), 'ncb-br@old.example.org');
    const after = withContacts(anOperation(), 'ncb-br@new.example.org');

    const changes = diffDefinitions(before, after);

    expect(changes).toEqual(['participant BR: contact addresses changed']);
    expect(changes.join('\n')).not.toContain('example.org');
  });

  it('shows a participant’s other changes without its addresses', () => {
    const before = withContacts(anOperation(), 'ncb-br@liberterra.example.org');
    const after: Operation = {
      ...before,
      participants: before.participants.map((p) => (p.code === 'BR' ? { ...p, name: 'Brasil' } : p)),
    };

    const [change] = diffDefinitions(before, after);

    expect(change).toContain('participant BR changed');
    expect(change).toContain('Brasil');
    expect(change).not.toContain('example.org');
  });

  it('names changes of the notifications: the cut-off in full, addresses only as changed', () => {
    const before: Operation = {
      ...anOperation(),
      notifications: { cutoff: '18:00', coordinators: [{ address: 'a@example.org' }] },
    };
    const after: Operation = {
      ...anOperation(),
      notifications: {
        cutoff: '19:00',
        coordinators: [{ address: 'a@example.org' }, { address: 'b@example.org' }],
        from: 'optally@example.org',
      },
    };

    const changes = diffDefinitions(before, after);

    expect(changes).toEqual([
      'notification cut-off: 18:00 → 19:00',
      "coordinators' addresses changed: 1 → 2",
      'sender address changed',
    ]);
  });

  it('is empty for the same definition', () => {
    expect(diffDefinitions(anOperation(), anOperation())).toEqual([]);
  });
});
