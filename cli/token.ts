import { type Command, InvalidArgumentError } from 'commander';
import { ROLES, type Role } from '../shared/domain/policy.ts';
import { run } from './context.ts';
import { EXIT } from './errors.ts';
import { localToken } from './local-stack.ts';

/** `optally token <role> [country]`: a token for the local stack at --api, signed with its secret. */
export function addTokenCommand(program: Command): void {
  program
    .command('token')
    .description("print a token for the local stack at --api, signed with that stack's secret")
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
    .addHelpText(
      'after',
      `
Examples:
  $ optally token agency BR                  a token for Brazil's agency (30 days)
  $ optally token coordinator --expires 1h
  $ export OPTALLY_TOKEN=$(optally token agency BR)

Local stack only: the stack must be running on this machine; the token is signed with the
secret in its data folder (GET /local/info names it).`,
    )
    .action(async (role: Role, country: string | undefined, opts: { expires: string }, cmd: Command) => {
      if (role === 'agency' && !country)
        cmd.error('an agency token needs a country: optally token agency BR', { exitCode: 2 });
      await run(cmd, async (globals) => {
        const token = await localToken(globals.api, role, country, opts.expires);
        return {
          exitCode: EXIT.accepted,
          text: `${token}\n`,
          json: { role, country: country ?? null, token },
        };
      });
    });
}
