import { DeleteCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rebuild } from '../../shared/app/audit.ts';
import { readRollupAsOf, readRollupHistory } from '../../shared/app/read-rollup.ts';
import { aReturn } from '../support/builders.ts';
import { freshStack } from '../support/local-servers.ts';

const OP = 'liberterra-iii';

describe('rebuild restores the rollup timeline from the bodies kept in S3', () => {
  let stack: Awaited<ReturnType<typeof freshStack>>;

  const timeline = async () => (await readRollupHistory(stack, OP, { limit: 1000 }))?.entries ?? [];
  const versionAt = async (iso: string) => {
    const answer = await readRollupAsOf(stack, OP, new Date(iso));
    return typeof answer === 'object' && answer.kind === 'rollup' ? answer.version : answer;
  };

  beforeAll(async () => {
    stack = await freshStack();
    for (const [country, arrests] of [
      ['BR', 12],
      ['KE', 5],
      ['FR', 0],
      ['BR', 20],
    ] as const) {
      await stack.putReturn(
        `incoming/${OP}/${country}/r-${arrests}.csv`,
        aReturn().withRow('2025-11-12', 'arrests', arrests).csv(),
      );
      await stack.settled();
    }
  });
  afterAll(async () => {
    await stack.dispose();
  });

  it('lists the same versions and totals after the table is wiped and rebuilt, each moment answering the same version', async () => {
    const before = await timeline();
    expect(before.filter((e) => e.reported > 0).length).toBeGreaterThanOrEqual(4);
    const scan = await stack.repo.db.send(new ScanCommand({ TableName: stack.table }));
    for (const item of scan.Items ?? []) {
      await stack.repo.db.send(
        new DeleteCommand({ TableName: stack.table, Key: { pk: item.pk, sk: item.sk } }),
      );
    }
    expect(await readRollupHistory(stack, OP, { limit: 1000 })).toBeNull();

    await rebuild(stack.repo, stack.objects, OP);

    const after = await timeline();
    const figures = (entries: typeof before) =>
      entries.map(({ version, totals, reported, expected }) => ({ version, totals, reported, expected }));
    expect(figures(after)).toEqual(figures(before));
    for (const [i, entry] of before.entries()) {
      // The body keeps the time its head named, to the millisecond.
      expect(after[i]!.at).toBe(entry.at);
      expect(await versionAt(entry.at)).toBe(entry.version);
    }
    expect(await versionAt(new Date().toISOString())).toBe(before.at(-1)!.version);
  });
});
