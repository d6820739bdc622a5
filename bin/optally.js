#!/usr/bin/env node
// `npx optally` in a clone: the CLI's TypeScript sources through tsx (installed by npm ci), so what
// runs is always the code in the working tree. Installed users get the bundle (cli/dist/optally.mjs).
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
