import { SlotItems } from './dynamo/slot-items.ts';

/**
 * The DynamoDB single table (partition key `pk`, sort key `sk`):
 *
 * | pk            | sk               | item                                             |
 * |---------------|------------------|--------------------------------------------------|
 * | `OPERATION`   | `{op}`           | definition (JSON) and lifecycle status            |
 * | `OP#{op}`     | `COUNTRY#{cc}`   | a country's current figures (`CountryState`)      |
 * | `OP#{op}`     | `ROLLUP`         | the rollup's head: version, body key (S3), ETag   |
 * | `OP#{op}`     | `ROLLUP#AT#{t}#{v}` | a version that became current at t, its totals |
 * | `OP#{op}`     | `SUB#{id}`       | one submission (ids start with the country code)  |
 * | `OP#{op}`     | `SEQ#{cc}`       | the country's upload sequence counter             |
 * | `OP#{op}`     | `SLOT#{uploadId}`| an upload slot handed out by the API              |
 * | `OP#{op}`     | `MAIL#{t}#{kind}#…` | a mail of the outbox (`dynamo/outbox.ts`)      |
 * | `OP#{op}`     | `CUTOFF#{t}`     | a daily cut-off already handled by the notifier   |
 *
 * Each item type has its store in `dynamo/`, one class a type over a shared table helper
 * (`TableAccess`); each class adds its items' methods to the one before, so this class has all of
 * them: operation → country → rollup → submission → slot. The notifier's outbox is a store of its
 * own on the same table (`Outbox`), used through shared/app/notify.ts only. No transactions: every
 * write is a single-item conditional write (the local DynamoDB server has no transactions, and the
 * design does not need them).
 */
export class Repository extends SlotItems {}
