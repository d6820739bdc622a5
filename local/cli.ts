import { buildProgram } from './cli/program.ts';

// `npx optally …` (bin/optally.js): the agency CLI. Commands live in local/cli/.
await buildProgram().parseAsync(process.argv);
