import { Aws, CfnOutput, Fn, Lazy, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Api, type ApiThrottle } from './api.ts';
import { DashboardHosting } from './dashboard-hosting.ts';
import { DataStore } from './data-store.ts';
import { IngestPipeline } from './ingest-pipeline.ts';
import { Monitoring } from './monitoring.ts';
import { Notifications } from './notifications.ts';
import { Storage } from './storage.ts';

/** Deployment settings (all optional; `optally-app.ts` fills them from CDK context). */
export interface OptallyStackProps extends StackProps {
  /** Days raw returns and every object version are kept. @default 7 years */
  readonly retentionDays?: number;
  /** S3 Object Lock, governance mode, for `retentionDays`. @default false */
  readonly objectLock?: boolean;
  /** Receives alarm notifications. @default none */
  readonly alarmEmail?: string;
  /** @default DEFAULT_API_THROTTLE */
  readonly apiThrottle?: ApiThrottle;
  /** WAF web ACL (CloudFront scope) for the distribution. @default none */
  readonly webAclArn?: string;
  /** Cognito threat protection (Plus plan). @default true */
  readonly threatProtection?: boolean;
  /** Folder of the built dashboard. @default web/dist */
  readonly webDistPath?: string;
  /**
   * Prefix of the sign-in domain `https://{prefix}.auth.{region}.amazoncognito.com`, unique in the
   * region across all AWS accounts. @default `{stack name in lower case}-{account id}`
   */
  readonly signInDomainPrefix?: string;
  /** The domain reminders and verdict mails are sent from (an SES identity). @default DEFAULT_MAIL_DOMAIN */
  readonly mailDomain?: string;
  /** The sender address, in `mailDomain`. @default `optally@{mailDomain}` */
  readonly mailFrom?: string;
}

/** Words Cognito refuses in a domain prefix. */
const RESERVED_IN_DOMAIN_PREFIX = ['aws', 'amazon', 'cognito'];

/**
 * The default sign-in domain prefix: the stack name and the account id, so two stacks of one
 * account, or one stack in two accounts, never claim the same domain.
 */
export function defaultSignInDomainPrefix(stackName: string): string {
  const name = stackName.toLowerCase().replace(/[^a-z0-9-]/g, '-');
  const reserved = RESERVED_IN_DOMAIN_PREFIX.find((word) => name.includes(word));
  if (reserved) {
    throw new Error(
      `The stack name ${stackName} contains "${reserved}", which Cognito refuses in a sign-in domain prefix: pass another one with -c signInDomainPrefix=optally-example.`,
    );
  }
  return `${name}-${Aws.ACCOUNT_ID}`;
}

/**
 * The whole optally deployment, one construct per runtime component: storage → ingest pipeline →
 * data store ← API ← dashboard hosting, plus monitoring.
 */
export class OptallyStack extends Stack {
  readonly storage: Storage;
  readonly data: DataStore;
  readonly ingest: IngestPipeline;
  readonly api: Api;
  readonly dashboard: DashboardHosting;
  readonly monitoring: Monitoring;
  readonly notifications: Notifications;

  constructor(scope: Construct, id: string, props: OptallyStackProps = {}) {
    super(scope, id, {
      description: 'optally: national returns in, exactly-once live global totals out',
      ...props,
    });
    Tags.of(this).add('project', 'optally');

    this.storage = new Storage(this, 'Storage', {
      ...(props.retentionDays !== undefined ? { retentionDays: props.retentionDays } : {}),
      objectLock: props.objectLock ?? false,
    });
    this.data = new DataStore(this, 'Data');
    this.ingest = new IngestPipeline(this, 'Ingest', {
      uploadsBucket: this.storage.uploadsBucket,
      table: this.data.table,
    });
    this.api = new Api(this, 'Api', {
      table: this.data.table,
      uploadsBucket: this.storage.uploadsBucket,
      ...(props.apiThrottle ? { throttle: props.apiThrottle } : {}),
      threatProtection: props.threatProtection ?? true,
    });
    // The dashboard's origin exists only once the distribution does, which needs the API: lazily.
    const signIn = this.api.users.enableSignIn({
      domainPrefix: props.signInDomainPrefix ?? defaultSignInDomainPrefix(this.stackName),
      dashboardOrigin: Lazy.string({ produce: () => this.dashboard.origin }),
    });
    this.dashboard = new DashboardHosting(this, 'Dashboard', {
      httpApi: this.api.httpApi,
      logBucket: this.storage.logBucket,
      uploadsBucket: this.storage.uploadsBucket,
      publicConfig: {
        region: this.region,
        userPoolId: this.api.users.userPool.userPoolId,
        // The client id, the sign-in domain and the issuer: the dashboard and `optally login`.
        ...signIn.publicConfig,
        // The API shares the dashboard's origin: relative URLs.
        apiBaseUrl: '',
        uploadsBucket: this.storage.uploadsBucket.bucketName,
      },
      ...(props.webDistPath ? { webDistPath: props.webDistPath } : {}),
      ...(props.webAclArn ? { webAclArn: props.webAclArn } : {}),
    });
    this.api.allowBrowserOrigins([this.dashboard.origin]);
    this.monitoring = new Monitoring(this, 'Monitoring', {
      ingest: this.ingest,
      api: this.api,
      ...(props.alarmEmail ? { alarmEmail: props.alarmEmail } : {}),
    });
    this.notifications = new Notifications(this, 'Notifications', {
      table: this.data.table,
      uploadsBucket: this.storage.uploadsBucket,
      dashboardUrl: this.dashboard.origin,
      alarmTopic: this.monitoring.alarmTopic,
      ...(props.mailDomain ? { mailDomain: props.mailDomain } : {}),
      ...(props.mailFrom ? { mailFrom: props.mailFrom } : {}),
    });
    // "Send the reminders now" (POST /operations/{op}/reminders) sends from the api function.
    this.notifications.grantSendMail(this.api.function);
    this.api.function.setEnvironment('DASHBOARD_URL', this.dashboard.origin);

    const outputs: Record<string, [string, string]> = {
      DashboardUrl: [this.dashboard.origin, 'The dashboard; the API is served under the same origin.'],
      ApiUrl: [`${this.dashboard.origin}`, 'Base URL for the CLI (--api): the API through CloudFront.'],
      ApiGatewayUrl: [this.api.httpApi.apiEndpoint, 'The API Gateway endpoint itself (bypasses CloudFront).'],
      UserPoolId: [this.api.users.userPool.userPoolId, 'Cognito user pool (users, groups, custom:country).'],
      UserPoolClientId: [this.api.users.appClient.userPoolClientId, 'App client for the CLI and dashboard.'],
      SignInDomainUrl: [signIn.domainUrl, 'Cognito managed login (authorization code with PKCE).'],
      UploadsBucketName: [
        this.storage.uploadsBucket.bucketName,
        'Raw returns, reports, definitions and final manifests.',
      ],
      TableName: [this.data.table.tableName, 'The DynamoDB table.'],
      DeadLetterQueueUrl: [
        this.ingest.deadLetterQueue.queueUrl,
        'Failed ingest notifications (redrive from here).',
      ],
      AlarmTopicArn: [this.monitoring.alarmTopic.topicArn, 'Subscribe here for alarm notifications.'],
      MailIdentity: [
        this.notifications.identity.emailIdentityName,
        'The SES domain identity mail is sent from: publish its DKIM records (MailDkimRecords).',
      ],
      MailDkimRecords: [
        Fn.join(
          ' ',
          this.notifications.identity.dkimRecords.map((r) => Fn.join(' CNAME ', [r.name, r.value])),
        ),
        'The three DNS CNAME records (name CNAME value) that verify the mail domain.',
      ],
      MailBounceTopicArn: [
        this.notifications.bounceTopic.topicArn,
        'Subscribe here for SES bounces, complaints and rejections.',
      ],
    };
    for (const [name, [value, description]] of Object.entries(outputs)) {
      new CfnOutput(this, name, { value, description });
    }
  }
}
