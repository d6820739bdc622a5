import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { OperationRecord } from '../../domain/ledger.ts';
import type { OperationStatus } from '../../domain/operation.ts';
import type { CountryState } from '../../domain/rollup.ts';
import type { RollupHead, RollupHistoryEntry } from '../../domain/rollup-history.ts';
import { CountryItems } from './country-items.ts';
import { headChanged, sharedRead } from './head-reads.ts';
import { HEAD_SK, OPERATION_PK, opPk, STATUS_SEQ } from './table.ts';

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
   * The rest of the item (the status mirror, `mirrorStatus`) is kept. With `status` (the
   * operation's status and status-log length the refresh read), a mirror found behind it is
   * brought up to date: a status change that stopped between its two writes is repaired by the
   * next refresh.
   */
  async putRollupHead(
    op: string,
    head: RollupHead,
    status?: { status: OperationStatus; seq: number },
  ): Promise<'written' | 'stale'> {
    let mirrored: number | null;
    try {
      const out = await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: opPk(op), sk: HEAD_SK },
          UpdateExpression: 'SET #v = :v, #k = :k, #e = :e, #at = :at, #size = :size REMOVE #body',
          ConditionExpression: 'attribute_not_exists(#v) OR #v < :v OR attribute_not_exists(#k)',
          ExpressionAttributeNames: {
            '#v': 'version',
            '#k': 'key',
            '#e': 'eTag',
            '#at': 'at',
            '#size': 'size',
            '#body': 'body',
          },
          ExpressionAttributeValues: {
            ':v': head.version,
            ':k': head.key,
            ':e': head.eTag,
            ':at': head.at,
            ':size': head.size,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      mirrored = out.Attributes?.[STATUS_SEQ] === undefined ? null : Number(out.Attributes[STATUS_SEQ]);
      headChanged();
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) return 'stale';
      throw e;
    }
    if (status && (mirrored === null || mirrored < status.seq))
      await this.mirrorStatus(op, status.status, status.seq);
    return 'written';
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
    // The head alone (≈ 300 B: one read unit) when it carries the status mirror; else (an
    // operation never refreshed nor changed since the mirror exists) the head with the status
    // projected from the operation record, whose read units grow with the definition.
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.table, Key: { pk: opPk(op), sk: HEAD_SK }, ConsistentRead: true }),
    );
    if (Item && Item[STATUS_SEQ] !== undefined) return headRead(Item, Item.status as OperationStatus);
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
    return headRead(
      items.find((i) => i.sk === HEAD_SK),
      opItem.status as OperationStatus,
    );
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

/** A poll's read from the head item (absent before the first refresh) and the status. */
function headRead(headItem: Record<string, unknown> | undefined, status: OperationStatus): RollupHeadRead {
  return {
    head: headItem && headItem.key !== undefined ? toHead(headItem) : null,
    status,
    legacyBody:
      headItem && headItem.key === undefined && headItem.body !== undefined ? String(headItem.body) : null,
  };
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
