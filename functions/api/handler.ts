import { documentClient, s3Client } from '../../shared/adapters/aws-clients.ts';
import { optionalEnv, requireEnv } from '../../shared/adapters/config.ts';
import { lambda } from '../../shared/adapters/lambda.ts';
import { ObjectStore } from '../../shared/adapters/objects.ts';
import { Repository } from '../../shared/adapters/repository.ts';
import { makeApiHandler } from './routes.ts';

const bucket = requireEnv('BUCKET_NAME');
const table = requireEnv('TABLE_NAME');
const s3Endpoint = optionalEnv('OPTALLY_S3_ENDPOINT');
const dynamodbEndpoint = optionalEnv('OPTALLY_DYNAMODB_ENDPOINT');

/** The API Lambda: every HTTP API route (payload 2.0, JWT claims from the authorizer). */
export const handler = lambda(
  makeApiHandler({
    repo: new Repository(documentClient(), table),
    objects: new ObjectStore(s3Client(), bucket),
    local: s3Endpoint && dynamodbEndpoint ? { s3Endpoint, bucket, dynamodbEndpoint, table } : undefined,
  }),
);
