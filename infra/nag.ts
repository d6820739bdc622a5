/**
 * cdk-nag wiring. cdk-nag 3 is a CDK policy-validation plugin: `app.synth()` fails listing every
 * finding that is not acknowledged. Acknowledgements live next to the resource they excuse, each
 * with the reason the finding does not apply.
 */
import { type App, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/** An acknowledged cdk-nag finding: the rule (or `Rule[finding]`) id and why it is acceptable here. */
export interface NagAcknowledgement {
  readonly id: string;
  readonly reason: string;
}

/** Registers the AWS Solutions pack on the app: synthesis fails on any unacknowledged finding. */
export function applyAwsSolutionsChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
}

/**
 * Acknowledges findings on a construct and everything under it. Throws when a reason is not a real
 * sentence: a suppression without a reason is exactly what the design forbids.
 */
export function acknowledgeNag(scope: IConstruct, acknowledgements: readonly NagAcknowledgement[]): void {
  for (const ack of acknowledgements) {
    if (ack.reason.trim().length < 40) {
      throw new Error(
        `cdk-nag acknowledgement ${ack.id} on ${scope.node.path} needs a real reason; got "${ack.reason}".`,
      );
    }
  }
  Validations.of(scope).acknowledge(...acknowledgements);
}

/**
 * Acknowledges findings on a stack-level singleton that a CDK construct created for us (the
 * bucket-notification handler, the bucket-deployment function, the AwsCustomResource provider),
 * found by the start of its construct id. Throws when it is missing, so a CDK upgrade that renames
 * it fails loudly here rather than as an unexplained finding.
 */
export function acknowledgeNagOnCdkSingleton(
  scope: IConstruct,
  idPrefix: string,
  acknowledgements: readonly NagAcknowledgement[],
): void {
  const singleton = Stack.of(scope).node.children.find((child) => child.node.id.startsWith(idPrefix));
  if (!singleton) {
    throw new Error(
      `No construct whose id starts with ${idPrefix} in ${Stack.of(scope).node.path}; did CDK rename it?`,
    );
  }
  acknowledgeNag(singleton, acknowledgements);
}

/** The finding for the AWS managed basic execution policy that CDK's helper functions attach. */
export const BASIC_EXECUTION_ROLE_FINDING =
  'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]';

/**
 * The text cdk-nag uses for a resource in an IAM5 finding id (`AwsSolutions-IAM5[Resource::…]`),
 * e.g. `<UploadsBucket1234.Arn>/incoming/*`. Computing it from the same token the policy uses keeps
 * acknowledgements valid when logical ids change.
 */
export function nagResourceText(scope: IConstruct, arn: string): string {
  return flatten(Stack.of(scope).resolve(arn));
}

/** Same flattening as cdk-nag's (internal) `flattenCfnReference`. */
function flatten(node: unknown): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (typeof node === 'object' && node !== null) {
    const record = node as Record<string, unknown>;
    const join = record['Fn::Join'] as [string, unknown[]] | undefined;
    if (join) return join[1].map(flatten).join(join[0]);
    if ('Fn::Sub' in record) return flatten(record['Fn::Sub']);
    const getAtt = record['Fn::GetAtt'] as [unknown, unknown] | undefined;
    if (getAtt) return `<${flatten(getAtt[0])}.${flatten(getAtt[1])}>`;
    if ('Fn::ImportValue' in record) return flatten(record['Fn::ImportValue']);
    if ('Ref' in record) return `<${flatten(record.Ref)}>`;
  }
  return JSON.stringify(node);
}

/** One acknowledgement found in a construct tree, with the path it was recorded on. */
export interface RecordedAcknowledgement extends NagAcknowledgement {
  readonly path: string;
}

/** Lists every acknowledgement recorded under `root` (for the tests and the deploy notes). */
export function listAcknowledgements(root: IConstruct): RecordedAcknowledgement[] {
  const found: RecordedAcknowledgement[] = [];
  for (const node of root.node.findAll()) {
    for (const entry of node.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY || !entry.data) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        found.push({ path: node.node.path, id: id.replace(/^annotation::/i, ''), reason });
      }
    }
  }
  return found;
}
