import { afterAll, describe, expect, it } from 'vitest';
import { logicalIdOf, propertiesOf, synthesizeOptally } from './synth.ts';

const synthesized = synthesizeOptally({ validate: false, context: { alarmEmail: 'ops@example.org' } });
const { template } = synthesized;
afterAll(() => synthesized.dispose());

const topicId = logicalIdOf(template, 'AWS::SNS::Topic', 'AlarmTopic');
const dlqId = logicalIdOf(template, 'AWS::SQS::Queue', 'DeadLetterQueue');
const ingestFnId = logicalIdOf(template, 'AWS::Lambda::Function', 'IngestHandlerFunction');
const apiId = logicalIdOf(template, 'AWS::ApiGatewayV2::Api', 'HttpApi');

type AlarmProps = {
  Namespace: string;
  MetricName: string;
  Dimensions: { Name: string; Value: unknown }[];
  AlarmActions?: unknown[];
  OKActions?: unknown[];
};
const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map(
  (alarm) => (alarm as { Properties: AlarmProps }).Properties,
);
const alarmOn = (namespace: string, metric: string, dimension: unknown) =>
  alarms.find(
    (alarm) =>
      alarm.Namespace === namespace &&
      alarm.MetricName === metric &&
      alarm.Dimensions.some((d) => JSON.stringify(d.Value) === JSON.stringify(dimension)),
  );

describe('alarms', () => {
  it('watch the DLQ depth', () => {
    expect(
      alarmOn('AWS/SQS', 'ApproximateNumberOfMessagesVisible', { 'Fn::GetAtt': [dlqId, 'QueueName'] }),
    ).toBeDefined();
  });

  it('watch ingest function errors', () => {
    expect(alarmOn('AWS/Lambda', 'Errors', { Ref: ingestFnId })).toBeDefined();
  });

  it('watch API 5xx answers', () => {
    expect(alarmOn('AWS/ApiGateway', '5xx', { Ref: apiId })).toBeDefined();
  });

  it('watch uploads stuck in the ingest queue', () => {
    expect(
      alarmOn('AWS/SQS', 'ApproximateAgeOfOldestMessage', {
        'Fn::GetAtt': [logicalIdOf(template, 'AWS::SQS::Queue', 'IngestQueue'), 'QueueName'],
      }),
    ).toBeDefined();
  });

  it('all notify the alarm topic when they fire and when they clear', () => {
    expect(alarms.length).toBeGreaterThanOrEqual(4);
    for (const alarm of alarms) {
      expect(alarm.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(alarm.OKActions).toEqual([{ Ref: topicId }]);
    }
  });
});

describe('alarm topic', () => {
  it('refuses publishing without TLS', () => {
    const policy = Object.values(
      template.findResources('AWS::SNS::TopicPolicy', { Properties: { Topics: [{ Ref: topicId }] } }),
    )[0] as { Properties: { PolicyDocument: { Statement: { Effect: string; Condition?: unknown }[] } } };

    expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });

  it('mails the address given as alarmEmail', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.org',
      TopicArn: { Ref: topicId },
    });
  });
});

describe('dashboard', () => {
  it('shows queue depth and age, the DLQ, Lambda errors and durations, and API errors', () => {
    const body = JSON.stringify(
      propertiesOf(template, logicalIdOf(template, 'AWS::CloudWatch::Dashboard', 'Dashboard')).DashboardBody,
    );

    for (const metric of [
      'ApproximateNumberOfMessagesVisible',
      'ApproximateAgeOfOldestMessage',
      'Errors',
      'Duration',
      '5xx',
      '4xx',
    ]) {
      expect(body).toContain(metric);
    }
  });
});
