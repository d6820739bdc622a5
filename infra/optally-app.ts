import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { DEFAULT_API_THROTTLE } from './api.ts';
import { REPO_ROOT } from './bundling.ts';
import { applyAwsSolutionsChecks } from './nag.ts';
import { OptallyStack, type OptallyStackProps } from './optally-stack.ts';

/**
 * CDK feature flags, read from cdk.json — the one place they are pinned (the set aws-cdk-lib 2.276
 * recommends), so that upgrading the library never silently changes resources. The CLI passes
 * them too; reading them here makes tests and `cdk synth` build the same template.
 */
export const FEATURE_FLAGS: Readonly<Record<string, unknown>> =
  (JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> })
    .context ?? {};

/** Context keys read by `createOptallyApp` (pass them with `cdk deploy -c key=value`). */
export const CONTEXT_KEYS = {
  stackName: 'stackName',
  retentionDays: 'retentionDays',
  objectLock: 'objectLock',
  alarmEmail: 'alarmEmail',
  apiRateLimit: 'apiRateLimit',
  apiBurstLimit: 'apiBurstLimit',
  webAclArn: 'webAclArn',
  threatProtection: 'threatProtection',
  signInDomainPrefix: 'signInDomainPrefix',
  mailDomain: 'mailDomain',
  mailFrom: 'mailFrom',
} as const;

/** Options of `createOptallyApp`; mostly for tests. */
export interface CreateOptallyAppOptions {
  /** Extra context, as `-c key=value` would give it (strings are parsed). */
  readonly context?: Readonly<Record<string, unknown>>;
  /** Where to write the cloud assembly. @default the CDK default (CLI: cdk.out) */
  readonly outdir?: string;
  /**
   * Validate at synthesis: the cdk-nag AwsSolutions pack and CDK's built-in CloudFormation checks.
   * Tests that only assert template properties turn this off to save seconds; the cdk-nag test and
   * `cdk synth` keep it on. @default true
   */
  readonly validate?: boolean;
  /** Overrides on top of the settings read from context. */
  readonly stackProps?: OptallyStackProps;
}

/** The app and its one stack. */
export interface OptallyApp {
  readonly app: App;
  readonly stack: OptallyStack;
}

/**
 * Builds the optally CDK app exactly as `cdk synth` / `cdk deploy` do: pinned feature flags,
 * settings from context, and the cdk-nag AwsSolutions pack (synthesis fails on any unacknowledged
 * finding). The stack is environment-agnostic: synth needs no account, credentials or network.
 */
export function createOptallyApp(options: CreateOptallyAppOptions = {}): OptallyApp {
  const validate = options.validate ?? true;
  const app = new App({
    context: { ...FEATURE_FLAGS, ...options.context },
    builtinCloudFormationValidation: validate,
    ...(options.outdir ? { outdir: options.outdir } : {}),
  });
  const settings = readSettings(app);
  const stackName = optionalString(app, CONTEXT_KEYS.stackName) ?? 'Optally';
  const stack = new OptallyStack(app, stackName, { ...settings, ...options.stackProps });
  if (validate) applyAwsSolutionsChecks(app);
  return { app, stack };
}

function readSettings(app: App): OptallyStackProps {
  const retentionDays = optionalInteger(app, CONTEXT_KEYS.retentionDays);
  const objectLock = optionalBoolean(app, CONTEXT_KEYS.objectLock);
  const alarmEmail = optionalString(app, CONTEXT_KEYS.alarmEmail);
  const rateLimit = optionalInteger(app, CONTEXT_KEYS.apiRateLimit);
  const burstLimit = optionalInteger(app, CONTEXT_KEYS.apiBurstLimit);
  const webAclArn = optionalString(app, CONTEXT_KEYS.webAclArn);
  const threatProtection = optionalBoolean(app, CONTEXT_KEYS.threatProtection);
  const signInDomainPrefix = optionalString(app, CONTEXT_KEYS.signInDomainPrefix);
  const mailDomain = optionalString(app, CONTEXT_KEYS.mailDomain);
  const mailFrom = optionalString(app, CONTEXT_KEYS.mailFrom);
  return {
    ...(retentionDays !== undefined ? { retentionDays } : {}),
    ...(objectLock !== undefined ? { objectLock } : {}),
    ...(alarmEmail ? { alarmEmail } : {}),
    ...(rateLimit !== undefined || burstLimit !== undefined
      ? {
          apiThrottle: {
            rateLimit: rateLimit ?? DEFAULT_API_THROTTLE.rateLimit,
            burstLimit: burstLimit ?? DEFAULT_API_THROTTLE.burstLimit,
          },
        }
      : {}),
    ...(webAclArn ? { webAclArn } : {}),
    ...(threatProtection !== undefined ? { threatProtection } : {}),
    ...(signInDomainPrefix ? { signInDomainPrefix } : {}),
    ...(mailDomain ? { mailDomain } : {}),
    ...(mailFrom ? { mailFrom } : {}),
  };
}

function optionalString(app: App, key: string): string | undefined {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string')
    throw new Error(`Context ${key} must be a string; got ${JSON.stringify(value)}.`);
  return value;
}

function optionalInteger(app: App, key: string): number | undefined {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return undefined;
  const parsed = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) {
    throw new Error(
      `Context ${key} must be a positive whole number (e.g. -c ${key}=2557); got ${JSON.stringify(value)}.`,
    );
  }
  return parsed;
}

function optionalBoolean(app: App, key: string): boolean | undefined {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new Error(
    `Context ${key} must be true or false (e.g. -c ${key}=true); got ${JSON.stringify(value)}.`,
  );
}
