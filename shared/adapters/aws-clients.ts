import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { optionalEnv } from './config.ts';

/** Where the AWS clients point: AWS itself, or the local S3-API / DynamoDB-API servers. */
export type Endpoints = {
  s3?: string | undefined;
  dynamodb?: string | undefined;
  region?: string | undefined;
};

/** The local servers accept any credentials of this shape (s3rver checks these exact ones). */
const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/**
 * An S3 client. Against a local endpoint: path-style addressing, and checksums only when an
 * operation requires them — s3rver does not decode the `aws-chunked` bodies that SDK v3 sends by
 * default for streamed uploads, and would store the chunk framing as the object's bytes.
 */
export function s3Client(endpoints: Endpoints = endpointsFromEnv()): S3Client {
  const region = endpoints.region ?? 'us-east-1';
  if (!endpoints.s3) return new S3Client({ region });
  return new S3Client({
    region,
    endpoint: endpoints.s3,
    forcePathStyle: true,
    credentials: LOCAL_CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 4,
  });
}

/** A DynamoDB document client (plain JS values in and out). */
export function documentClient(endpoints: Endpoints = endpointsFromEnv()): DynamoDBDocumentClient {
  const region = endpoints.region ?? 'us-east-1';
  const client = endpoints.dynamodb
    ? new DynamoDBClient({
        region,
        endpoint: endpoints.dynamodb,
        credentials: LOCAL_CREDENTIALS,
        maxAttempts: 4,
      })
    : new DynamoDBClient({ region });
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/** Local endpoints, when set (the local stack sets them; on AWS they are absent). */
export function endpointsFromEnv(env: NodeJS.ProcessEnv = process.env): Endpoints {
  return {
    s3: optionalEnv('OPTALLY_S3_ENDPOINT', env),
    dynamodb: optionalEnv('OPTALLY_DYNAMODB_ENDPOINT', env),
    region: optionalEnv('AWS_REGION', env),
  };
}
