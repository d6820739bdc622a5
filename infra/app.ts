/**
 * CDK entry point (`cdk.json` → `npx tsx infra/app.ts`). Synthesis runs the cdk-nag AwsSolutions
 * checks and fails on any unacknowledged finding.
 */
import { createOptallyApp } from './optally-app.ts';

createOptallyApp().app.synth();
