import type { DynamoDBDocumentClient, QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';

/** The partition of the operation records. */
export const OPERATION_PK = 'OPERATION';
/** The rollup head's sort key (under `opPk(op)`): where the current rollup is. */
export const HEAD_SK = 'ROLLUP';
/** The head's copy of the operation's status is as of this many status-log entries. */
export const STATUS_SEQ = 'statusSeq';
/** The partition of one operation's items. */
export const opPk = (op: string): string => `OP#${op}`;

/** The single table and its client: what every item store of the repository is built on. */
export abstract class TableAccess {
  constructor(
    readonly db: DynamoDBDocumentClient,
    readonly table: string,
  ) {}

  /** Every item of a Query, all pages. */
  protected async queryAll(input: QueryCommandInput): Promise<Record<string, unknown>[]> {
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
