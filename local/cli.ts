import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { ROLES, type Role } from '../shared/domain/policy.ts';
import { LocalIssuer } from './local-auth.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = () => resolve(process.env.OPTALLY_DATA_DIR ?? join(ROOT, '.data'));

const program = new Command('optally')
  .description('optally: national returns in, live global totals out.')
  .showHelpAfterError()
  .exitOverride((e) => process.exit(e.exitCode === 0 ? 0 : 2));

program
  .command('token')
  .description('print a signed token for the local stack (it signs with the secret under .data/)')
  .argument('<role>', `one of ${ROLES.join(', ')}`, (v: string) => {
    if (!(ROLES as readonly string[]).includes(v))
      throw new InvalidArgumentError(`choose one of ${ROLES.join(', ')}`);
    return v as Role;
  })
  .argument('[country]', 'ISO 3166-1 alpha-2 code (required for agency)', (v: string) => {
    if (!/^[A-Za-z]{2}$/.test(v)) throw new InvalidArgumentError('a two-letter country code such as BR');
    return v.toUpperCase();
  })
  .option('--expires <duration>', 'lifetime, e.g. 1h, 7d', '30d')
  .action(async (role: Role, country: string | undefined, opts: { expires: string }) => {
    if (role === 'agency' && !country)
      program.error('an agency token needs a country: optally token agency BR', { exitCode: 2 });
    const issuer = await LocalIssuer.open(dataDir());
    console.log(await issuer.token(role, country, opts.expires));
  });

await program.parseAsync(process.argv);
