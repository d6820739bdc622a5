import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, Billing, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';

/**
 * The single DynamoDB table (`pk`/`sk`, both strings) holding submissions, country aggregates,
 * rollups and the ledger.
 *
 * Guarantees: on-demand billing (no capacity to tune, no cost when idle beyond storage),
 * point-in-time recovery, deletion protection, retained if the stack is deleted, encrypted with the
 * AWS managed key — its use shows in CloudTrail, unlike the default AWS owned key, without the
 * monthly charge and key policy of a customer managed key.
 */
export class DataStore extends Construct {
  /** The table. No streams and no secondary indexes (yet). */
  readonly table: TableV2;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new TableV2(this, 'Table', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      encryption: TableEncryptionV2.awsManagedKey(),
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
