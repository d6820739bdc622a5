import { gunzipSync, gzipSync } from 'node:zlib';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  GetCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { ApplyOutcome, OperationRecord } from '../../domain/ledger.ts';
import type { CountryState } from '../../domain/rollup.ts';
import { OperationItems, toOperation } from './operation-items.ts';
import { OPERATION_PK, opPk } from './table.ts';

/**
 * The country items of `countries` (each once), read consistently by BatchGetItem — 100 keys a
 * request, unprocessed keys asked again — with an optional projection. Countries without an item
 * are absent.
 */
async function batchGetCountryItems(
  db: CountryItems['db'],
  table: string,
  op: string,
  countries: readonly string[],
  projection?: { ProjectionExpression: string; ExpressionAttributeNames: Record<string, string> },
  withOperation = false,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  const keysOf: Record<string, unknown>[] = [
    ...(withOperation ? [{ pk: OPERATION_PK, sk: op }] : []),
    ...[...new Set(countries)].map((cc) => ({ pk: opPk(op), sk: `COUNTRY#${cc}` })),
  ];
  for (let i = 0; i < keysOf.length; i += 100) {
    let keys: Record<string, unknown>[] | undefined = keysOf.slice(i, i + 100);
    while (keys && keys.length > 0) {
      const out: BatchGetCommandOutput = await db.send(
        new BatchGetCommand({
          RequestItems: { [table]: { Keys: keys, ConsistentRead: true, ...projection } },
        }),
      );
      items.push(...(out.Responses?.[table] ?? []));
      keys = out.UnprocessedKeys?.[table]?.Keys;
    }
  }
  return items;
}

/** The country items (`COUNTRY#{cc}`: a country's current figures). */
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

  /**
   * The current figures of several countries in one request (BatchGetItem, 100 at a time, read
   * consistently): what a batch of uploads needs before judging them. Countries without an item
   * are absent from the map.
   */
  async getCountries(op: string, countries: readonly string[]): Promise<Map<string, CountryState>> {
    const found = new Map<string, CountryState>();
    for (const item of await batchGetCountryItems(this.db, this.table, op, countries)) {
      const state = toCountry(item);
      found.set(state.country, state);
    }
    return found;
  }

  /**
   * The operation record (null for an unknown operation) and the country items of `countries`, in
   * one BatchGetItem (for up to 99 countries): what the ingest reads once per batch.
   */
  async getOperationAndCountries(
    op: string,
    countries: readonly string[],
  ): Promise<{ record: OperationRecord | null; countries: Map<string, CountryState> }> {
    let record: OperationRecord | null = null;
    const found = new Map<string, CountryState>();
    for (const item of await batchGetCountryItems(this.db, this.table, op, countries, undefined, true)) {
      if (item.pk === OPERATION_PK) record = toOperation(item);
      else {
        const state = toCountry(item);
        found.set(state.country, state);
      }
    }
    return { record, countries: found };
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
    const items = await batchGetCountryItems(this.db, this.table, op, countries, {
      ProjectionExpression: '#c, #s',
      ExpressionAttributeNames: { '#c': 'country', '#s': 'submissionId' },
    });
    for (const item of items) current.set(String(item.country), String(item.submissionId));
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
