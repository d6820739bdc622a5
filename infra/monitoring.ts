import { Duration, Stack } from 'aws-cdk-lib';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IAlarm,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { Api } from './api.ts';
import type { IngestPipeline } from './ingest-pipeline.ts';

/** Settings of the monitoring construct. */
export interface MonitoringProps {
  readonly ingest: IngestPipeline;
  readonly api: Api;
  /** Subscribed to the alarm topic when set. @default no subscription */
  readonly alarmEmail?: string;
  /**
   * Oldest message in the ingest queue, in seconds, beyond which uploads are considered stuck.
   * @default 900 (15 minutes)
   */
  readonly maxQueueAgeSeconds?: number;
}

/**
 * Alarms (DLQ depth, ingest function errors, API 5xx, stuck ingest queue) publishing to one SNS
 * topic, and a CloudWatch dashboard with those plus queue age and Lambda durations.
 */
export class Monitoring extends Construct {
  /** Every alarm of the stack publishes here. */
  readonly alarmTopic: Topic;
  readonly alarms: readonly IAlarm[];
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const { ingest, api } = props;
    const ingestFn = ingest.function.function;
    const apiFn = api.function.function;
    const fiveMinutes = Duration.minutes(5);

    // Not KMS-encrypted: CloudWatch cannot publish to a topic under the AWS managed SNS key, and alarm
    // messages carry only alarm names and metric values, no operation data.
    this.alarmTopic = new Topic(this, 'AlarmTopic', { displayName: 'optally alarms', enforceSSL: true });
    if (props.alarmEmail) this.alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail));

    const ingestErrors = new Alarm(this, 'IngestErrorsAlarm', {
      alarmDescription:
        'The ingest function threw (not a rejected return, which is a normal result). Messages are retried, then go to the DLQ.',
      metric: ingestFn.metricErrors({ period: fiveMinutes, statistic: 'Sum' }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    const api5xx = new Alarm(this, 'Api5xxAlarm', {
      alarmDescription: 'The HTTP API answered 5xx: a bug or an unavailable dependency in the api function.',
      metric: api.httpApi.metricServerError({ period: fiveMinutes, statistic: 'Sum' }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    const queueAge = new Alarm(this, 'IngestQueueAgeAlarm', {
      alarmDescription:
        'Uploads wait in the ingest queue: the ingest function is not consuming (throttled or failing).',
      metric: ingest.queue.metricApproximateAgeOfOldestMessage({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      threshold: props.maxQueueAgeSeconds ?? 900,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 5,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    this.alarms = [ingest.deadLetterAlarm, ingestErrors, api5xx, queueAge];
    const action = new SnsAction(this.alarmTopic);
    for (const alarm of [ingest.deadLetterAlarm, ingestErrors, api5xx, queueAge]) {
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `${Stack.of(this).stackName}-operations`,
      defaultInterval: Duration.hours(24),
      widgets: [
        [new AlarmStatusWidget({ title: 'Alarms', alarms: [...this.alarms], width: 24 })],
        [
          new GraphWidget({
            title: 'Ingest queue',
            left: [ingest.queue.metricApproximateNumberOfMessagesVisible({ label: 'waiting' })],
            right: [ingest.queue.metricApproximateAgeOfOldestMessage({ label: 'oldest (s)' })],
            width: 8,
          }),
          new GraphWidget({
            title: 'Dead-letter queue depth',
            left: [ingest.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ label: 'parked' })],
            width: 8,
          }),
          new GraphWidget({
            title: 'Ingest invocations and errors',
            left: [
              ingestFn.metricInvocations({ statistic: 'Sum' }),
              ingestFn.metricErrors({ statistic: 'Sum' }),
              ingestFn.metricThrottles({ statistic: 'Sum' }),
            ],
            width: 8,
          }),
        ],
        [
          new GraphWidget({
            title: 'Lambda duration (p50 / p99)',
            left: [
              ingestFn.metricDuration({ statistic: 'p50', label: 'ingest p50' }),
              ingestFn.metricDuration({ statistic: 'p99', label: 'ingest p99' }),
              apiFn.metricDuration({ statistic: 'p50', label: 'api p50' }),
              apiFn.metricDuration({ statistic: 'p99', label: 'api p99' }),
            ],
            width: 12,
          }),
          new GraphWidget({
            title: 'API requests and errors',
            left: [api.httpApi.metricCount({ statistic: 'Sum', label: 'requests' })],
            right: [
              api.httpApi.metricClientError({ statistic: 'Sum', label: '4xx' }),
              api.httpApi.metricServerError({ statistic: 'Sum', label: '5xx' }),
            ],
            width: 12,
          }),
        ],
      ],
    });
  }
}
