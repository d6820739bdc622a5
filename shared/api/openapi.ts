/**
 * The OpenAPI 3.1 description of the API, built from the contract (contract.ts): paths and methods,
 * security, path and query parameters, request bodies and answers, and each route's error codes
 * under the status the error table gives them. zod 4's own `toJSONSchema` turns the contract's
 * schemas into JSON Schema 2020-12 (the dialect of OpenAPI 3.1), so no generator is needed.
 */
import * as z from 'zod/mini';
import { type AnyRoute, API_CONTRACT, ErrorBodySchema, routeKeyOf, type Success } from './contract.ts';
import { type ApiErrorCode, ERROR_STATUS, statusOf } from './errors.ts';

/** The API's version, as the document states it. */
export const API_VERSION = '0.1.0';

type JsonSchema = Record<string, unknown>;

/** An OpenAPI 3.1 document (the parts this builder writes). */
export type OpenApiDocument = {
  openapi: '3.1.0';
  info: { title: string; version: string; summary: string; description: string };
  servers: { url: string; description: string }[];
  tags: { name: string; description: string }[];
  security: Record<string, string[]>[];
  paths: Record<string, Record<string, unknown>>;
  components: { securitySchemes: Record<string, unknown>; schemas: Record<string, JsonSchema> };
};

const TAGS: OpenApiDocument['tags'] = [
  { name: 'service', description: 'The service itself: liveness and this description.' },
  { name: 'operations', description: 'Operations, their live totals and each country’s figures.' },
  {
    name: 'returns',
    description: 'Sending national returns: upload slots, dry runs, receipts and verdicts.',
  },
  { name: 'audit', description: 'The lifecycle and the submission ledger.' },
  { name: 'final', description: 'The final figures, their signature and the proofs of inclusion.' },
];

const DESCRIPTION = `The HTTP API of optally: national returns in, exactly-once live global totals out.

Every route but the public ones needs \`Authorization: Bearer <token>\` (a Cognito ID token on AWS; on
the local stack, \`npx optally token agency BR\`). Roles (agency, coordinator, auditor, admin) are
enforced by the API: an agency acts for its own country only.

Errors answer \`{ "error": code, "message": text }\`; the code is stable, the message says what
went wrong and what to change. Codes and statuses: ${(Object.keys(ERROR_STATUS) as ApiErrorCode[])
  .map((code) => `\`${code}\` ${ERROR_STATUS[code]}`)
  .join(
    ', ',
  )} (a slot for a non-participant country is \`unknown-country\` 400; a dry run of an empty slot is \`not-uploaded\` 409).

Pushing a return automatically: \`POST /operations/{op}/uploads\` answers a slot whose \`upload\` is a
presigned S3 POST: send every field of \`upload.fields\`, then the file as the last field \`file\`, to
\`upload.url\` (multipart/form-data); then poll \`GET\` on the slot's \`receipt\` for the verdict.`;

/** A contract schema as JSON Schema, without the `$schema` marker (the document's dialect applies). */
function jsonSchemaOf(schema: z.ZodMiniType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io }) as JsonSchema;
  return rest;
}

function parameters(route: AnyRoute): unknown[] {
  const path = Object.entries(route.params as Record<string, string>).map(([name, description]) => ({
    name,
    in: 'path',
    required: true,
    description,
    schema: { type: 'string' },
  }));
  const query = route.query
    ? Object.entries((jsonSchemaOf(route.query, 'input').properties ?? {}) as Record<string, JsonSchema>).map(
        ([name, { description, ...schema }]) => ({
          name,
          in: 'query',
          required: false,
          ...(description ? { description } : {}),
          schema,
        }),
      )
    : [];
  return [...path, ...query];
}

function requestBody(route: AnyRoute): unknown {
  const body = route.body;
  if (!body) return undefined;
  if (body.kind === 'json') {
    return {
      required: false,
      content: { 'application/json': { schema: jsonSchemaOf(body.schema, 'input') } },
    };
  }
  return {
    required: true,
    description: body.description,
    content: Object.fromEntries(body.contentTypes.map((type) => [type, { schema: {} }])),
  };
}

function successSchema(success: Success, type: string): JsonSchema {
  if (type === 'application/json' && success.schema) return jsonSchemaOf(success.schema, 'output');
  if (type.endsWith('json')) return { type: 'object' };
  if (type.startsWith('text/') || type === 'application/x-pem-file') return { type: 'string' };
  return {};
}

function successResponse(success: Success): unknown {
  return {
    description: success.description,
    ...(success.status === 303
      ? { headers: { Location: { description: 'Where the file is.', schema: { type: 'string' } } } }
      : {}),
    ...(success.contentTypes.length > 0
      ? {
          content: Object.fromEntries(
            success.contentTypes.map((type) => [type, { schema: successSchema(success, type) }]),
          ),
        }
      : {}),
  };
}

/** The error answers of a route, one per status, each naming its codes. */
function errorResponses(route: AnyRoute): Record<string, unknown> {
  const key = routeKeyOf(route);
  const codes: ApiErrorCode[] = [...route.errors, 'internal'];
  // A path parameter with a malformed %-escape is refused before the route runs.
  if (route.path.includes('{')) codes.unshift('bad-path');
  const byStatus = new Map<number, ApiErrorCode[]>();
  for (const code of codes) {
    const status = statusOf(code, key);
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return Object.fromEntries(
    [...byStatus.entries()]
      .sort(([a], [b]) => a - b)
      .map(([status, list]) => [
        String(status),
        {
          description: `Error: ${list.map((c) => `\`${c}\``).join(', ')}.`,
          content: {
            'application/json': {
              schema: {
                allOf: [{ $ref: '#/components/schemas/Error' }],
                properties: { error: { enum: list } },
              },
            },
          },
        },
      ]),
  );
}

function operation(route: AnyRoute): Record<string, unknown> {
  const params = parameters(route);
  const body = requestBody(route);
  return {
    operationId: route.name,
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    tags: [route.tag],
    // Public routes override the document's default (a bearer token).
    ...(route.auth ? {} : { security: [] }),
    ...(route.auth ? { 'x-roles': [...route.roles] } : {}),
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(body ? { requestBody: body } : {}),
    responses: {
      ...Object.fromEntries(route.success.map((s) => [String(s.status), successResponse(s)])),
      ...errorResponses(route),
    },
  };
}

/**
 * The OpenAPI 3.1 document of `routes` (default: the whole contract). `serverUrl` is where the API
 * is served; the default `/` means "where this document was fetched from".
 */
export function openApiDocument(
  routes: readonly AnyRoute[] = API_CONTRACT,
  serverUrl = '/',
): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  for (const route of routes) {
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operation(route) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'optally API',
      version: API_VERSION,
      summary: 'National returns in, exactly-once live global totals out.',
      description: DESCRIPTION,
    },
    servers: [{ url: serverUrl, description: 'The API this document was served by.' }],
    tags: TAGS,
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'A Cognito ID token (on the local stack: `npx optally token <role> [country]`).',
        },
      },
      schemas: { Error: jsonSchemaOf(ErrorBodySchema, 'output') },
    },
  };
}
