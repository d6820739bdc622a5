import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy, { type MiddlewareObj, type MiddyfiedHandler } from '@middy/core';
import type { Context } from 'aws-lambda';

/** What a wrapped handler logs, measures and traces with. */
export type LambdaTelemetry<E, R> = {
  logger: Logger;
  /** Published (EMF on stdout) after every invocation that recorded any; absent locally. */
  metrics?: Metrics | undefined;
  /** X-Ray: a segment per invocation (responses not captured); absent locally. */
  tracer?: Tracer | undefined;
  /** The caller's id for this invocation (the API Gateway request id): `correlation_id` on each line. */
  correlationId?: ((event: E) => string | undefined) | undefined;
  /** Middlewares of this function only (run inside the house ones). */
  use?: readonly MiddlewareObj<E, R, Error, Context>[];
};

/**
 * Wraps a handler the one way all optally Lambdas are wrapped: middy, with Powertools' Logger
 * given the Lambda context (every line names the function request id; keys added during an
 * invocation are dropped after it), the caller's correlation id, metrics published once per
 * invocation, the invocation traced when a tracer is given, and an ERROR line for any error that
 * escapes (the error is rethrown: for SQS that makes the batch retry, for the API the router has
 * already turned expected failures into responses).
 */
export function lambda<E, R>(
  fn: (event: E, context: Context) => Promise<R>,
  telemetry: LambdaTelemetry<E, R>,
): MiddyfiedHandler<E, R, Error, Context> {
  const { logger, metrics, tracer, correlationId } = telemetry;
  const handler = middy<E, R, Error, Context>(fn);
  if (tracer) handler.use(captureLambdaHandler(tracer, { captureResponse: false }));
  handler.use(injectLambdaContext(logger, { resetKeys: true }));
  if (correlationId) {
    handler.use({
      name: 'correlation-id',
      before: (request) => {
        const id = correlationId(request.event);
        if (id) logger.setCorrelationId(id);
      },
    });
  }
  if (metrics) {
    // Not Powertools' logMetrics: it warns on every invocation that recorded no metric (most API calls).
    const publish = () => {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    };
    handler.use({ name: 'publish-metrics', after: publish, onError: publish });
  }
  handler.use({
    name: 'log-errors',
    onError: (request) => {
      logger.error('unhandled error', { error: request.error });
    },
  });
  for (const middleware of telemetry.use ?? []) handler.use(middleware);
  return handler;
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
