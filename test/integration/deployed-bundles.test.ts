import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleFunction } from '../../infra/build-functions.ts';
import type { StackOptions } from '../../local/stack.ts';
import { INGEST_MAX_RECEIVES } from '../../shared/domain/ingest-timing.ts';
import type { RollupView } from '../../shared/domain/rollup.ts';
import { freshStack } from '../support/local-servers.ts';
import { anXlsxReturn } from '../support/xlsx-builders.ts';

const OP = 'liberterra-iii';
type Handlers = Awaited<ReturnType<NonNullable<StackOptions['handlers']>>>;

/**
 * What you test is what you deploy: the Lambda bundles esbuild builds for the CDK app (the same
 * settings, code splitting and lazily loaded Excel chunk included), not the TypeScript sources,
 * serve as the local stack's ingest and API handlers. They configure themselves from the
 * environment as on AWS; the SDK's endpoint variables point them at the local servers.
 */
describe('the built Lambda bundles as the local stack’s handlers', () => {
  let outDir: string;
  let stack: Awaited<ReturnType<typeof freshStack>>;
  const saved = { ...process.env };

  beforeAll(async () => {
    outDir = await mkdtemp(join(tmpdir(), 'optally-bundles-'));
    const [ingest, api] = await Promise.all([
      bundleFunction('ingest', outDir),
      bundleFunction('api', outDir),
    ]);
    stack = await freshStack({
      handlers: async ({ s3Endpoint, dynamodbEndpoint, bucket, table }) => {
        Object.assign(process.env, {
          // What the CDK app sets (infra/), for the local servers.
          TABLE_NAME: table,
          BUCKET_NAME: bucket,
          AWS_REGION: 'us-east-1',
          MAX_RECEIVES: String(INGEST_MAX_RECEIVES),
          SIGNING_KEY_ID: 'alias/optally-local-unused',
          MAIL_FROM: 'optally@liberterra-iii.example.org',
          MAIL_CONFIGURATION_SET: 'optally-local',
          POWERTOOLS_LOG_LEVEL: 'SILENT',
          POWERTOOLS_METRICS_DISABLED: 'true',
          POWERTOOLS_TRACE_ENABLED: 'false',
          // The AWS SDK's own settings: where the services are, and the local servers' keys.
          AWS_ENDPOINT_URL_S3: s3Endpoint,
          AWS_ENDPOINT_URL_DYNAMODB: dynamodbEndpoint,
          AWS_ACCESS_KEY_ID: 'S3RVER',
          AWS_SECRET_ACCESS_KEY: 'S3RVER',
          // s3rver stores an aws-chunked body with its framing: checksums only where required.
          AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
          AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
        });
        const load = async (name: string) =>
          ((await import(pathToFileURL(join(outDir, name, 'index.mjs')).href)) as { handler: unknown })
            .handler;
        return {
          ingest: (await load(ingest.name)) as Handlers['ingest'],
          api: (await load(api.name)) as Handlers['api'],
        };
      },
    });
  }, 180_000);
  afterAll(async () => {
    await stack?.dispose();
    await rm(outDir, { recursive: true, force: true });
    process.env = saved;
  });

  async function rollupWhen(ready: (r: RollupView) => boolean): Promise<RollupView> {
    for (let i = 0; i < 400; i++) {
      const res = await fetch(`${stack.apiUrl}/operations/${OP}/rollup`, {
        headers: { authorization: `Bearer ${stack.tokens.coordinator}` },
      });
      expect(res.status).toBe(200);
      const r = (await res.json()) as RollupView;
      if (ready(r)) return r;
      await new Promise((ok) => setTimeout(ok, 50));
    }
    throw new Error('the rollup never reached the expected state');
  }

  it('take a CSV, a JSON and an XLSX return through ingest and serve their totals', async () => {
    await stack.putReturn(`incoming/${OP}/BR/return.csv`, 'date,metric,value\n2025-11-12,arrests,12\n');
    await stack.putReturn(
      `incoming/${OP}/FR/return.json`,
      JSON.stringify({ rows: [{ date: '2025-11-13', metric: 'arrests', value: 30 }] }),
    );
    await stack.putReturn(
      `incoming/${OP}/ZA/return.xlsx`,
      await anXlsxReturn()
        .withRow('2025-11-14', 'arrests', 7)
        .withRow('2025-11-14', 'victims_safeguarded', 0)
        .bytes(),
    );
    const r = await rollupWhen((x) => ['BR', 'FR', 'ZA'].every((cc) => x.byCountry[cc] !== undefined));
    expect(r.totals.arrests).toBe(49);
    expect(r.byCountry.ZA).toMatchObject({ arrests: 7, victims_safeguarded: 0 });
    expect(r.byCountry.FR?.victims_safeguarded).toBeNull();
    expect(r.byDay['2025-11-13']?.arrests).toBe(30);
    expect(r.progress.reported).toBe(3);
  });

  it('answer a rejected return with its report, counting nothing from it', async () => {
    await stack.putReturn(`incoming/${OP}/ES/bad.csv`, 'date,metric,value\n2025-11-30,arests,-1\n');
    const agency = await stack.tokens.agency('ES');
    let codes: string[] = [];
    for (let i = 0; i < 400 && codes.length === 0; i++) {
      const list = (await (
        await fetch(`${stack.apiUrl}/operations/${OP}/submissions`, {
          headers: { authorization: `Bearer ${agency}` },
        })
      ).json()) as { submissions: { id: string; status: string }[] };
      const rejected = list.submissions.find((s) => s.status === 'rejected');
      if (rejected) {
        const detail = (await (
          await fetch(`${stack.apiUrl}/operations/${OP}/submissions/${rejected.id}`, {
            headers: { authorization: `Bearer ${agency}` },
          })
        ).json()) as { report: { problems: { code: string }[] } };
        codes = detail.report.problems.map((p) => p.code).sort();
      } else await new Promise((ok) => setTimeout(ok, 50));
    }
    expect(codes).toEqual(['bad-value', 'date-outside-window', 'unknown-metric']);
    expect((await rollupWhen(() => true)).byCountry.ES).toBeUndefined();
  });
});
