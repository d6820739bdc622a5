/**
 * `npm run lint:openapi` (and anyone who wants the file): writes the OpenAPI document of the API
 * contract to the path given (default: a file in the system's temporary folder) and prints the
 * path. A build-time script, like infra/build-functions.ts: nothing imports it.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openApiDocument } from './openapi.ts';

const target = resolve(process.argv[2] ?? join(tmpdir(), 'optally-openapi.json'));
writeFileSync(target, `${JSON.stringify(openApiDocument(), null, 2)}\n`);
process.stdout.write(`${target}\n`);
