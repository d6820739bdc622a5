import { documentClient, s3Client } from '../shared/adapters/aws-clients.ts';
import { ObjectStore } from '../shared/adapters/objects.ts';
import { Repository } from '../shared/adapters/repository.ts';
import { rebuild as rebuildFromS3, reconcile as reconcileWithS3 } from '../shared/app/audit.ts';
import { msg } from '../shared/i18n/text.ts';
import { type GlobalOptions, note, type Outcome } from './context.ts';
import { CliError, EXIT } from './errors.ts';
import { say } from './lang.ts';
import { localStack } from './local-stack.ts';

export type StorageOptions = { operation: string; bucket?: string; table?: string; region?: string };

/**
 * The stores an auditor's command reads: the local stack's (named by its /local/info), or — with
 * --bucket and --table — the deployed ones, through the AWS credentials of the environment.
 */
export async function stores(
  opts: StorageOptions,
  globals: GlobalOptions,
): Promise<{ repo: Repository; objects: ObjectStore }> {
  if (opts.bucket && opts.table) {
    return {
      repo: new Repository(documentClient({ region: opts.region }), opts.table),
      objects: new ObjectStore(s3Client({ region: opts.region }), opts.bucket),
    };
  }
  const local = await localStack(globals.api);
  if (!local) {
    throw new CliError(msg('cli.audit.not-local', { api: globals.api }));
  }
  const { s3Endpoint, dynamodbEndpoint, bucket, table } = local;
  return {
    repo: new Repository(documentClient({ dynamodb: dynamodbEndpoint }), table),
    objects: new ObjectStore(s3Client({ s3: s3Endpoint }), bucket),
  };
}

/**
 * `optally reconcile`: recomputes every country's figures from its raw accepted file and compares
 * them with DynamoDB and the final manifest. Exit 0 only when identical, 1 when anything differs.
 */
export async function reconcile(opts: StorageOptions, globals: GlobalOptions): Promise<Outcome> {
  const { repo, objects } = await stores(opts, globals);
  const record = await repo.getOperation(opts.operation);
  if (!record) throw new CliError(msg('cli.audit.no-operation', { op: opts.operation }));
  const result = await reconcileWithS3(repo, objects, record, (line) =>
    note(say('cli.reconcile.reading', { what: line })),
  );
  const lines = [
    say('cli.reconcile.summary', {
      name: record.definition.name,
      status: record.status,
      files: result.filesRead,
      countries: result.countries,
    }),
    say('cli.reconcile.recomputed', { sha256: result.recomputedDigest }),
    result.finalDigest
      ? say('cli.reconcile.final', { sha256: result.finalDigest })
      : say('cli.reconcile.no-final'),
    '',
    // Each difference as the reconciliation writes it (where, and the two values), in English.
    ...(result.differences.length === 0
      ? [say('cli.reconcile.identical')]
      : [
          say('cli.reconcile.differences', { count: result.differences.length }),
          ...result.differences.map((d) => `  ${d.where}: ${d.what}`),
        ]),
  ];
  return {
    exitCode: result.differences.length === 0 ? EXIT.accepted : EXIT.rejected,
    text: lines.join('\n'),
    json: result,
  };
}

/** `optally rebuild`: restores an operation's DynamoDB state from S3 alone, with progress. */
export async function rebuild(opts: StorageOptions, globals: GlobalOptions): Promise<Outcome> {
  const { repo, objects } = await stores(opts, globals);
  const result = await rebuildFromS3(repo, objects, opts.operation, (line) => note(line));
  const lines = [
    say('cli.rebuild.summary', {
      op: opts.operation,
      submissions: result.submissions,
      applied: result.applied,
    }),
    ...(result.unprocessed.length > 0
      ? [
          say('cli.rebuild.unprocessed', { count: result.unprocessed.length }),
          ...result.unprocessed.map((k) => `  ${k}`),
        ]
      : []),
    say('cli.rebuild.check', { op: opts.operation }),
  ];
  return { exitCode: EXIT.accepted, text: lines.join('\n'), json: result };
}
