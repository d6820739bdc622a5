import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { OperationRecord } from '../../domain/ledger.ts';
import type { OperationStatus } from '../../domain/operation.ts';
import type { CountryState } from '../../domain/rollup.ts';
import type { RollupHead, RollupHistoryEntry } from '../../domain/rollup-history.ts';
import { CountryItems } from './country-items.ts';
import { headChanged, sharedRead } from './head-reads.ts';
import { OPERATION_PK, opPk } from './table.ts';

/** The head item's sort key: where the current rollup is. */
const HEAD_SK = 'ROLLUP';
/** History entries sort by the time their version became current, then by version. */
const HISTORY_PREFIX = 'ROLLUP#AT#';
const historySk = (at: string, version: number): string =>
  `${HISTORY_PREFIX}${at}#${String(version).padStart(16, '0')}`;

/** What a poll reads: the head (null before the first refresh) and the operation's status. */
export type RollupHeadRead = {
  head: RollupHead | null;
  status: OperationStatus;
  /** A rollup stored inline by versions before the bodies moved to S3 (until the next refresh). */
  legacyBody: string | null;
};

/**
 * The rollup's items: the head (`ROLLUP`: version, body key, ETag, time, size — a few hundred
 * bytes whatever the operation's size) and one history entry per version that became current
 * (`ROLLUP#AT#{time}#{version}`: its time and totals), the index of "as of" reads.
 */
export class RollupItems extends CountryItems {
  /**
   * What a rollup is computed from: the operation record, read first, then every country item.
   * A refresh that starts after a write (an upload applied, a definition changed) sees it, and its
   * version is at least every earlier refresh's — so the last refresh always wins.
   */
  async rollupBasis(op: string): Promise<{ record: OperationRecord; states: CountryState[] } | null> {
    const record = await this.getOperation(op);
    if (!record) return null;
    return { record, states: await this.listCountries(op) };
  }

  /**
   * Points the head at a newer version (its body already stored): only over a smaller version, or
   * over a head of the earlier inline layout. Returns 'stale' when an equal or newer one is there.
   */
  async putRollupHead(op: string, head: RollupHead): Promise<'written' | 'stale'> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: opPk(op), sk: HEAD_SK, ...head },
          ConditionExpression: 'attribute_not_exists(#v) OR #v < :v OR attribute_not_exists(#k)',
          ExpressionAttributeNames: { '#v': 'version', '#k': 'key' },
          ExpressionAttributeValues: { ':v': head.version },
        }),
      );
      headChanged();
      return 'written';
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) return 'stale';
      throw e;
    }
  }

  /** The head alone (null before the first refresh, or while it still has the inline layout). */
  async getRollupHead(op: string): Promise<RollupHead | null> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.table, Key: { pk: opPk(op), sk: HEAD_SK }, ConsistentRead: true }),
    );
    return Item && Item.key !== undefined ? toHead(Item) : null;
  }

  /**
   * The head and the operation's status in one request (null for an unknown operation): all a
   * poll needs to answer 304. Only the status is projected from the operation record. With
   * `reuseMs`, a read this process began at most that long ago is answered again (concurrent
   * polls share one request) — unless this process wrote a head, a status or a definition since.
   */
  readRollupHead(op: string, reuseMs = 0): Promise<RollupHeadRead | null> {
    return sharedRead(this.db, `${this.table}\u0000${op}`, reuseMs, () => this.#readRollupHead(op));
  }

  async #readRollupHead(op: string): Promise<RollupHeadRead | null> {
    const out = await this.db.send(
      new BatchGetCommand({
        RequestItems: {
          [this.table]: {
            Keys: [
              { pk: OPERATION_PK, sk: op },
              { pk: opPk(op), sk: HEAD_SK },
            ],
            ConsistentRead: true,
            ProjectionExpression: 'pk, sk, #s, version, #k, eTag, #at, #size, body',
            ExpressionAttributeNames: { '#s': 'status', '#k': 'key', '#at': 'at', '#size': 'size' },
          },
        },
      }),
    );
    const items = out.Responses?.[this.table] ?? [];
    const opItem = items.find((i) => i.pk === OPERATION_PK);
    if (!opItem) return null;
    const headItem = items.find((i) => i.sk === HEAD_SK);
    return {
      head: headItem && headItem.key !== undefined ? toHead(headItem) : null,
      status: opItem.status as OperationStatus,
      legacyBody: headItem && headItem.key === undefined ? String(headItem.body) : null,
    };
  }

  /** Records that a version became current (idempotent: the same entry for the same head). */
  async putRollupHistory(op: string, entry: RollupHistoryEntry): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          pk: opPk(op),
          sk: historySk(entry.at, entry.version),
          version: entry.version,
          at: entry.at,
          key: entry.key,
          totals: JSON.stringify(entry.totals),
          reported: entry.reported,
          expected: entry.expected,
        },
      }),
    );
  }

  /** The version that was current at `at` (an ISO time in UTC), or null before the first. */
  async rollupAt(op: string, at: string): Promise<RollupHistoryEntry | null> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': opPk(op),
          ':from': HISTORY_PREFIX,
          // '~' sorts after the version digits: an entry made at exactly `at` is included.
          ':to': `${HISTORY_PREFIX}${at}#~`,
        },
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
    );
    const item = out.Items?.[0];
    return item ? toHistoryEntry(item) : null;
  }

  /** The timeline, oldest first, a page at a time; `cursor` continues after the previous page. */
  async rollupHistory(
    op: string,
    page: { limit: number; cursor?: string | undefined },
  ): Promise<{ entries: RollupHistoryEntry[]; cursor: string | null }> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
        ExpressionAttributeValues: { ':pk': opPk(op), ':p': HISTORY_PREFIX },
        ExclusiveStartKey: page.cursor?.startsWith(HISTORY_PREFIX)
          ? { pk: opPk(op), sk: page.cursor }
          : undefined,
        Limit: page.limit,
        ConsistentRead: true,
      }),
    );
    const items = out.Items ?? [];
    return {
      entries: items.map(toHistoryEntry),
      cursor: out.LastEvaluatedKey ? String(out.LastEvaluatedKey.sk) : null,
    };
  }
}

function toHead(item: Record<string, unknown>): RollupHead {
  return {
    version: Number(item.version),
    key: String(item.key),
    eTag: item.eTag === undefined || item.eTag === null ? null : String(item.eTag),
    at: String(item.at),
    size: Number(item.size),
  };
}

function toHistoryEntry(item: Record<string, unknown>): RollupHistoryEntry {
  return {
    version: Number(item.version),
    at: String(item.at),
    key: String(item.key),
    totals: JSON.parse(String(item.totals)) as RollupHistoryEntry['totals'],
    reported: Number(item.reported),
    expected: Number(item.expected),
  };
}
