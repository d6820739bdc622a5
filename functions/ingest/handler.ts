import { documentClient, s3Client } from '../../shared/adapters/aws-clients.ts';
import { positiveIntegerEnv, requireEnv } from '../../shared/adapters/config.ts';
import { lambda } from '../../shared/adapters/lambda.ts';
import { ObjectStore } from '../../shared/adapters/objects.ts';
import { Repository } from '../../shared/adapters/repository.ts';
import { makeIngestHandler } from './ingest.ts';

// Read once at cold start; a missing or malformed setting stops the function before any message.
const config = {
  table: requireEnv('TABLE_NAME'),
  bucket: requireEnv('BUCKET_NAME'),
  region: requireEnv('AWS_REGION'),
  /** Must equal the queue's maxReceiveCount, which only the deployment knows: no default here. */
  maxReceives: positiveIntegerEnv('MAX_RECEIVES'),
};

/** The ingest Lambda: SQS (S3 object-created notifications) → validated, applied returns. */
export const handler = lambda(
  makeIngestHandler({
    repo: new Repository(documentClient({ region: config.region }), config.table),
    objects: new ObjectStore(s3Client({ region: config.region }), config.bucket),
    maxReceives: config.maxReceives,
  }),
);
