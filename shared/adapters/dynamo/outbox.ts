import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  MAX_SEND_ATTEMPTS,
  type NotificationRecord,
  type NotificationStatus,
  type PlannedMessage,
} from '../../domain/notifications/messages.ts';
import { opPk, TableAccess } from './table.ts';

/** A message as the outbox holds it: the record, its sender, and when it may be tried next. */
export type OutboxMessage = NotificationRecord & { operation: string; from: string; nextAttemptAt: string };

/** The sort key prefix of outbox items. */
const PREFIX = 'MAIL#';
/** The sort key prefix of the records of handled cut-offs (`CUTOFF#{time}`). */
const CUTOFF_PREFIX = 'CUTOFF#';

/**
 * The outbox: one item per message, `pk = OP#{op}`, `sk = MAIL#{time}#{kind}#…` (the message id
 * without the operation: the time is the cut-off's, or the upload's receipt for a verdict), so
 * an operation's messages sort by time. A message is queued by a conditional put on its id (never
 * twice), claimed for a send by a conditional update holding a short lease (two runs never send it
 * at once), then marked `sent`, or `failed` with its error and the time of its next try. A
 * handled cut-off is recorded at `sk = CUTOFF#{time}`, so the runs that follow skip it.
 * Every write is a single-item conditional write (no transactions).
 */
export class Outbox extends TableAccess {
  /** Queues each message unless its id is there already; answers those it queued. */
  async queue(
    op: string,
    messages: readonly (PlannedMessage & { from: string })[],
    now: Date,
  ): Promise<PlannedMessage[]> {
    const queued: PlannedMessage[] = [];
    const at = now.toISOString();
    for (const m of messages) {
      const item: OutboxMessage = {
        ...m,
        operation: op,
        status: 'queued',
        attempts: 0,
        lastError: null,
        queuedAt: at,
        sentAt: null,
        nextAttemptAt: at,
      };
      try {
        await this.db.send(
          new PutCommand({
            TableName: this.table,
            Item: { pk: opPk(op), sk: sortKey(op, m.id), ...item },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        queued.push(m);
      } catch (e) {
        if (!(e instanceof ConditionalCheckFailedException)) throw e;
      }
    }
    return queued;
  }

  /**
   * Takes a message for one send: only if it is not sent, its next try has come, it has tries
   * left and no other run holds it (lease until `leaseUntil`). Counts the try. Null otherwise.
   */
  async claim(op: string, id: string, now: Date, leaseUntil: Date): Promise<OutboxMessage | null> {
    try {
      const out = await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: opPk(op), sk: sortKey(op, id) },
          UpdateExpression: 'SET leaseUntil = :lease, attempts = attempts + :one',
          ConditionExpression:
            'attribute_exists(pk) AND #s <> :sent AND attempts < :max AND nextAttemptAt <= :now AND (attribute_not_exists(leaseUntil) OR leaseUntil <= :now)',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: {
            ':lease': leaseUntil.toISOString(),
            ':one': 1,
            ':sent': 'sent',
            ':max': MAX_SEND_ATTEMPTS,
            ':now': now.toISOString(),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return out.Attributes ? toMessage(out.Attributes) : null;
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) return null;
      throw e;
    }
  }

  /** Records a successful send. */
  async markSent(op: string, id: string, now: Date): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: opPk(op), sk: sortKey(op, id) },
        UpdateExpression: 'SET #s = :sent, sentAt = :now, lastError = :null REMOVE leaseUntil',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':sent': 'sent', ':now': now.toISOString(), ':null': null },
      }),
    );
  }

  /** Records a failed send: its error, and when the next try may be. */
  async markFailed(op: string, id: string, error: string, nextAttemptAt: Date): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: opPk(op), sk: sortKey(op, id) },
        UpdateExpression: 'SET #s = :failed, lastError = :error, nextAttemptAt = :next REMOVE leaseUntil',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: {
          ':failed': 'failed',
          ':error': error.slice(0, 1000),
          ':next': nextAttemptAt.toISOString(),
        },
      }),
    );
  }

  async get(op: string, id: string): Promise<OutboxMessage | null> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk: opPk(op), sk: sortKey(op, id) },
        ConsistentRead: true,
      }),
    );
    return Item ? toMessage(Item) : null;
  }

  /**
   * The ids of the messages to try at `now`: not sent, tries left, next try come, among those whose
   * time (cut-off or receipt) is after `since` (older ones are no longer tried; they stay listed).
   */
  async due(op: string, now: Date, since: Date): Promise<string[]> {
    const items = await this.queryAll({
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      FilterExpression: '#s <> :sent AND attempts < :max AND nextAttemptAt <= :now',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: {
        ':pk': opPk(op),
        ':from': `${PREFIX}${since.toISOString()}`,
        ':to': `${PREFIX}\uffff`,
        ':sent': 'sent',
        ':max': MAX_SEND_ATTEMPTS,
        ':now': now.toISOString(),
      },
      ProjectionExpression: 'id, sk',
      ConsistentRead: true,
    });
    return items.map((i) => String(i.id));
  }

  /** Whether a cut-off (its ISO time) of `op` was handled: its messages all queued. */
  async cutoffHandled(op: string, cutoff: string): Promise<boolean> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.table, Key: { pk: opPk(op), sk: `${CUTOFF_PREFIX}${cutoff}` } }),
    );
    return Item !== undefined;
  }

  /** Records that a cut-off was handled (after its messages were queued): later runs skip it. */
  async markCutoffHandled(op: string, cutoff: string, now: Date, messages: number): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: { pk: opPk(op), sk: `${CUTOFF_PREFIX}${cutoff}`, handledAt: now.toISOString(), messages },
      }),
    );
  }

  /**
   * One page of an operation's messages, newest first (by cut-off or receipt time), of one status
   * or all; `cursor` is the id of the last message of the previous page.
   */
  async list(
    op: string,
    query: { status?: NotificationStatus | undefined; limit: number; cursor?: string | undefined },
  ): Promise<{ items: OutboxMessage[]; cursor: string | null }> {
    const items: OutboxMessage[] = [];
    let start: Record<string, unknown> | undefined = query.cursor
      ? { pk: opPk(op), sk: sortKey(op, query.cursor) }
      : undefined;
    while (items.length < query.limit) {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
          ExpressionAttributeValues: { ':pk': opPk(op), ':p': PREFIX },
          ScanIndexForward: false,
          Limit: Math.max(query.limit, 50),
          ExclusiveStartKey: start,
        }),
      );
      for (const item of out.Items ?? []) {
        const m = toMessage(item);
        if (query.status && m.status !== query.status) continue;
        items.push(m);
        if (items.length === query.limit) {
          return { items, cursor: m.id };
        }
      }
      start = out.LastEvaluatedKey;
      if (!start) break;
    }
    return { items, cursor: null };
  }
}

/** `MAIL#` and the id without its operation (`{time}#{kind}#…`). */
function sortKey(op: string, id: string): string {
  if (!id.startsWith(`${op}#`)) throw new Error(`Message id ${id} does not belong to operation ${op}.`);
  return `${PREFIX}${id.slice(op.length + 1)}`;
}

function toMessage(item: Record<string, unknown>): OutboxMessage {
  const { pk: _pk, sk: _sk, leaseUntil: _lease, ...rest } = item;
  return rest as OutboxMessage;
}
