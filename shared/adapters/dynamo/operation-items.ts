import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DefinitionChange, OperationRecord } from '../../domain/ledger.ts';
import type { Operation, OperationStatus } from '../../domain/operation.ts';
import { headChanged } from './head-reads.ts';
import { HEAD_SK, OPERATION_PK, opPk, STATUS_SEQ, TableAccess } from './table.ts';

/** The operation records (`OPERATION` / `{op}`): definition, its versions and log, lifecycle status. */
export class OperationItems extends TableAccess {
  /**
   * Stores a definition version (see `defineOperation`): version 1 creates the operation with
   * `status`; a later version replaces version `version - 1` only while the operation is draft or
   * open. Returns false when the condition fails (another change came first, or it is closed).
   */
  async putDefinition(
    definition: Operation,
    change: DefinitionChange,
    status: OperationStatus,
  ): Promise<boolean> {
    try {
      if (change.version === 1) {
        await this.db.send(
          new PutCommand({
            TableName: this.table,
            Item: {
              pk: OPERATION_PK,
              sk: definition.id,
              definition: JSON.stringify(definition),
              definitionVersion: 1,
              definitionLog: [change],
              status,
              statusLog: [{ at: change.at, from: null, to: status, by: change.by, reason: 'created' }],
              updatedAt: change.at,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        await this.mirrorStatus(definition.id, status, 1);
        return true;
      }
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: OPERATION_PK, sk: definition.id },
          UpdateExpression:
            'SET #d = :d, #v = :v, #l = list_append(if_not_exists(#l, :none), :entry), #u = :now',
          // Records written before definitions were versioned are version 1.
          ConditionExpression: `(#v = :prev${change.version === 2 ? ' OR attribute_not_exists(#v)' : ''}) AND #s IN (:draft, :open)`,
          ExpressionAttributeNames: {
            '#d': 'definition',
            '#v': 'definitionVersion',
            '#l': 'definitionLog',
            '#u': 'updatedAt',
            '#s': 'status',
          },
          ExpressionAttributeValues: {
            ':d': JSON.stringify(definition),
            ':v': change.version,
            ':prev': change.version - 1,
            ':none': [],
            ':entry': [change],
            ':now': change.at,
            ':draft': 'draft',
            ':open': 'open',
          },
        }),
      );
      headChanged();
      return true;
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) return false;
      throw e;
    }
  }

  async getOperation(op: string): Promise<OperationRecord | null> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.table, Key: { pk: OPERATION_PK, sk: op }, ConsistentRead: true }),
    );
    return Item ? toOperation(Item) : null;
  }

  async listOperations(): Promise<OperationRecord[]> {
    const items = await this.queryAll({
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': OPERATION_PK },
    });
    return items.map(toOperation);
  }

  /** Changes the lifecycle status, only from `from` (a conditional write), and logs the change. */
  async setOperationStatus(
    op: string,
    from: OperationStatus,
    to: OperationStatus,
    by: string,
    reason: string,
  ): Promise<boolean> {
    try {
      const out = await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: OPERATION_PK, sk: op },
          UpdateExpression: 'SET #s = :to, #l = list_append(#l, :entry), #u = :now',
          ConditionExpression: '#s = :from',
          ExpressionAttributeNames: { '#s': 'status', '#l': 'statusLog', '#u': 'updatedAt' },
          ExpressionAttributeValues: {
            ':to': to,
            ':from': from,
            ':now': new Date().toISOString(),
            ':entry': [{ at: new Date().toISOString(), from, to, by, reason }],
          },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      await this.mirrorStatus(op, to, ((out.Attributes?.statusLog as unknown[] | undefined) ?? []).length);
      return true;
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) return false;
      throw e;
    }
  }

  /**
   * Copies the operation's status into the head item (with the length of its status log, so an
   * older copy never replaces a newer one), after the operation record changed: a poll then reads
   * the head alone — one read unit, whatever the size of the definition.
   */
  async mirrorStatus(op: string, status: OperationStatus, seq: number): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: opPk(op), sk: HEAD_SK },
          UpdateExpression: 'SET #s = :s, #sq = :sq',
          ConditionExpression: 'attribute_not_exists(#sq) OR #sq < :sq',
          ExpressionAttributeNames: { '#s': 'status', '#sq': STATUS_SEQ },
          ExpressionAttributeValues: { ':s': status, ':sq': seq },
        }),
      );
    } catch (e) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
    } finally {
      // The operation record changed before this call, whatever became of the copy.
      headChanged();
    }
  }

  /** Puts back an operation record as it was (disaster recovery from the S3 archive). */
  async restoreOperation(record: OperationRecord): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          pk: OPERATION_PK,
          sk: record.definition.id,
          definition: JSON.stringify(record.definition),
          definitionVersion: record.definitionVersion,
          definitionLog: record.definitionLog,
          status: record.status,
          statusLog: record.statusLog,
          updatedAt: record.statusLog.at(-1)?.at ?? new Date().toISOString(),
        },
      }),
    );
    await this.mirrorStatus(record.definition.id, record.status, record.statusLog.length);
  }
}

/** An operation record from its item. */
export function toOperation(item: Record<string, unknown>): OperationRecord {
  return {
    definition: JSON.parse(String(item.definition)) as Operation,
    // Records written before definitions were versioned hold version 1 and no log.
    definitionVersion: Number(item.definitionVersion ?? 1),
    definitionLog: (item.definitionLog ?? []) as DefinitionChange[],
    status: item.status as OperationStatus,
    statusLog: (item.statusLog ?? []) as OperationRecord['statusLog'],
  };
}
