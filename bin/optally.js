#!/usr/bin/env node
// The optally command-line tool. It runs the TypeScript sources through tsx (installed by npm ci).
import { register } from 'tsx/esm/api';

// The CLI runs on Node 20 too; the AWS SDK's notice about its Node 22 plan is not for agencies.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

register();
await import('../local/cli.ts');
