import { Command, InvalidArgumentError, Option } from 'commander';
import { ROLES, type Role } from '../shared/domain/policy.ts';
import { rebuild, reconcile } from './audit.ts';
import { defaultApi, run } from './context.ts';
import { define } from './define.ts';
import { LANG_CHOICES, parseLang } from './lang.ts';
import { login, logout } from './login.ts';
import cliPackage from './package.json' with { type: 'json' };
import { remind } from './remind.ts';
import { status } from './status.ts';
import { template } from './template.ts';
import { addTokenCommand } from './token.ts';
import { upload } from './upload.ts';
import { validate } from './validate.ts';
import { verify } from './verify.ts';

const COMMON = `
Who you are: your sign-in (optally login --api URL), or OPTALLY_TOKEN, which wins when set (for
automation). On a local stack (npm start on this machine), with neither, the CLI signs a token
itself: an agency's for --country CC, or --role's. HTTPS_PROXY, HTTP_PROXY and NO_PROXY are honoured.
Exit codes: 0 accepted, 1 rejected (fix the file), 2 anything else (network, token, timeout…).`;

/**
 * The `optally` command-line program: upload, validate, status, template and token, each with
 * `--api`, `--json` and `--role`. Exits 2 on a usage error, 0 after `--help`.
 */
export function buildProgram(): Command {
  const program = new Command('optally')
    .description('optally: national returns in, live global totals out.')
    .version(cliPackage.version)
    .showHelpAfterError()
    .configureHelp({ showGlobalOptions: true })
    .exitOverride((e) => process.exit(e.exitCode === 0 ? 0 : 2))
    .option('--api <url>', 'the optally API (env OPTALLY_API)', parseApi, defaultApi())
    .option('--json', 'print machine-readable JSON on stdout, and nothing else there')
    .option(
      '--lang <lang>',
      `the language of reports and templates: ${LANG_CHOICES} (env OPTALLY_LANG, else the system locale)`,
      parseLang,
    )
    .addOption(
      new Option('--role <role>', 'local stack without OPTALLY_TOKEN: act as this role').argParser(parseRole),
    )
    .addHelpText(
      'after',
      `
Examples:
  $ optally upload br-return.csv --operation liberterra-iii --country BR
  $ optally validate br-return.csv --operation liberterra-iii --country BR
  $ optally status --country BR
  $ optally template --operation liberterra-iii --format xlsx --country BR
  $ optally validate br-return.csv --operation liberterra-iii --country BR --lang fr
${COMMON}`,
    );

  program
    .command('upload')
    .description("send your country's return, wait for the verdict and print the report")
    .argument('<file>', 'the return: .csv, .json or .xlsx')
    .requiredOption('--operation <op>', 'the operation, e.g. liberterra-iii')
    .option('--country <CC>', 'your country (ISO 3166-1 alpha-2)', parseCountry)
    .option('--no-wait', 'return once the file is sent, without waiting for the verdict')
    .option('--timeout <seconds>', 'how long to wait for the verdict', parseSeconds, 120)
    .addHelpText(
      'after',
      `
Examples:
  $ optally upload br-return.csv --operation liberterra-iii --country BR
  $ OPTALLY_TOKEN=… optally upload br-return.xlsx --operation liberterra-iii --api https://api.example.org
  $ optally upload br-return.csv --operation liberterra-iii --country BR --json | jq .status

The whole file replaces your previous figures. The receipt shows the file's SHA-256, computed
here and checked against the one the server computed.
${COMMON}`,
    )
    .action((file: string, opts, cmd: Command) => run(cmd, (globals) => upload(file, opts, globals)));

  program
    .command('validate')
    .description('check a return without sending it (a dry run: nothing is stored or counted)')
    .argument('<file>', 'the return: .csv, .json or .xlsx')
    .requiredOption('--operation <op>', 'the operation, e.g. liberterra-iii')
    .option('--country <CC>', 'your country (ISO 3166-1 alpha-2)', parseCountry)
    .addHelpText(
      'after',
      `
Examples:
  $ optally validate br-return.csv --operation liberterra-iii --country BR
  $ optally validate br-return.json --operation liberterra-iii --country BR --json | jq .report.counts
${COMMON}`,
    )
    .action((file: string, opts, cmd: Command) => run(cmd, (globals) => validate(file, opts, globals)));

  program
    .command('status')
    .description('your submissions and their verdicts (every open operation unless --operation)')
    .option('--operation <op>', 'one operation, e.g. liberterra-iii')
    .option('--country <CC>', 'your country (ISO 3166-1 alpha-2)', parseCountry)
    .addHelpText(
      'after',
      `
Examples:
  $ optally status --country BR
  $ optally status --operation liberterra-iii --country BR --json
  $ optally status --operation liberterra-iii --role coordinator     every country's (local stack)
${COMMON}`,
    )
    .action((opts, cmd: Command) => run(cmd, (globals) => status(opts, globals)));

  program
    .command('remind')
    .description(
      "admins: send today's reminders (to each country that has not reported) and digests now, or preview them",
    )
    .option('--operation <op>', 'one operation, e.g. liberterra-iii (default: every open one)')
    .option('--preview', 'list the messages (recipient, language, subject) without sending or recording any')
    .addHelpText(
      'after',
      `
Examples:
  $ optally remind --preview --role admin                        what would go out (local stack)
  $ optally remind --operation liberterra-iii --role admin        send them now (local stack)
  $ optally remind --operation liberterra-iii --preview --json | jq '.operations[].runs[].messages[].text'

Each message is sent once per cut-off: running it again, or the scheduled run later that day,
sends nothing new. A message that cannot be sent stays in the outbox and is retried every 15
minutes (GET /operations/{op}/notifications?status=failed). Exit 1 when a message failed, else 0.
${COMMON}`,
    )
    .action((opts, cmd: Command) => run(cmd, (globals) => remind(opts, globals)));

  program
    .command('template')
    .description("download the operation's return template")
    .requiredOption('--operation <op>', 'the operation, e.g. liberterra-iii')
    .addOption(new Option('--format <format>', 'csv or xlsx').choices(['csv', 'xlsx']).default('csv'))
    .option('-o, --output <file>', 'where to save it (default {op}-template.{ext})')
    .option('--force', 'overwrite the file if it exists')
    .option('--country <CC>', 'your country (ISO 3166-1 alpha-2)', parseCountry)
    .addHelpText(
      'after',
      `
Examples:
  $ optally template --operation liberterra-iii --format xlsx --country BR
  $ optally template --operation liberterra-iii --format csv -o br-return.csv --country BR
  $ optally template --operation liberterra-iii --format xlsx --lang fr     the guide in French
${COMMON}`,
    )
    .action((opts, cmd: Command) => run(cmd, (globals) => template(opts, globals)));

  for (const [name, description, work, help] of [
    [
      'reconcile',
      'recompute every figure from the raw accepted files and compare with the stored and final figures',
      reconcile,
      'Exit codes: 0 identical, 1 differences (each is listed), 2 anything else.',
    ],
    [
      'rebuild',
      "restore an operation's DynamoDB state from S3 alone (disaster recovery)",
      rebuild,
      'Run reconcile afterwards to check the result.',
    ],
  ] as const) {
    withStorageOptions(program.command(name))
      .description(description)
      .requiredOption('--operation <op>', 'the operation, e.g. liberterra-iii')
      .addHelpText(
        'after',
        `
Examples:
  $ optally ${name} --operation liberterra-iii
  $ optally ${name} --operation liberterra-iii --bucket optally-uploads-123 --table optally --region eu-west-1

Reads S3 and DynamoDB directly: the local stack's (from its /local/info), or with --bucket and --table
the deployed ones through your AWS credentials. ${help}`,
      )
      .action((opts, cmd: Command) => run(cmd, (globals) => work(opts, globals)));
  }

  withStorageOptions(program.command('define'))
    .description('check an operation definition file and store it (admins; a new operation starts as draft)')
    .argument('<file>', 'the definition, e.g. operations/liberterra-iii.json')
    .option('--status <status>', 'the status of a NEW operation: draft or open', 'draft')
    .addHelpText(
      'after',
      `
Examples:
  $ optally define operations/liberterra-iii.json
  $ optally define operations/next-op.json --bucket optally-uploads-123 --table optally --region eu-west-1

Every problem of a bad file is listed with its path (exit 1). An existing operation keeps its
status; open, close and finalise it with POST /operations/{op}/status.`,
    )
    .action((file: string, opts, cmd: Command) => run(cmd, (globals) => define(file, opts, globals)));

  program
    .command('verify')
    .description('check signed final figures offline: signature, digest, proofs and the raw files (auditors)')
    .argument('<export>', 'the JSON final export (GET /operations/{op}/final?format=json)')
    .requiredOption(
      '--public-key <file>',
      'the public key, PEM (GET /operations/{op}/final/public-key?format=pem)',
    )
    .option('--proof <file...>', 'inclusion proofs (GET /operations/{op}/uploads/{uploadId}/proof)')
    .option(
      '--export <file...>',
      'CSV and SDMX-CSV exports (.csv, .sdmx.csv) to check against the signed manifest',
    )
    .option('--raw <folder>', 'a download of the uploads bucket: recompute the figures, totals and ledger')
    .addHelpText(
      'after',
      `
Examples:
  $ optally verify final.json --public-key key.pem
  $ optally verify final.json --public-key key.pem --proof proof.json --raw ./bucket
  $ optally verify final.json --public-key key.pem --export final.csv final.sdmx.csv --raw ./bucket

Needs no account and no network. Exit 0 when everything holds, 1 naming each failure, 2 when a
file cannot be read.`,
    )
    .action((file: string, opts, cmd: Command) => run(cmd, (globals) => verify(file, opts, globals)));

  program
    .command('login')
    .description("sign in with your browser on the API's sign-in page; later commands use that sign-in")
    .option(
      '--no-browser',
      'do not open a browser: open the printed address yourself (e.g. on another machine)',
    )
    .option('--timeout <seconds>', 'how long to wait for the sign-in', parseSeconds, 300)
    .addHelpText(
      'after',
      `
Examples:
  $ optally login --api https://d111111abcdef8.cloudfront.net
  $ optally login --api https://d111111abcdef8.cloudfront.net --no-browser

Signs in with the authorization code flow and PKCE: the browser comes back to
http://localhost:8976/callback, where optally listens meanwhile. The refresh token is kept in
$XDG_CONFIG_HOME/optally/credentials.json (~/.config/optally/…; %APPDATA%optally… on Windows),
readable by you only; each command then gets a fresh token with it. OPTALLY_TOKEN, when set, wins.
On a headless machine: open the printed address in a browser on the same machine (the answer goes
to localhost), or use OPTALLY_TOKEN.`,
    )
    .action((opts, cmd: Command) => run(cmd, (globals) => login(opts, globals)));

  program
    .command('logout')
    .description('revoke the sign-in saved for --api and delete it from this machine')
    .addHelpText(
      'after',
      `
Examples:
  $ optally logout --api https://d111111abcdef8.cloudfront.net`,
    )
    .action((_opts, cmd: Command) => run(cmd, (globals) => logout(globals)));

  addTokenCommand(program);
  return program;
}

/** The options of the commands that read S3 and DynamoDB directly (local stack by default). */
function withStorageOptions(cmd: Command): Command {
  return cmd
    .option('--bucket <name>', 'deployed: the uploads bucket (default: the local stack named by --api)')
    .option('--table <name>', 'deployed: the DynamoDB table')
    .option('--region <region>', 'deployed: the AWS region (default: AWS_REGION)');
}

function parseApi(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError('a URL such as http://127.0.0.1:3000');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new InvalidArgumentError('an http:// or https:// URL');
  return value.replace(/\/+$/, '');
}

function parseRole(value: string): Role {
  if (!(ROLES as readonly string[]).includes(value))
    throw new InvalidArgumentError(`choose one of ${ROLES.join(', ')}`);
  return value as Role;
}

function parseCountry(value: string): string {
  if (!/^[A-Za-z]{2}$/.test(value)) throw new InvalidArgumentError('a two-letter country code such as BR');
  return value.toUpperCase();
}

function parseSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('a number of seconds above 0, e.g. 120');
  return n;
}
