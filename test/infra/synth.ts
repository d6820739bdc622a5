import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { type CreateOptallyAppOptions, createOptallyApp } from '../../infra/optally-app.ts';
import type { OptallyStack } from '../../infra/optally-stack.ts';

/** A synthesized optally app, its stack and the stack's template. */
export interface SynthesizedOptally {
  readonly app: App;
  readonly stack: OptallyStack;
  readonly template: Template;
  /** Deletes the temporary cloud assembly. */
  dispose(): void;
}

/** How to synthesize for a test file. */
export interface SynthesizeOptions extends CreateOptallyAppOptions {
  /**
   * Bundle the functions with esbuild, as `npm run synth` does. Off by default: bundling does not
   * change the properties these files assert and costs seconds per file; nag.test.ts and
   * optally-function.test.ts keep it on.
   */
  readonly bundle?: boolean;
}

/**
 * Builds and synthesizes the app as `npm run synth` does into a temporary folder. Costly (seconds):
 * call it once per test file.
 */
export function synthesizeOptally(options: SynthesizeOptions = {}): SynthesizedOptally {
  const { bundle = false, ...appOptions } = options;
  const { app, stack } = createOptallyApp({
    outdir: scratchOutdir(),
    ...appOptions,
    context: { ...(bundle ? {} : SKIP_BUNDLING), ...appOptions.context },
  });
  const template = Template.fromStack(stack);
  return { app, stack, template, dispose: removeScratchOutdirs };
}

const scratchOutdirs: string[] = [];

/**
 * A temporary cloud-assembly folder for an App (without one, CDK leaves a new folder in the system
 * temp dir on every App). Removed by `removeScratchOutdirs` / `SynthesizedOptally.dispose`.
 */
export function scratchOutdir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'optally-cdk-'));
  scratchOutdirs.push(dir);
  return dir;
}

/** Removes every folder made by `scratchOutdir` in this test file. */
export function removeScratchOutdirs(): void {
  for (const dir of scratchOutdirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Context that skips asset bundling, for tests that only construct (never synthesize) the app. */
export const SKIP_BUNDLING = { 'aws:cdk:bundling-stacks': [] } as const;

/** The logical id of the single resource of `type` whose id contains `hint`; fails otherwise. */
export function logicalIdOf(template: Template, type: string, hint: string): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.includes(hint));
  if (ids.length !== 1)
    throw new Error(`Expected one ${type} whose id contains ${hint}; found ${ids.join(', ') || 'none'}.`);
  return ids[0]!;
}

/** Properties of the resource with this logical id. */
export function propertiesOf(template: Template, logicalId: string): Record<string, unknown> {
  const resource = (
    template.toJSON() as { Resources: Record<string, { Properties?: Record<string, unknown> }> }
  ).Resources[logicalId];
  if (!resource) throw new Error(`No resource ${logicalId} in the template.`);
  return resource.Properties ?? {};
}
