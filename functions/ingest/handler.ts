import { documentClient, s3Client } from '../../shared/adapters/aws-clients.ts';
import { optionalEnv, requireEnv } from '../../shared/adapters/config.ts';
import { lambda } from '../../shared/adapters/lambda.ts';
import { ObjectStore } from '../../shared/adapters/objects.ts';
import { Repository } from '../../shared/adapters/repository.ts';
import { INGEST_MAX_RECEIVES } from '../../shared/domain/ingest-timing.ts';
import { makeIngestHandler } from './ingest.ts';

/** The ingest Lambda: SQS (S3 object-created notifications) → validated, applied returns. */
export const handler = lambda(
  makeIngestHandler({
    repo: new Repository(documentClient(), requireEnv('TABLE_NAME')),
    objects: new ObjectStore(s3Client(), requireEnv('BUCKET_NAME')),
    maxReceives: Number(optionalEnv('MAX_RECEIVES') ?? String(INGEST_MAX_RECEIVES)),
  }),
);
