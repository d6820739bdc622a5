import middy, { type MiddyfiedHandler } from '@middy/core';
import type { Context } from 'aws-lambda';

/**
 * Wraps a handler the one way all optally Lambdas are wrapped: middy, with a structured log line
 * for any error that escapes (the error is rethrown: for SQS that makes the batch retry, for the
 * API the router has already turned expected failures into responses).
 */
export function lambda<E, R>(
  fn: (event: E, context: Context) => Promise<R>,
): MiddyfiedHandler<E, R, Error, Context> {
  return middy<E, R, Error, Context>(fn).use({
    name: 'log-errors',
    onError: (request) => {
      console.error(
        JSON.stringify({
          level: 'error',
          msg: 'unhandled error',
          requestId: request.context?.awsRequestId,
          error: String(request.error),
          stack: request.error?.stack,
        }),
      );
    },
  });
}

/** A Lambda context for invoking handlers outside Lambda (the local stack, tests). */
export function localContext(functionName: string, timeoutMs = 30_000): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: crypto.randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
