import type { Tracer } from '@aws-lambda-powertools/tracer';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * Where the AWS clients point: AWS itself (no endpoint), or the local S3-API / DynamoDB-API
 * servers, whose endpoints only the local stack (and tools talking to it) pass in.
 */
export type Endpoints = {
  s3?: string | undefined;
  dynamodb?: string | undefined;
  region?: string | undefined;
};

/**
 * What traces a client's requests (X-Ray subsegments per AWS call): Powertools' Tracer on Lambda.
 * Only the Lambda entry points create one — importing the X-Ray SDK switches on async hooks for the
 * whole process — so a client made without it (local stack, CLI, tests) is not traced.
 */
export type ClientTracer = Pick<Tracer, 'captureAWSv3Client'>;

/** The local servers accept any credentials of this shape (s3rver checks these exact ones). */
const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/**
 * An S3 client, traced when a tracer is given. Against a local endpoint: path-style addressing, and checksums only when an
 * operation requires them — s3rver does not decode the `aws-chunked` bodies that SDK v3 sends by
 * default for streamed uploads, and would store the chunk framing as the object's bytes.
 */
export function s3Client(endpoints: Endpoints = {}, tracer?: ClientTracer): S3Client {
  const region = endpoints.region ?? 'us-east-1';
  const client = endpoints.s3
    ? new S3Client({
        region,
        endpoint: endpoints.s3,
        forcePathStyle: true,
        credentials: LOCAL_CREDENTIALS,
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
        maxAttempts: 4,
      })
    : new S3Client({ region });
  return tracer ? tracer.captureAWSv3Client(client) : client;
}

/** A DynamoDB document client (plain JS values in and out); traced when a tracer is given. */
export function documentClient(endpoints: Endpoints = {}, tracer?: ClientTracer): DynamoDBDocumentClient {
  const region = endpoints.region ?? 'us-east-1';
  const made = endpoints.dynamodb
    ? new DynamoDBClient({
        region,
        endpoint: endpoints.dynamodb,
        credentials: LOCAL_CREDENTIALS,
        maxAttempts: 4,
      })
    : new DynamoDBClient({ region });
  // Traced below the document client: it sends through the wrapped client's middleware stack.
  const client = tracer ? tracer.captureAWSv3Client(made) : made;
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}
