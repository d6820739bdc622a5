import { startLocalStack } from './stack.ts';

/** `npm start`: the whole pipeline on this machine, until Ctrl-C. */
const port = Number(process.env.PORT ?? '3000');
const stack = await startLocalStack({
  port,
  dataDir: process.env.OPTALLY_DATA_DIR,
  // s3rver and dynalite in a child process of their own: they get the second core.
  storageProcess: true,
  quiet: process.env.OPTALLY_QUIET === '1',
});
const agency = await stack.tokens.agency('BR');
console.log(`
optally local stack is up.

  Dashboard   ${stack.apiUrl}/
  API         ${stack.apiUrl}  (GET /health, /operations, /operations/liberterra-iii/rollup …)
  S3 API      ${stack.s3Endpoint}  bucket ${stack.bucket}  (credentials S3RVER / S3RVER)
  DynamoDB    ${stack.dynamodbEndpoint}  table ${stack.table}
  Mail (SMTP) ${stack.mail.host}:${stack.mail.port}  every message saved under ${stack.mail.dir}
  Data        ${stack.dataDir}

Tokens (Authorization: Bearer …; more with: npx optally token <role> [country]):
  coordinator ${stack.tokens.coordinator}
  auditor     ${stack.tokens.auditor}
  admin       ${stack.tokens.admin}
  agency BR   ${agency}

Upload a return (examples/ holds two), as an agency, from another terminal:
  npx optally upload examples/br-return.csv --operation liberterra-iii --country BR
  npx optally upload examples/ke-return.json --operation liberterra-iii --country KE
Replay a synthetic operation: npm run demo      Stop: Ctrl-C
`);

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping…`);
  await stack.stop();
  console.log('stopped.');
  process.exit(0);
};
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
