import { gunzipSync, gzipSync } from 'node:zlib';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type {
  ApplyOutcome,
  DefinitionChange,
  JudgedWith,
  OperationRecord,
  Submission,
  UploadSlot,
} from '../domain/ledger.ts';
import type { Operation, OperationStatus } from '../domain/operation.ts';
import { type CountryState, type Rollup, rollup } from '../domain/rollup.ts';

/**
 * The DynamoDB single table (partition key `pk`, sort key `sk`):
 *
 * | pk            | sk               | item                                             |
 * |---------------|------------------|--------------------------------------------------|
 * | `OPERATION`   | `{op}`           | definition (JSON) and lifecycle status            |
 * | `OP#{op}`     | `COUNTRY#{cc}`   | a country's current figures (`CountryState`)      |
 * | `OP#{op}`     | `ROLLUP`         | the rollup (JSON) under its monotonic version     |
 * | `OP#{op}`     | `SUB#{id}`       | one submission (ids start with the country code)  |
 * | `OP#{op}`     | `SEQ#{cc}`       | the country's upload sequence counter             |
 * | `OP#{op}`     | `SLOT#{uploadId}`| an upload slot handed out by the API              |
 *
 * No transactions: every write is a single-item conditional write (the local DynamoDB server has
 * no transactions, and the design does not need them).
 */

const OPERATION_PK = 'OPERATION';
const opPk = (op: string) => `OP#${op}`;

/** All DynamoDB access of optally. Every method is one request unless it says otherwise. */
export class Repository {
  constructor(
    readonly db: DynamoDBDocumentClient,
    readonly table: string,
  ) {}

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
    const items = await this.#queryAll({
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
      await this.db.send(
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
        }),
      );
      return true;
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) return false;
      throw e;
    }
  }

  async getCountry(op: string, country: string): Promise<CountryState | null> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk: opPk(op), sk: `COUNTRY#${country}` },
        ConsistentRead: true,
      }),
    );
    return Item ? toCountry(Item) : null;
  }

  /** Every country's current figures, read consistently (one Query per 1 MB page). */
  async listCountries(op: string): Promise<CountryState[]> {
    const items = await this.#queryAll({
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      ExpressionAttributeValues: { ':pk': opPk(op), ':p': 'COUNTRY#' },
      ConsistentRead: true,
    });
    return items.map(toCountry);
  }

  /**
   * Makes `state` the country's figures if its order key is greater than the current one's
   * (invariant 1: the latest accepted upload wins whatever order events arrive in). Equal keys
   * mean the same upload applied before: a duplicate, a no-op. Whatever the outcome, the country's
   * first receipt time becomes the earliest receipt of any accepted return: timeliness is judged
   * from when S3 received a file, never from when it was processed.
   */
  async applyCountry(
    op: string,
    state: Omit<CountryState, 'rev' | 'firstAcceptedAt' | 'firstReceivedAt'>,
  ): Promise<ApplyOutcome> {
    let outcome: ApplyOutcome;
    let firstReceivedAt: string | undefined;
    try {
      const out = await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: opPk(op), sk: `COUNTRY#${state.country}` },
          UpdateExpression:
            'SET #f = :f, #id = :id, #k = :k, #r = :r, #a = :a, #fa = if_not_exists(#fa, :a), #fr = if_not_exists(#fr, :r), #c = :c ADD #rev :one',
          ConditionExpression: 'attribute_not_exists(#k) OR #k < :k',
          ExpressionAttributeNames: {
            '#f': 'figures',
            '#id': 'submissionId',
            '#k': 'orderKey',
            '#r': 'receivedAt',
            '#a': 'acceptedAt',
            '#fa': 'firstAcceptedAt',
            '#fr': 'firstReceivedAt',
            '#c': 'country',
            '#rev': 'rev',
          },
          ExpressionAttributeValues: {
            // Compressed: a return broken down by many units stays far below the 400 KB item limit.
            ':f': gzipSync(JSON.stringify(state.figures)),
            ':id': state.submissionId,
            ':k': state.orderKey,
            ':r': state.receivedAt,
            ':a': state.acceptedAt,
            ':c': state.country,
            ':one': 1,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      outcome = 'applied';
      firstReceivedAt = out.Attributes?.firstReceivedAt as string | undefined;
    } catch (e) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
      // The local DynamoDB server ignores ReturnValuesOnConditionCheckFailure: read to tell why.
      const current = await this.getCountry(op, state.country);
      outcome = current?.orderKey === state.orderKey ? 'duplicate' : 'superseded';
      firstReceivedAt = current?.firstReceivedAt;
    }
    if (firstReceivedAt !== undefined && Date.parse(state.receivedAt) < Date.parse(firstReceivedAt)) {
      await this.#lowerFirstReceived(op, state.country, state.receivedAt);
    }
    return outcome;
  }

  /** Moves a country's first receipt time back to `at` (a rollup input: the revision grows). */
  async #lowerFirstReceived(op: string, country: string, at: string): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: opPk(op), sk: `COUNTRY#${country}` },
          UpdateExpression: 'SET #fr = :r ADD #rev :one',
          ConditionExpression: 'attribute_exists(#fr) AND #fr > :r',
          ExpressionAttributeNames: { '#fr': 'firstReceivedAt', '#rev': 'rev' },
          ExpressionAttributeValues: { ':r': at, ':one': 1 },
        }),
      );
    } catch (e) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
    }
  }

  /** Stores a rollup unless one computed from a newer basis is already there. */
  async putRollup(op: string, rollup: Rollup): Promise<'written' | 'stale'> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: opPk(op), sk: 'ROLLUP', version: rollup.version, body: JSON.stringify(rollup) },
          ConditionExpression: 'attribute_not_exists(#v) OR #v < :v',
          ExpressionAttributeNames: { '#v': 'version' },
          ExpressionAttributeValues: { ':v': rollup.version },
        }),
      );
      return 'written';
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) return 'stale';
      throw e;
    }
  }

  /**
   * Recomputes an operation's rollup and stores it under its version. The operation record is read
   * first, then the country items: a refresh that starts after a write (an upload applied, a
   * definition changed) sees it, and its version is at least every earlier refresh's — so the last
   * refresh always wins, and an equal version means equal inputs.
   */
  async refreshRollup(op: string): Promise<'written' | 'stale' | 'unknown-operation'> {
    const record = await this.getOperation(op);
    if (!record) return 'unknown-operation';
    const states = await this.listCountries(op);
    return this.putRollup(op, rollup(record.definition, states, record.definitionVersion));
  }

  /** The stored rollup (as its JSON text) and the operation's status, in one request. */
  async getRollup(
    op: string,
  ): Promise<{ body: string | null; version: number; status: OperationStatus } | null> {
    const out = await this.db.send(
      new BatchGetCommand({
        RequestItems: {
          [this.table]: {
            Keys: [
              { pk: OPERATION_PK, sk: op },
              { pk: opPk(op), sk: 'ROLLUP' },
            ],
            ConsistentRead: true,
          },
        },
      }),
    );
    const items = out.Responses?.[this.table] ?? [];
    const opItem = items.find((i) => i.pk === OPERATION_PK);
    if (!opItem) return null;
    const rollupItem = items.find((i) => i.sk === 'ROLLUP');
    return {
      body: rollupItem ? String(rollupItem.body) : null,
      version: rollupItem ? Number(rollupItem.version) : 0,
      status: opItem.status as OperationStatus,
    };
  }

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
    const items = await this.#queryAll({
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      ExpressionAttributeValues: { ':pk': opPk(op), ':p': 'SUB#' },
      ConsistentRead: true,
    });
    return items.map(toSubmission);
  }

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

  /** The submissions made through one slot (usually one; more if the slot was used again). */
  async submissionsOfSlot(op: string, country: string, uploadId: string): Promise<Submission[]> {
    const items = await this.#queryAll({
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      ExpressionAttributeValues: { ':pk': opPk(op), ':p': `SUB#${country}-${uploadId}-` },
      ConsistentRead: true,
    });
    return items.map(toSubmission);
  }

  async #queryAll(input: QueryCommandInput): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }
}

function toOperation(item: Record<string, unknown>): OperationRecord {
  return {
    definition: JSON.parse(String(item.definition)) as Operation,
    // Records written before definitions were versioned hold version 1 and no log.
    definitionVersion: Number(item.definitionVersion ?? 1),
    definitionLog: (item.definitionLog ?? []) as DefinitionChange[],
    status: item.status as OperationStatus,
    statusLog: (item.statusLog ?? []) as OperationRecord['statusLog'],
  };
}

function toCountry(item: Record<string, unknown>): CountryState {
  return {
    country: String(item.country),
    // Compressed JSON; plain JSON text in items written by versions before compression.
    figures: JSON.parse(
      typeof item.figures === 'string'
        ? item.figures
        : gunzipSync(item.figures as Uint8Array).toString('utf8'),
    ) as CountryState['figures'],
    submissionId: String(item.submissionId),
    orderKey: String(item.orderKey),
    receivedAt: String(item.receivedAt),
    acceptedAt: String(item.acceptedAt),
    firstAcceptedAt: String(item.firstAcceptedAt),
    // Items written before timeliness followed receipt times: their first acceptance stands in.
    firstReceivedAt: String(item.firstReceivedAt ?? item.firstAcceptedAt),
    rev: Number(item.rev),
  };
}

function toSubmission(item: Record<string, unknown>): Submission {
  const { pk: _pk, sk: _sk, ...rest } = item;
  return rest as Submission;
}
