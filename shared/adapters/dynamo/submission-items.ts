import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  BatchWriteCommand,
  type BatchWriteCommandInput,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { JudgedWith, Submission } from '../../domain/ledger.ts';
import { RollupItems } from './rollup-items.ts';

type WriteRequest = NonNullable<BatchWriteCommandInput['RequestItems']>[string][number];

import { opPk } from './table.ts';

/** The ledger: one item per submission (`SUB#{id}`; ids start with the country code). */
export class SubmissionItems extends RollupItems {
  /**
   * Records that a submission is being processed. Returns null when it already has a final
   * verdict (a duplicate event: its effects are in place and must not be redone); otherwise the
   * inputs it is judged with — those of its first attempt, kept by every retry (invariant 2).
   */
  async startSubmission(sub: Submission, judgedWith: JudgedWith): Promise<JudgedWith | null> {
    const { id: _id, operation: _op, judgedWith: _j, ...fields } = sub;
    const names: Record<string, string> = { '#s': 'status', '#j': 'judgedWith' };
    const values: Record<string, unknown> = { ':p': 'processing', ':f': 'failed', ':j': judgedWith };
    const sets = Object.entries(fields).map(([k, v], i) => {
      names[`#a${i}`] = k;
      values[`:a${i}`] = v;
      return `#a${i} = :a${i}`;
    });
    try {
      const out = await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: opPk(sub.operation), sk: `SUB#${sub.id}` },
          UpdateExpression: `SET ${sets.join(', ')}, #j = if_not_exists(#j, :j), #i = :id, #o = :op`,
          // Also again when its figures count but its report was never stored (a redrive finishes it).
          ConditionExpression: 'attribute_not_exists(pk) OR #s = :p OR #s = :f OR attribute_type(#rk, :null)',
          ExpressionAttributeNames: { ...names, '#i': 'id', '#o': 'operation', '#rk': 'reportKey' },
          ExpressionAttributeValues: { ...values, ':id': sub.id, ':op': sub.operation, ':null': 'NULL' },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return (out.Attributes?.judgedWith as JudgedWith | undefined) ?? judgedWith;
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) return null;
      throw e;
    }
  }

  /** Stores a submission's final state (verdict, counts, where its report is). */
  async finishSubmission(sub: Submission): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: { pk: opPk(sub.operation), sk: `SUB#${sub.id}`, ...sub },
      }),
    );
  }

  /**
   * Stores the final state of several submissions (BatchWriteItem, 25 at a time, unprocessed
   * items sent again): the same unconditional puts as `finishSubmission`, fewer requests.
   */
  async finishSubmissions(subs: readonly Submission[]): Promise<void> {
    for (let i = 0; i < subs.length; i += 25) {
      let pending: WriteRequest[] = subs.slice(i, i + 25).map((sub) => ({
        PutRequest: { Item: { pk: opPk(sub.operation), sk: `SUB#${sub.id}`, ...sub } },
      }));
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt === 8) throw new Error(`DynamoDB left ${pending.length} ledger writes unprocessed`);
        if (attempt > 0) await new Promise((ok) => setTimeout(ok, 25 * 2 ** attempt));
        const out = await this.db.send(new BatchWriteCommand({ RequestItems: { [this.table]: pending } }));
        pending = (out.UnprocessedItems?.[this.table] ?? []) as WriteRequest[];
      }
    }
  }

  /** Several submissions by id (BatchGetItem, 100 at a time); missing ids are left out. */
  async getSubmissions(op: string, ids: readonly string[]): Promise<Submission[]> {
    const found: Submission[] = [];
    for (let i = 0; i < ids.length; i += 100) {
      let keys: Record<string, unknown>[] | undefined = ids
        .slice(i, i + 100)
        .map((id) => ({ pk: opPk(op), sk: `SUB#${id}` }));
      while (keys && keys.length > 0) {
        const out: BatchGetCommandOutput = await this.db.send(
          new BatchGetCommand({ RequestItems: { [this.table]: { Keys: keys, ConsistentRead: true } } }),
        );
        found.push(...(out.Responses?.[this.table] ?? []).map(toSubmission));
        keys = out.UnprocessedKeys?.[this.table]?.Keys;
      }
    }
    return found;
  }

  async getSubmission(op: string, id: string): Promise<Submission | null> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.table, Key: { pk: opPk(op), sk: `SUB#${id}` }, ConsistentRead: true }),
    );
    return Item ? toSubmission(Item) : null;
  }

  /** Submissions of one country (or all), oldest first within a country; paginated by `cursor`. */
  async listSubmissions(
    op: string,
    country: string | null,
    page: { limit: number; cursor?: string | undefined },
  ): Promise<{ submissions: Submission[]; cursor: string | null }> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
        ExpressionAttributeValues: { ':pk': opPk(op), ':p': country ? `SUB#${country}-` : 'SUB#' },
        Limit: page.limit,
        ExclusiveStartKey: page.cursor ? { pk: opPk(op), sk: `SUB#${page.cursor}` } : undefined,
      }),
    );
    const last = out.LastEvaluatedKey?.sk;
    return {
      submissions: (out.Items ?? []).map(toSubmission),
      cursor: typeof last === 'string' ? last.slice('SUB#'.length) : null,
    };
  }

  /** Every submission of an operation (all pages): for checks over the whole ledger. */
  async allSubmissions(op: string): Promise<Submission[]> {
    const items = await this.queryAll({
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      ExpressionAttributeValues: { ':pk': opPk(op), ':p': 'SUB#' },
      ConsistentRead: true,
    });
    return items.map(toSubmission);
  }

  /** The submissions made through one slot (usually one; more if the slot was used again). */
  async submissionsOfSlot(op: string, country: string, uploadId: string): Promise<Submission[]> {
    const items = await this.queryAll({
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      ExpressionAttributeValues: { ':pk': opPk(op), ':p': `SUB#${country}-${uploadId}-` },
      ConsistentRead: true,
    });
    return items.map(toSubmission);
  }
}

function toSubmission(item: Record<string, unknown>): Submission {
  const { pk: _pk, sk: _sk, ...rest } = item;
  return rest as Submission;
}
