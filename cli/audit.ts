import { documentClient, s3Client } from '../shared/adapters/aws-clients.ts';
import { ObjectStore } from '../shared/adapters/objects.ts';
import { Repository } from '../shared/adapters/repository.ts';
import { rebuild as rebuildFromS3, reconcile as reconcileWithS3 } from '../shared/app/audit.ts';
import { msg } from '../shared/i18n/text.ts';
import { type GlobalOptions, note, type Outcome } from './context.ts';
import { CliError, EXIT } from './errors.ts';
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
  const result = await reconcileWithS3(repo, objects, record, (line) => note(`reading ${line}`));
  const lines = [
    `${record.definition.name} (${record.status}): ${result.filesRead} raw file(s) of ${result.countries} countries recomputed.`,
    `recomputed manifest sha256 ${result.recomputedDigest}`,
    result.finalDigest ? `final manifest sha256      ${result.finalDigest}` : 'no final manifest yet',
    '',
    ...(result.differences.length === 0
      ? ['IDENTICAL: the stored figures follow from the raw files.']
      : [
          `${result.differences.length} DIFFERENCE(S):`,
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
    `Rebuilt ${opts.operation}: ${result.submissions} submission(s) restored, ${result.applied} accepted return(s) applied.`,
    ...(result.unprocessed.length > 0
      ? [
          `${result.unprocessed.length} raw file(s) never got a report (upload them again if they should count):`,
          ...result.unprocessed.map((k) => `  ${k}`),
        ]
      : []),
    `Check it with: optally reconcile --operation ${opts.operation}`,
  ];
  return { exitCode: EXIT.accepted, text: lines.join('\n'), json: result };
}
