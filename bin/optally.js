#!/usr/bin/env node
// The optally command-line tool. It runs the TypeScript sources through tsx (installed by npm ci).
import { register } from 'tsx/esm/api';

register();
await import('../local/cli.ts');
