import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, Context } from 'aws-lambda';
import type { ApiResponse } from './http.ts';
import { matchRoute } from './routes.ts';

/** The API's metrics (namespace `optally`, dimension `service` = `optally-api`). */
export const API_METRICS = {
  /**
   * 1 for a rollup answered 304 Not Modified, 0 for one answered 200, per request: its Average is
   * the share of polls the dashboards' cached copy answered, its SampleCount the rollup reads.
   */
  rollupNotModified: 'RollupNotModified',
} as const;

const ROLLUP_ROUTE = '/operations/{op}/rollup';

/** Records, after each request of the rollup route answered 200 or 304, which of the two it was. */
export function rollupAnswerMetrics(
  metrics: Metrics,
): MiddlewareObj<APIGatewayProxyEventV2WithJWTAuthorizer, ApiResponse, Error, Context> {
  return {
    name: 'rollup-answer-metrics',
    after: ({ event, response }) => {
      const status = response?.statusCode;
      if ((status === 200 || status === 304) && isRollupRoute(event)) {
        metrics.addMetric(API_METRICS.rollupNotModified, MetricUnit.Count, status === 304 ? 1 : 0);
      }
    },
  };
}

function isRollupRoute(event: APIGatewayProxyEventV2WithJWTAuthorizer): boolean {
  try {
    return (
      matchRoute(event.requestContext.http.method.toUpperCase(), event.rawPath)?.route.pattern ===
      ROLLUP_ROUTE
    );
  } catch {
    return false; // a malformed path: answered 4xx, not a rollup read
  }
}
