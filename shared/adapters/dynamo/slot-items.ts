import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { UploadSlot } from '../../domain/ledger.ts';
import { SubmissionItems } from './submission-items.ts';
import { opPk } from './table.ts';

/** Upload slots (`SLOT#{uploadId}`) and each country's upload sequence counter (`SEQ#{cc}`). */
export class SlotItems extends SubmissionItems {
  /** The next upload sequence number of a country (1, 2, …): one atomic counter per country. */
  async nextUploadSeq(op: string, country: string): Promise<number> {
    const out = await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: opPk(op), sk: `SEQ#${country}` },
        UpdateExpression: 'ADD #n :one',
        ExpressionAttributeNames: { '#n': 'seq' },
        ExpressionAttributeValues: { ':one': 1 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(out.Attributes?.seq);
  }

  async putSlot(slot: UploadSlot): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: { pk: opPk(slot.operation), sk: `SLOT#${slot.uploadId}`, ...slot },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async getSlot(op: string, uploadId: string): Promise<UploadSlot | null> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk: opPk(op), sk: `SLOT#${uploadId}` },
        ConsistentRead: true,
      }),
    );
    if (!Item) return null;
    const { pk: _pk, sk: _sk, ...slot } = Item;
    return slot as UploadSlot;
  }
}
