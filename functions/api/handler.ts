// Placeholder: being written. Exports `handler` (API Gateway HTTP API payload 2.0, JWT authorizer).
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyResultV2 } from 'aws-lambda';
export const handler = async (_event: APIGatewayProxyEventV2WithJWTAuthorizer): Promise<APIGatewayProxyResultV2> => ({ statusCode: 200, body: '{}' });
