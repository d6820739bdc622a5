import { gunzipSync, gzipSync } from 'node:zlib';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { ApplyOutcome } from '../../domain/ledger.ts';
import type { OperationStatus } from '../../domain/operation.ts';
import { type CountryState, type Rollup, rollup } from '../../domain/rollup.ts';
import { OperationItems } from './operation-items.ts';
import { OPERATION_PK, opPk } from './table.ts';

/** The country items (`COUNTRY#{cc}`: a country's current figures) and the rollup (`ROLLUP`). */
export class CountryItems extends OperationItems {
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
    const items = await this.queryAll({
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      ExpressionAttributeValues: { ':pk': opPk(op), ':p': 'COUNTRY#' },
      ConsistentRead: true,
    });
    return items.map(toCountry);
  }

  /**
   * Which submission counts now for each of `countries` (BatchGetItem, 100 at a time, only the
   * two attributes): what a ledger page needs to tell `superseded`, without reading any figures.
   */
  async currentSubmissions(op: string, countries: readonly string[]): Promise<Map<string, string>> {
    const current = new Map<string, string>();
    const unique = [...new Set(countries)];
    for (let i = 0; i < unique.length; i += 100) {
      let keys: Record<string, unknown>[] | undefined = unique
        .slice(i, i + 100)
        .map((cc) => ({ pk: opPk(op), sk: `COUNTRY#${cc}` }));
      while (keys && keys.length > 0) {
        const out: BatchGetCommandOutput = await this.db.send(
          new BatchGetCommand({
            RequestItems: {
              [this.table]: {
                Keys: keys,
                ConsistentRead: true,
                ProjectionExpression: '#c, #s',
                ExpressionAttributeNames: { '#c': 'country', '#s': 'submissionId' },
              },
            },
          }),
        );
        for (const item of out.Responses?.[this.table] ?? []) {
          current.set(String(item.country), String(item.submissionId));
        }
        keys = out.UnprocessedKeys?.[this.table]?.Keys;
      }
    }
    return current;
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
