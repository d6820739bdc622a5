import { Annotations, Aws, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, type IAlarm, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { EventType, type IBucket } from 'aws-cdk-lib/aws-s3';
import { SqsDestination } from 'aws-cdk-lib/aws-s3-notifications';
import {
  type ISchedule,
  type IScheduleTarget,
  Schedule,
  ScheduleExpression,
  type ScheduleTargetConfig,
  ScheduleTargetInput,
  TimeWindow,
} from 'aws-cdk-lib/aws-scheduler';
import {
  ConfigurationSet,
  EmailIdentity,
  EmailSendingEvent,
  EventDestination,
  Identity,
  SuppressionReasons,
} from 'aws-cdk-lib/aws-ses';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { SchedulerEvent } from '../functions/notify/notify.ts';
import { ROLLUPS_PREFIX } from '../shared/domain/object-keys.ts';
import { bindBucket, bindTable, OptallyFunction } from './optally-function.ts';
import { BUCKET_PREFIXES } from './storage.ts';

/**
 * How often the notifier runs. Operations are data, not code: no cut-off time appears in the
 * stack; every run works out which cut-offs are due and handles each once.
 */
export const NOTIFY_RATE = Duration.minutes(15);

/** What the schedule sends the notifier (the notifier's own type: a rename fails to compile here). */
export const SCHEDULER_EVENT = { source: 'optally.scheduler' } as const satisfies SchedulerEvent;

/**
 * The sending domain when `-c mailDomain=…` names none: a reserved domain (RFC 2606) SES never
 * verifies, so a fresh deployment runs end to end and every message waits, visible, in the outbox
 * as failed until a real domain is set.
 */
export const DEFAULT_MAIL_DOMAIN = 'example.org';

/** The notifier's timeout: one run sends a cut-off's reminders and digests (≈ 200 messages). */
export const NOTIFY_TIMEOUT_SECONDS = 120;

/** Receives of one report-created notification before it is parked in its dead-letter queue. */
export const VERDICT_MAIL_MAX_RECEIVES = 5;

/** Settings of the notifications construct. */
export interface NotificationsProps {
  readonly table: ITableV2;
  /** Stored reports (`reports/`) trigger verdict mails; digests read rollup bodies (`rollups/`). */
  readonly uploadsBucket: IBucket;
  /** The domain mail is sent from (an SES domain identity). @default DEFAULT_MAIL_DOMAIN */
  readonly mailDomain?: string;
  /** The sender address, in `mailDomain`. @default `optally@{mailDomain}` */
  readonly mailFrom?: string;
  /** The dashboard's address, for the links in the mails. @default none (the API path is given) */
  readonly dashboardUrl?: string;
  /** Where the notifier's alarms publish. @default no alarm actions */
  readonly alarmTopic?: ITopic;
}

/**
 * Reminders, digests and verdict mails on AWS: the notifier Lambda, run every 15 minutes by an
 * EventBridge Scheduler schedule and fed the stored reports' object-created events through a queue;
 * Amazon SES (a domain identity and a configuration set whose bounces, complaints and rejections go
 * to an encrypted SNS topic) sends.
 *
 * Guarantees: the schedule's role may invoke the notifier and nothing else (and park an event in
 * the dead-letter queue); the notifier may send only as the identity, through the configuration
 * set; a run that cannot be delivered, or fails three times, is kept 14 days in a dead-letter queue
 * with an alarm, as is a report notification that failed five times. Ingest is never touched: mail
 * trouble stays in the notifier and its outbox.
 */
export class Notifications extends Construct {
  readonly function: OptallyFunction;
  readonly schedule: Schedule;
  /** The role the schedule invokes the notifier with. */
  readonly schedulerRole: Role;
  /** Scheduled runs that could not be delivered, or failed Lambda's retries. */
  readonly scheduleDeadLetterQueue: Queue;
  /** Object-created events of stored reports. */
  readonly reportQueue: Queue;
  readonly reportDeadLetterQueue: Queue;
  readonly identity: EmailIdentity;
  readonly configurationSet: ConfigurationSet;
  /** Bounces, complaints and rejections, as SES publishes them. */
  readonly bounceTopic: Topic;
  readonly mailDomain: string;
  readonly mailFrom: string;
  readonly alarms: readonly IAlarm[];

  constructor(scope: Construct, id: string, props: NotificationsProps) {
    super(scope, id);
    this.mailDomain = checkedMailDomain(props.mailDomain ?? DEFAULT_MAIL_DOMAIN);
    this.mailFrom = checkedMailFrom(props.mailFrom ?? `optally@${this.mailDomain}`, this.mailDomain);
    if (this.mailDomain === DEFAULT_MAIL_DOMAIN) {
      Annotations.of(this).addWarningV2(
        'optally:default-mail-domain',
        `Mail is sent from ${DEFAULT_MAIL_DOMAIN}, a reserved domain SES never verifies: nothing reaches anyone. Deploy with -c mailDomain=your.domain (README, "Mail").`,
      );
    }

    // --- Amazon SES -------------------------------------------------------------------------
    // A customer managed key: SES may publish only to a topic whose key policy lets it use the
    // key, which the AWS managed SNS key's policy cannot.
    const bounceKey = new Key(this, 'BounceTopicKey', {
      description: 'Encrypts the optally mail bounce topic (SES publishes bounces and complaints).',
      enableKeyRotation: true,
      // It encrypts only messages in flight on the topic: nothing to keep once the stack is gone.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    bounceKey.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('ses.amazonaws.com')],
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    );
    this.bounceTopic = new Topic(this, 'BounceTopic', {
      displayName: 'optally mail bounces and complaints',
      masterKey: bounceKey,
      enforceSSL: true,
    });
    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', {
      reputationMetrics: true,
      // Addresses that bounced or complained are not tried again (the send fails, visibly).
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    this.configurationSet.addEventDestination('Bounces', {
      destination: EventDestination.snsTopic(this.bounceTopic),
      events: [EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT, EmailSendingEvent.REJECT],
    });
    this.identity = new EmailIdentity(this, 'Identity', {
      identity: Identity.domain(this.mailDomain),
      // Also the identity's default: a message sent without it is still tracked.
      configurationSet: this.configurationSet,
      dkimSigning: true,
    });

    // --- The notifier -----------------------------------------------------------------------
    this.function = new OptallyFunction(this, 'Handler', {
      name: 'notify',
      description:
        'Sends the daily reminders and digests (every 15 minutes: the due cut-offs) and the verdict mails (stored reports → SQS → here).',
      timeout: Duration.seconds(NOTIFY_TIMEOUT_SECONDS),
      environment: props.dashboardUrl ? { DASHBOARD_URL: props.dashboardUrl } : {},
    });
    bindTable(this.function, props.table, 'readWrite');
    // Verdict mails read the stored report; digests read the rollup's totals.
    bindBucket(this.function, props.uploadsBucket, 'read', BUCKET_PREFIXES.reports);
    bindBucket(this.function, props.uploadsBucket, 'read', ROLLUPS_PREFIX);
    this.grantSendMail(this.function);

    // --- The schedule -----------------------------------------------------------------------
    this.scheduleDeadLetterQueue = new Queue(this, 'ScheduleDeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    // The Scheduler invokes asynchronously: a run that throws is retried twice by Lambda, then
    // parked here too, next to the runs the Scheduler could not deliver.
    (this.function.function.node.defaultChild as CfnFunction).deadLetterConfig = {
      targetArn: this.scheduleDeadLetterQueue.queueArn,
    };
    this.function.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['sqs:SendMessage'],
        resources: [this.scheduleDeadLetterQueue.queueArn],
      }),
    );
    this.schedulerRole = new Role(this, 'SchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
      description: 'Lets the optally notification schedule invoke the notifier, and nothing else',
    });
    this.schedule = new Schedule(this, 'Schedule', {
      description: 'Runs the optally notifier: the due daily cut-offs, then the outbox.',
      schedule: ScheduleExpression.rate(NOTIFY_RATE),
      timeWindow: TimeWindow.off(),
      target: new InvokeOnly(this.function, this.schedulerRole, this.scheduleDeadLetterQueue),
    });

    // --- Verdict mails: stored reports → queue → notifier ------------------------------------
    this.reportDeadLetterQueue = new Queue(this, 'ReportDeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.reportQueue = new Queue(this, 'ReportQueue', {
      // S3-managed encryption (not KMS) lets S3 publish without a key policy grant.
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Six times the timeout: a message never reappears while a first attempt may still run.
      visibilityTimeout: Duration.seconds(6 * NOTIFY_TIMEOUT_SECONDS),
      retentionPeriod: Duration.days(14),
      deadLetterQueue: { queue: this.reportDeadLetterQueue, maxReceiveCount: VERDICT_MAIL_MAX_RECEIVES },
    });
    props.uploadsBucket.addEventNotification(EventType.OBJECT_CREATED, new SqsDestination(this.reportQueue), {
      prefix: BUCKET_PREFIXES.reports,
    });
    this.function.function.addEventSource(
      new SqsEventSource(this.reportQueue, {
        batchSize: 10,
        maxBatchingWindow: Duration.seconds(5),
        // Two at a time at most: verdict mails are few, and SES's sending rate is the account's.
        maxConcurrency: 2,
        reportBatchItemFailures: true,
      }),
    );

    this.alarms = this.createAlarms(props.alarmTopic);
  }

  /**
   * Lets `fn` send mail as this identity through this configuration set — `ses:SendEmail` on those
   * two resources only — and tells it the sender (`MAIL_FROM`) and the set (`MAIL_CONFIGURATION_SET`).
   */
  grantSendMail(fn: OptallyFunction): void {
    const stack = Stack.of(this);
    const configurationSetArn = stack.formatArn({
      service: 'ses',
      resource: 'configuration-set',
      resourceName: this.configurationSet.configurationSetName,
    });
    fn.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['ses:SendEmail'],
        resources: [this.identity.emailIdentityArn, configurationSetArn],
      }),
    );
    fn.setEnvironment('MAIL_FROM', this.mailFrom);
    fn.setEnvironment('MAIL_CONFIGURATION_SET', this.configurationSet.configurationSetName);
  }

  private createAlarms(topic: ITopic | undefined): IAlarm[] {
    const fiveMinutes = Duration.minutes(5);
    const parked = (id: string, queue: Queue, alarmDescription: string) =>
      new Alarm(this, id, {
        alarmDescription,
        metric: queue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
          statistic: 'Maximum',
        }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    const alarms = [
      new Alarm(this, 'ErrorsAlarm', {
        alarmDescription:
          'The notifier threw (a failed send is not an error: it stays in the outbox). Scheduled runs are retried, then parked; report notifications are retried, then parked.',
        metric: this.function.function.metricErrors({ period: fiveMinutes, statistic: 'Sum' }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      parked(
        'ScheduleDeadLetterAlarm',
        this.scheduleDeadLetterQueue,
        'A scheduled notifier run could not be delivered or failed three times: reminders and digests may be late. The next run (15 minutes) tries again; fix the cause, then purge this queue.',
      ),
      parked(
        'ReportDeadLetterAlarm',
        this.reportDeadLetterQueue,
        'A stored report failed its verdict mail five times and sits in the DLQ. Fix the cause, then redrive the DLQ to the report queue.',
      ),
      new Alarm(this, 'BounceAlarm', {
        alarmDescription:
          'SES published a bounce, complaint or rejection: an address in an operation definition may be wrong. Read the bounce topic (subscribe to it) and fix the definition.',
        metric: this.bounceTopic.metricNumberOfMessagesPublished({ period: fiveMinutes, statistic: 'Sum' }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    ];
    if (topic) {
      const action = new SnsAction(topic);
      for (const alarm of alarms) {
        alarm.addAlarmAction(action);
        alarm.addOkAction(action);
      }
    }
    return alarms;
  }
}

/**
 * The schedule's target: the notifier, invoked with `role`, which this grants
 * `lambda:InvokeFunction` on the function's ARN only (the Scheduler's own Lambda target also
 * grants every version and alias, `…:*`) and `sqs:SendMessage` on the dead-letter queue.
 */
class InvokeOnly implements IScheduleTarget {
  constructor(
    private readonly fn: OptallyFunction,
    private readonly role: Role,
    private readonly deadLetterQueue: Queue,
  ) {}

  bind(_schedule: ISchedule): ScheduleTargetConfig {
    const functionArn = this.fn.function.functionArn;
    this.role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [functionArn] }),
    );
    this.role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.deadLetterQueue.queueArn] }),
    );
    return {
      arn: functionArn,
      role: this.role,
      input: ScheduleTargetInput.fromObject(SCHEDULER_EVENT),
      // A run older than ten minutes is dropped for the next one, 15 minutes on: runs never pile up.
      retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 600 },
      deadLetterConfig: { arn: this.deadLetterQueue.queueArn },
    };
  }
}

/** A domain name SES can verify (lower case, dotted labels); else throws saying what to pass. */
export function checkedMailDomain(domain: string): string {
  const name = domain.trim().toLowerCase();
  const label = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
  if (!new RegExp(`^(?:${label}\\.)+[a-z]{2,63}$`).test(name) || name.length > 253) {
    throw new Error(
      `Mail domain "${domain}" is not a domain name: pass the domain mail is sent from, e.g. -c mailDomain=mail.example.org.`,
    );
  }
  return name;
}

/** A sender address in `domain` (the identity covers no other); else throws saying what to pass. */
export function checkedMailFrom(address: string, domain: string): string {
  const at = address.lastIndexOf('@');
  const local = address.slice(0, at);
  if (at < 1 || address.slice(at + 1).toLowerCase() !== domain || !/^[A-Za-z0-9._%+-]+$/.test(local)) {
    throw new Error(
      `Sender "${address}" is not an address in ${domain}, the SES identity: pass one such as -c mailFrom=optally@${domain}.`,
    );
  }
  return `${local}@${domain}`;
}
