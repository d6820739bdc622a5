import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { PutBucketCorsCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { type ApiDeps, makeApiHandler } from '../functions/api/routes.ts';
import { makeIngestHandler } from '../functions/ingest/ingest.ts';
import { documentClient, type Endpoints, s3Client } from '../shared/adapters/aws-clients.ts';
import { lambda, localContext } from '../shared/adapters/lambda.ts';
import { LocalSigner } from '../shared/adapters/local-signer.ts';
import { ObjectStore } from '../shared/adapters/objects.ts';
import { Repository } from '../shared/adapters/repository.ts';
import { LineLogger, type LineSink, localLogger, logTo } from '../shared/adapters/telemetry.ts';
import { defineOperation } from '../shared/app/define-operation.ts';
import { s3CorsConfiguration } from '../shared/domain/export-delivery.ts';
import { INGEST_MAX_RECEIVES } from '../shared/domain/ingest-timing.ts';
import { parseOperation } from '../shared/domain/operation-schema.ts';
import { createGateway, type GatewayOptions, type LocalStackInfo } from './gateway.ts';
import { LocalIssuer } from './local-auth.ts';
import { LocalQueue } from './local-queue.ts';
import { mailPage } from './mail-page.ts';
import {
  type LocalMailServer,
  type LocalNotifier,
  startLocalNotifier,
  startMailServer,
} from './mail-server.ts';
import { notificationFor, type S3rverEvent } from './s3-notifications.ts';
import { startStorageProcess, startStorageServers } from './storage-servers.ts';

// The local stack is development tooling on Node 20; the SDK's notice about its Node 22 plan is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export type StackOptions = {
  /** Where S3 objects, DynamoDB data, the queue journal and the token secret live. */
  dataDir?: string;
  /** The API / dashboard port (0 = any free port). */
  port?: number;
  s3Port?: number;
  dynamodbPort?: number;
  bucket?: string;
  table?: string;
  /** Operation definition files to load (default: every operations/*.json). */
  operationsDir?: string;
  quiet?: boolean;
  /**
   * Where the handlers' log lines go instead (tests capture them as the JSON Lambda would log);
   * default: one readable line per entry (`time LEVEL message key=value …`) on stdout/stderr.
   */
  logSink?: LineSink;
  /** Queue tuning (tests shorten the retry delays). */
  queue?: { retryDelayMs?: number; maxRetryDelayMs?: number; maxReceives?: number };
  /** Build the dashboard before serving it (default true when web/build.ts exists). */
  buildWeb?: boolean;
  /** Route S3 object-created events to the ingest queue (default true; tests driving the handler turn it off). */
  notifications?: boolean;
  /**
   * Run s3rver and dynalite in a child process of their own (default false): the servers then get
   * a core of their own instead of sharing one event loop with the handlers (the benchmarks).
   */
  storageProcess?: boolean;
  /**
   * The local mail server and notifier: the SMTP port (default: a free one), how often the
   * notifier runs (default every minute; `false`: only when called, as tests do), and whether
   * stored reports are mailed to their agency (default true; the benchmarks of the ingest and
   * read paths turn it off: on AWS the notifier is a function of its own).
   */
  mail?: { smtpPort?: number; intervalMs?: number | false; verdicts?: boolean };
  /** API settings tests change: the clock, the size above which answers go through S3. */
  api?: Pick<ApiDeps, 'now' | 'inlineAnswerLimit' | 'figuresAnswerLimit'>;
  /**
   * Other handlers than the sources' (a test runs the built Lambda bundles, as deployed): made
   * once the storage servers are up, given where they listen.
   */
  handlers?: (servers: {
    s3Endpoint: string;
    dynamodbEndpoint: string;
    bucket: string;
    table: string;
  }) => Promise<{
    ingest: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined>;
    api: GatewayOptions['api'];
  }>;
};

/** A running local stack. */
export type LocalStack = {
  apiUrl: string;
  s3Endpoint: string;
  dynamodbEndpoint: string;
  bucket: string;
  table: string;
  dataDir: string;
  repo: Repository;
  objects: ObjectStore;
  queue: LocalQueue;
  tokens: {
    coordinator: string;
    auditor: string;
    admin: string;
    agency: (country: string) => Promise<string>;
  };
  issuer: LocalIssuer;
  /** Puts an object into the local S3 API through the AWS SDK (as an agency's upload would land). */
  putReturn: (key: string, body: string | Uint8Array) => Promise<void>;
  /** Resolves once every queued event has been handled. */
  settled: () => Promise<void>;
  /**
   * Fault injection for the fault-tolerance tests: take the DynamoDB server down (requests fail as
   * on a lost connection) and bring it back on the same port with the same data.
   */
  faults: { stopDynamo: () => Promise<void>; startDynamo: () => Promise<void> };
  /** The SMTP server that receives every mail (saved under `{dataDir}/mail`). */
  mail: LocalMailServer;
  /** The notifier: reminders, digests and verdict mails (`run(now)` runs a cut-off at `now`). */
  notifier: LocalNotifier;
  stop: () => Promise<void>;
};

/**
 * Starts the whole pipeline on one machine: s3rver and dynalite on 127.0.0.1, the bucket, table
 * and operation definitions, an SQS-like queue from S3 object-created events into the ingest
 * handler, and the API gateway serving the API handler and the dashboard.
 */
export async function startLocalStack(options: StackOptions = {}): Promise<LocalStack> {
  const dataDir = resolve(options.dataDir ?? join(ROOT, '.data'));
  const bucket = options.bucket ?? 'optally-local';
  const table = options.table ?? 'optally';
  const logger = options.logSink
    ? new LineLogger(options.logSink, { serviceName: 'optally-local' })
    : localLogger({ quiet: options.quiet });
  const log = logTo(logger);
  const storage = await (options.storageProcess ? startStorageProcess : startStorageServers)({
    dataDir,
    bucket,
    s3Port: options.s3Port,
    dynamodbPort: options.dynamodbPort,
  });
  const { s3Endpoint, dynamodbEndpoint } = storage;

  const endpoints: Endpoints = { s3: s3Endpoint, dynamodb: dynamodbEndpoint };
  const db = documentClient(endpoints);
  const s3 = s3Client(endpoints);
  await ensureTable(db, table);
  const repo = new Repository(db, table);
  const objects = new ObjectStore(s3, bucket);
  await loadOperations(repo, objects, options.operationsDir ?? join(ROOT, 'operations'));

  const maxReceives = options.queue?.maxReceives ?? INGEST_MAX_RECEIVES;
  const deployed = await options.handlers?.({ s3Endpoint, dynamodbEndpoint, bucket, table });
  const ingest =
    deployed?.ingest ?? lambda(makeIngestHandler({ repo, objects, maxReceives, log }), { logger });
  const queue = new LocalQueue({
    dir: join(dataDir, 'queue'),
    consumer: (event) => ingest(event, localContext('optally-ingest', 120_000)),
    maxReceives,
    // 1 + 2 + 4 + 8 s between the 5 receives: a message outlives a 10 s outage of a server before
    // the DLQ (SQS itself waits a whole visibility timeout, minutes, between receives).
    retryDelayMs: options.queue?.retryDelayMs ?? 1_000,
    maxRetryDelayMs: options.queue?.maxRetryDelayMs ?? 30_000,
    log,
  });
  await queue.start();
  // S3 → SQS: what the bucket's notification configuration (prefix incoming/) does on AWS.
  const enqueuing = new Set<Promise<void>>();
  storage.onObjectEvent((event: S3rverEvent) => {
    if (options.notifications === false) return;
    const created = event.Records.filter(
      (r) => r.eventName.startsWith('ObjectCreated:') && r.s3.object.key.startsWith('incoming/'),
    );
    if (created.length === 0) return;
    const sending = queue
      .send(notificationFor({ Records: created }))
      .then(() => undefined)
      .catch((e) => log({ level: 'error', msg: 'enqueue failed', error: e }));
    enqueuing.add(sending);
    void sending.finally(() => enqueuing.delete(sending));
  });

  // SES's stand-in, and the notifier: on a timer (the Scheduler) and on report-created events.
  const mail = await startMailServer({ dir: join(dataDir, 'mail'), port: options.mail?.smtpPort });
  const notifier = await startLocalNotifier({
    server: mail,
    repo,
    objects,
    dashboardUrl: '',
    queueDir: join(dataDir, 'notify-queue'),
    log,
    logger,
    intervalMs: options.mail?.intervalMs,
    onObjectEvent: (listener) =>
      storage.onObjectEvent((event) => {
        if (options.notifications !== false && options.mail?.verdicts !== false) listener(event);
      }),
  });

  const issuer = await LocalIssuer.open(dataDir);
  const [coordinator, auditor, admin] = await Promise.all([
    issuer.token('coordinator'),
    issuer.token('auditor'),
    issuer.token('admin'),
  ]);
  const api =
    deployed?.api ??
    lambda(
      makeApiHandler(
        {
          repo,
          objects,
          // The local stand-in for the KMS key: a key pair generated in the data folder.
          signer: await LocalSigner.open(dataDir),
          // "Send the reminders now" sends as the notifier does, to the local SMTP server.
          notify: async () => notifier.deps,
          ...options.api,
        },
        log,
      ),
      { logger },
    );
  const webRoot = join(ROOT, 'web', 'dist');
  if (options.buildWeb ?? existsSync(join(ROOT, 'web', 'build.ts'))) {
    const { buildWeb } = (await import(join(ROOT, 'web', 'build.ts'))) as {
      buildWeb: (outdir?: string) => Promise<void>;
    };
    await buildWeb(webRoot);
  }
  const gateway = createGateway({
    issuer,
    api: (event, context) => api(event, context),
    webRoot,
    pages: { '/local/mail': mailPage(mail.dir) },
    extras: {
      '/local/info': async (): Promise<LocalStackInfo & { smtp: string; mailDir: string }> => ({
        service: 'optally-local',
        dataDir,
        s3Endpoint,
        bucket,
        dynamodbEndpoint,
        table,
        smtp: `${mail.host}:${mail.port}`,
        mailDir: mail.dir,
      }),
      '/local/tokens': async () => {
        const ops = await repo.listOperations();
        const countries = [
          ...new Set(ops.flatMap((o) => o.definition.participants.map((p) => p.code))),
        ].sort();
        const agencies: Record<string, string> = {};
        for (const cc of countries) agencies[cc] = await issuer.token('agency', cc);
        return { coordinator, auditor, admin, agencies };
      },
    },
  });
  await new Promise<void>((ok, fail) => {
    gateway.once('error', fail);
    gateway.listen(options.port ?? 3000, '127.0.0.1', () => ok());
  });
  const apiUrl = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
  await allowBrowserTransfers(s3, bucket, apiUrl);
  // Known once the gateway listens: the mails link to the dashboard it serves.
  notifier.deps.dashboardUrl = `${apiUrl}/`;

  return {
    apiUrl,
    s3Endpoint,
    dynamodbEndpoint,
    bucket,
    table,
    dataDir,
    repo,
    objects,
    queue,
    issuer,
    tokens: { coordinator, auditor, admin, agency: (cc) => issuer.token('agency', cc) },
    putReturn: (key, body) => objects.put(key, body),
    settled: async () => {
      await Promise.all(enqueuing);
      await queue.drained();
    },
    faults: { stopDynamo: storage.stopDynamo, startDynamo: storage.startDynamo },
    mail,
    notifier,
    stop: async () => {
      await closeServer(gateway);
      await queue.stop();
      await notifier.stop();
      await mail.stop();
      s3.destroy();
      db.destroy();
      await storage.close();
    },
  };
}

async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((ok) => server.close(() => ok()));
}

async function ensureTable(db: ReturnType<typeof documentClient>, table: string): Promise<void> {
  try {
    await db.send(new DescribeTableCommand({ TableName: table }));
  } catch (e) {
    if (!(e instanceof ResourceNotFoundException)) throw e;
    await db.send(
      new CreateTableCommand({
        TableName: table,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
      }),
    );
  }
}

/**
 * The bucket's CORS rules, as deployed: the dashboard follows large-export redirects to the S3
 * API, and posts agencies' returns to it from the gateway's origin (under both of its names).
 */
async function allowBrowserTransfers(s3: S3Client, bucket: string, dashboardUrl: string): Promise<void> {
  const url = new URL(dashboardUrl);
  const origins = [url.origin, `${url.protocol}//localhost:${url.port}`];
  await s3.send(
    new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: s3CorsConfiguration(origins) }),
  );
}

/** Loads and checks every definition file; a bad file stops the start with its problems listed. */
async function loadOperations(repo: Repository, objects: ObjectStore, dir: string): Promise<void> {
  for (const name of (await readdir(dir)).filter((n) => n.endsWith('.json')).sort()) {
    const parsed = parseOperation(JSON.parse(await readFile(join(dir, name), 'utf8')));
    if (!parsed.ok)
      throw new Error(
        `operations/${name} is not a valid operation definition:\n  ${parsed.error.join('\n  ')}`,
      );
    const defined = await defineOperation({ repo, objects }, parsed.value, {
      by: 'local-stack',
      initialStatus: 'open',
    });
    // A closed or final operation keeps the definition its figures were judged with.
    if (!defined.ok) console.warn(`operations/${name}: not applied. ${defined.error.message}`);
  }
}
