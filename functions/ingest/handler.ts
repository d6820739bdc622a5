// Placeholder: being written. Exports `handler` (SQS event of S3 notifications → SQSBatchResponse).
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
export const handler = async (_event: SQSEvent): Promise<SQSBatchResponse> => ({ batchItemFailures: [] });
