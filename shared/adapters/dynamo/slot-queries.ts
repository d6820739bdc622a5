import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { UploadSlot } from '../../domain/ledger.ts';
import { opPk } from './table.ts';

/**
 * One page of an operation's upload slots (`SLOT#{uploadId}` items), in upload id order, only
 * `country`'s when given. A filtered page may hold fewer than `limit` slots: follow `cursor` (the
 * last upload id read) until it is null.
 */
export async function listSlots(
  store: { db: DynamoDBDocumentClient; table: string },
  op: string,
  country: string | null,
  page: { limit: number; cursor?: string | undefined },
): Promise<{ slots: UploadSlot[]; cursor: string | null }> {
  const out = await store.db.send(
    new QueryCommand({
      TableName: store.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      ...(country ? { FilterExpression: '#c = :c', ExpressionAttributeNames: { '#c': 'country' } } : {}),
      ExpressionAttributeValues: { ':pk': opPk(op), ':p': 'SLOT#', ...(country ? { ':c': country } : {}) },
      Limit: page.limit,
      ExclusiveStartKey: page.cursor ? { pk: opPk(op), sk: `SLOT#${page.cursor}` } : undefined,
    }),
  );
  const last = out.LastEvaluatedKey?.sk;
  return {
    slots: (out.Items ?? []).map((item) => {
      const { pk: _pk, sk: _sk, ...slot } = item;
      return slot as UploadSlot;
    }),
    cursor: typeof last === 'string' ? last.slice('SLOT#'.length) : null,
  };
}
