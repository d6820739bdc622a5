import { buildProgram } from './program.ts';

// The CLI runs on Node 20 too; the AWS SDK's notice about its Node 22 plan is not for agencies.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// `optally …`: the installed bundle (cli/dist/optally.mjs) and, in a clone, bin/optally.js start here.
await buildProgram().parseAsync(process.argv);
