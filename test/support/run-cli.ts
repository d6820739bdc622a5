import { spawn } from 'node:child_process';

/** How a CLI run ended: its exit code and everything it printed. */
export type Ran = { code: number | null; stdout: string; stderr: string };

/** Variables of the test process a CLI run never inherits: each test says who it is and how it connects. */
const NOT_INHERITED = [
  'OPTALLY_TOKEN',
  'OPTALLY_API',
  'OPTALLY_DATA_DIR',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
];

/**
 * Runs the `optally` CLI as a user would, in `cwd`, with the test process's environment less the
 * CLI's own variables, plus `env`. `command` is the program and its first arguments: an installed
 * executable (`['/…/node_modules/.bin/optally']`), or this Node.js and a script.
 */
export function runCli(
  command: readonly [string, ...string[]],
  args: readonly string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<Ran> {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const name of NOT_INHERITED) delete env[name];
  Object.assign(env, options.env);
  const [program, ...first] = command;
  return new Promise((ok, fail) => {
    const child = spawn(program, [...first, ...args], { cwd: options.cwd, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => ok({ code, stdout, stderr }));
  });
}
