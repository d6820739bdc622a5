import { documentClient, s3Client } from '../../shared/adapters/aws-clients.ts';
import { requireEnv } from '../../shared/adapters/config.ts';
import { lambda } from '../../shared/adapters/lambda.ts';
import { ObjectStore } from '../../shared/adapters/objects.ts';
import { Repository } from '../../shared/adapters/repository.ts';
import { makeApiHandler } from './routes.ts';

// Read once at cold start; a missing or malformed setting stops the function before any request.
const config = {
  table: requireEnv('TABLE_NAME'),
  bucket: requireEnv('BUCKET_NAME'),
  region: requireEnv('AWS_REGION'),
};

/** The API Lambda: every HTTP API route (payload 2.0, JWT claims from the authorizer). */
export const handler = lambda(
  makeApiHandler({
    repo: new Repository(documentClient({ region: config.region }), config.table),
    objects: new ObjectStore(s3Client({ region: config.region }), config.bucket),
  }),
);
