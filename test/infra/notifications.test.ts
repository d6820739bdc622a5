import { afterAll, describe, expect, it } from 'vitest';
import {
  checkedMailDomain,
  checkedMailFrom,
  DEFAULT_MAIL_DOMAIN,
  NOTIFY_TIMEOUT_SECONDS,
  SCHEDULER_EVENT,
} from '../../infra/notifications.ts';
import { FUNCTION_LOG_LEVEL } from '../../infra/optally-function.ts';
import { logicalIdOf, propertiesOf, synthesizeOptally } from './synth.ts';

const synthesized = synthesizeOptally({ validate: false });
const { template } = synthesized;
const configured = synthesizeOptally({
  validate: false,
  context: { mailDomain: 'Mail.Interpol.example', mailFrom: 'liberterra@mail.interpol.example' },
});
afterAll(() => {
  synthesized.dispose();
  configured.dispose();
});

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };
type PolicyProps = { PolicyDocument: { Statement: Statement[] }; Roles: { Ref: string }[] };

const notifierId = logicalIdOf(template, 'AWS::Lambda::Function', 'NotificationsHandlerFunction');
const apiFnId = logicalIdOf(template, 'AWS::Lambda::Function', 'ApiHandlerFunction');
const scheduleId = logicalIdOf(template, 'AWS::Scheduler::Schedule', 'Schedule');
const schedulerRoleId = logicalIdOf(template, 'AWS::IAM::Role', 'SchedulerRole');
const scheduleDlqId = logicalIdOf(template, 'AWS::SQS::Queue', 'ScheduleDeadLetters');
const reportQueueId = logicalIdOf(template, 'AWS::SQS::Queue', 'ReportQueue');
const reportDlqId = logicalIdOf(template, 'AWS::SQS::Queue', 'ReportDeadLetters');
const identityId = logicalIdOf(template, 'AWS::SES::EmailIdentity', 'Identity');
const configSetId = logicalIdOf(template, 'AWS::SES::ConfigurationSet', 'ConfigurationSet');
const bounceTopicId = logicalIdOf(template, 'AWS::SNS::Topic', 'BounceTopic');
const uploadsId = logicalIdOf(template, 'AWS::S3::Bucket', 'UploadsBucket');
const tableId = logicalIdOf(template, 'AWS::DynamoDB::GlobalTable', 'Table');
const alarmTopicId = logicalIdOf(template, 'AWS::SNS::Topic', 'AlarmTopic');
const arnOf = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });

/** Every statement of the identity policies attached to a role. */
function statementsOfRole(roleId: string): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .map((p) => (p as { Properties: PolicyProps }).Properties)
    .filter((p) => p.Roles.some((r) => r.Ref === roleId))
    .flatMap((p) => p.PolicyDocument.Statement);
}
const roleOf = (fnId: string) =>
  (propertiesOf(template, fnId).Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
const actionsOf = (s: Statement) => ([] as string[]).concat(s.Action).sort();

// The SES ARNs the permission names, as CloudFormation will render them.
const identityArn = {
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':ses:',
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      ':identity/',
      { Ref: identityId },
    ],
  ],
};
const configSetArn = {
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':ses:',
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      ':configuration-set/',
      { Ref: configSetId },
    ],
  ],
};

describe('the schedule', () => {
  const props = propertiesOf(template, scheduleId) as {
    ScheduleExpression: string;
    FlexibleTimeWindow: { Mode: string };
    State: string;
    Target: {
      Arn: unknown;
      RoleArn: unknown;
      Input: string;
      RetryPolicy: { MaximumRetryAttempts: number; MaximumEventAgeInSeconds: number };
      DeadLetterConfig: { Arn: unknown };
    };
  };

  it('runs the notifier every 15 minutes, on time, with the event the notifier takes for a run', () => {
    expect(props.ScheduleExpression).toBe('rate(15 minutes)');
    expect(props.FlexibleTimeWindow).toEqual({ Mode: 'OFF' });
    expect(props.State).toBe('ENABLED');
    expect(props.Target.Arn).toEqual(arnOf(notifierId));
    expect(JSON.parse(props.Target.Input)).toEqual({ source: 'optally.scheduler' });
    expect(SCHEDULER_EVENT).toEqual({ source: 'optally.scheduler' });
  });

  it('is the only schedule, and every schedule targets the notifier', () => {
    const targets = Object.values(template.findResources('AWS::Scheduler::Schedule')).map(
      (s) => (s as { Properties: { Target: { Arn: unknown } } }).Properties.Target.Arn,
    );

    expect(targets).toEqual([arnOf(notifierId)]);
  });

  it('retries a failed delivery, drops a run older than the next one, and parks what it could not deliver', () => {
    expect(props.Target.RetryPolicy.MaximumRetryAttempts).toBeGreaterThanOrEqual(1);
    expect(props.Target.RetryPolicy.MaximumEventAgeInSeconds).toBeLessThan(15 * 60);
    expect(props.Target.DeadLetterConfig).toEqual({ Arn: arnOf(scheduleDlqId) });
  });

  it('parks the runs that failed Lambda’s own retries in the same dead-letter queue', () => {
    expect(propertiesOf(template, notifierId).DeadLetterConfig).toEqual({ TargetArn: arnOf(scheduleDlqId) });
  });
});

describe('the scheduler role', () => {
  it('is assumed by EventBridge Scheduler of this account only', () => {
    expect(propertiesOf(template, schedulerRoleId).AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'scheduler.amazonaws.com' },
          Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
        },
      ],
    });
    expect(propertiesOf(template, scheduleId)).toMatchObject({ Target: { RoleArn: arnOf(schedulerRoleId) } });
  });

  it('may invoke the notifier (no version, no alias, no other function) and park a run, nothing else', () => {
    const role = propertiesOf(template, schedulerRoleId);

    expect(role.ManagedPolicyArns).toBeUndefined();
    expect(role.Policies).toBeUndefined();
    expect(statementsOfRole(schedulerRoleId)).toEqual([
      { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: arnOf(notifierId) },
      { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: arnOf(scheduleDlqId) },
    ]);
  });

  it('is the only role allowed to invoke the notifier', () => {
    const invokers = Object.values(template.findResources('AWS::IAM::Policy'))
      .map((p) => (p as { Properties: PolicyProps }).Properties)
      .filter((p) =>
        p.PolicyDocument.Statement.some(
          (s) =>
            actionsOf(s).some((a) => a.startsWith('lambda:Invoke')) &&
            JSON.stringify(s.Resource).includes(notifierId),
        ),
      )
      .flatMap((p) => p.Roles.map((r) => r.Ref));

    expect(invokers).toEqual([schedulerRoleId]);
  });
});

describe('Amazon SES', () => {
  it('has a DKIM-signed domain identity for the default sending domain, tracked by the configuration set', () => {
    expect(propertiesOf(template, identityId)).toMatchObject({
      EmailIdentity: DEFAULT_MAIL_DOMAIN,
      DkimAttributes: { SigningEnabled: true },
      ConfigurationSetAttributes: { ConfigurationSetName: { Ref: configSetId } },
    });
  });

  it('takes the sending domain and address from context', () => {
    const t = configured.template;
    const id = logicalIdOf(t, 'AWS::SES::EmailIdentity', 'Identity');
    const fn = logicalIdOf(t, 'AWS::Lambda::Function', 'NotificationsHandlerFunction');

    expect(propertiesOf(t, id).EmailIdentity).toBe('mail.interpol.example');
    expect(propertiesOf(t, fn).Environment).toMatchObject({
      Variables: { MAIL_FROM: 'liberterra@mail.interpol.example' },
    });
  });

  it('publishes bounces, complaints and rejections of the configuration set to the bounce topic', () => {
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      ConfigurationSetName: { Ref: configSetId },
      EventDestination: {
        Enabled: true,
        MatchingEventTypes: ['bounce', 'complaint', 'reject'],
        SnsDestination: { TopicARN: { Ref: bounceTopicId } },
      },
    });
    expect(propertiesOf(template, configSetId)).toMatchObject({
      SuppressionOptions: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
    });
  });

  it('keeps the bounce topic encrypted with a rotated key SES may use, and refuses requests without TLS', () => {
    const keyRef = propertiesOf(template, bounceTopicId).KmsMasterKeyId as { 'Fn::GetAtt': [string, string] };
    const key = propertiesOf(template, keyRef['Fn::GetAtt'][0]) as {
      EnableKeyRotation: boolean;
      KeyPolicy: { Statement: { Principal: unknown; Action: string[] }[] };
    };

    expect(key.EnableKeyRotation).toBe(true);
    expect(key.KeyPolicy.Statement).toContainEqual(
      expect.objectContaining({
        Principal: { Service: 'ses.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      }),
    );
    const policy = Object.values(template.findResources('AWS::SNS::TopicPolicy'))
      .map(
        (p) =>
          (p as { Properties: { Topics: unknown[]; PolicyDocument: { Statement: Statement[] } } }).Properties,
      )
      .find((p) => JSON.stringify(p.Topics) === JSON.stringify([{ Ref: bounceTopicId }]));
    expect(policy?.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
    expect(policy?.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'ses.amazonaws.com' },
        Condition: {
          StringEquals: { 'AWS:SourceAccount': { Ref: 'AWS::AccountId' }, 'AWS:SourceArn': configSetArn },
        },
      }),
    );
  });
});

describe('who may send mail', () => {
  const sesStatements = (roleId: string) =>
    statementsOfRole(roleId).filter((s) => actionsOf(s).some((a) => a.startsWith('ses:')));

  it.each([
    ['the notifier', notifierId],
    ['the api function (send the reminders now)', apiFnId],
  ])('%s may only SendEmail, as the identity, through the configuration set', (_name, fnId) => {
    const statements = sesStatements(roleOf(fnId));

    expect(statements).toEqual([{ Effect: 'Allow', Action: 'ses:SendEmail', Resource: expect.any(Array) }]);
    expect(statements[0]?.Resource).toHaveLength(2);
    expect(statements[0]?.Resource).toEqual(expect.arrayContaining([identityArn, configSetArn]));
    expect(propertiesOf(template, fnId).Environment).toMatchObject({
      Variables: {
        MAIL_FROM: `optally@${DEFAULT_MAIL_DOMAIN}`,
        MAIL_CONFIGURATION_SET: { Ref: configSetId },
      },
    });
  });

  it('no other role may use SES', () => {
    const senders = Object.values(template.findResources('AWS::IAM::Policy'))
      .map((p) => (p as { Properties: PolicyProps }).Properties)
      .filter((p) => p.PolicyDocument.Statement.some((s) => actionsOf(s).some((a) => a.startsWith('ses:'))))
      .flatMap((p) => p.Roles.map((r) => r.Ref))
      .sort();

    expect(senders).toEqual([roleOf(notifierId), roleOf(apiFnId)].sort());
  });
});

describe('verdict mails: stored reports → queue → notifier', () => {
  it('sends every object created under reports/ to the report queue', () => {
    const [notifications] = Object.values(template.findResources('Custom::S3BucketNotifications')) as {
      Properties: {
        BucketName: unknown;
        NotificationConfiguration: { QueueConfigurations: { QueueArn: unknown }[] };
      };
    }[];
    const toReports = notifications?.Properties.NotificationConfiguration.QueueConfigurations.filter(
      (c) => JSON.stringify(c.QueueArn) === JSON.stringify(arnOf(reportQueueId)),
    );

    expect(notifications?.Properties.BucketName).toEqual({ Ref: uploadsId });
    expect(toReports).toEqual([
      {
        Events: ['s3:ObjectCreated:*'],
        Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'reports/' }] } },
        QueueArn: arnOf(reportQueueId),
      },
    ]);
  });

  it('feeds the notifier in batches, reporting the failed records only', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: arnOf(reportQueueId),
      FunctionName: { Ref: notifierId },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('parks a report notification after five receives, never redelivering one still being worked on', () => {
    const queue = propertiesOf(template, reportQueueId);

    expect(queue.RedrivePolicy).toEqual({ deadLetterTargetArn: arnOf(reportDlqId), maxReceiveCount: 5 });
    expect(queue.VisibilityTimeout).toBeGreaterThanOrEqual(
      6 * (propertiesOf(template, notifierId).Timeout as number),
    );
    expect(propertiesOf(template, notifierId).Timeout).toBe(NOTIFY_TIMEOUT_SECONDS);
  });

  it.each([
    ['report queue', reportQueueId],
    ['report dead-letter queue', reportDlqId],
    ['schedule dead-letter queue', scheduleDlqId],
  ])('the %s is encrypted, keeps messages 14 days and refuses requests without TLS', (_name, id) => {
    expect(propertiesOf(template, id)).toMatchObject({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 1_209_600,
    });
    const policy = Object.values(template.findResources('AWS::SQS::QueuePolicy'))
      .map(
        (p) =>
          (p as { Properties: { Queues: unknown[]; PolicyDocument: { Statement: Statement[] } } }).Properties,
      )
      .find((p) => JSON.stringify(p.Queues) === JSON.stringify([{ Ref: id }]));
    expect(policy?.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });
});

describe('the notifier', () => {
  const statements = statementsOfRole(roleOf(notifierId));
  const objectArn = (suffix: string) => ({ 'Fn::Join': ['', [arnOf(uploadsId), suffix]] });
  const actionsOn = (resource: unknown) =>
    statements
      .filter((s) => JSON.stringify(s.Resource).includes(JSON.stringify(resource)))
      .flatMap(actionsOf)
      .sort();

  it('runs like our other functions: Node.js 24 on arm64, traced, JSON logs at one level', () => {
    expect(propertiesOf(template, notifierId)).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: { LogFormat: 'JSON', ApplicationLogLevel: FUNCTION_LOG_LEVEL },
    });
  });

  it('reads stored reports and rollup bodies, writes no object and deletes nothing', () => {
    expect(actionsOn(objectArn('/reports/*'))).toEqual(['s3:GetObject', 's3:GetObjectVersion']);
    expect(actionsOn(objectArn('/rollups/*'))).toEqual(['s3:GetObject', 's3:GetObjectVersion']);
    expect(JSON.stringify(statements)).not.toMatch(/s3:(\*|Put|Delete)/);
  });

  it('uses the table operations of the design, on the table itself, and knows the table, bucket and dashboard', () => {
    expect(actionsOn(arnOf(tableId))).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:BatchWriteItem',
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
    expect(propertiesOf(template, notifierId).Environment).toMatchObject({
      Variables: {
        TABLE_NAME: { Ref: tableId },
        BUCKET_NAME: { Ref: uploadsId },
        DASHBOARD_URL: expect.anything(),
      },
    });
  });
});

describe('alarms', () => {
  type AlarmProps = {
    Namespace: string;
    MetricName: string;
    Dimensions: { Value: unknown }[];
    AlarmActions?: unknown[];
  };
  const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map(
    (a) => (a as { Properties: AlarmProps }).Properties,
  );
  const alarmOn = (namespace: string, metric: string, dimension: unknown) =>
    alarms.find(
      (a) =>
        a.Namespace === namespace &&
        a.MetricName === metric &&
        a.Dimensions.some((d) => JSON.stringify(d.Value) === JSON.stringify(dimension)),
    );

  it.each([
    ['notifier errors', 'AWS/Lambda', 'Errors', { Ref: notifierId }],
    [
      'parked scheduled runs',
      'AWS/SQS',
      'ApproximateNumberOfMessagesVisible',
      { 'Fn::GetAtt': [scheduleDlqId, 'QueueName'] },
    ],
    [
      'parked report notifications',
      'AWS/SQS',
      'ApproximateNumberOfMessagesVisible',
      { 'Fn::GetAtt': [reportDlqId, 'QueueName'] },
    ],
    ['bounces', 'AWS/SNS', 'NumberOfMessagesPublished', { 'Fn::GetAtt': [bounceTopicId, 'TopicName'] }],
  ])('watch %s and publish to the alarm topic', (_name, namespace, metric, dimension) => {
    expect(alarmOn(namespace, metric, dimension)?.AlarmActions).toEqual([{ Ref: alarmTopicId }]);
  });
});

describe('mail settings', () => {
  it('refuses a sending domain that is not a domain name, naming the context key', () => {
    expect(checkedMailDomain(' Mail.Example.ORG ')).toBe('mail.example.org');
    expect(() => checkedMailDomain('not a domain')).toThrow(/-c mailDomain=/);
    expect(() => checkedMailDomain('localhost')).toThrow(/is not a domain name/);
  });

  it('refuses a sender outside the identity’s domain, naming the context key', () => {
    expect(checkedMailFrom('Reminders@mail.example.org', 'mail.example.org')).toBe(
      'Reminders@mail.example.org',
    );
    expect(() => checkedMailFrom('optally@other.example', 'mail.example.org')).toThrow(/-c mailFrom=/);
    expect(() => checkedMailFrom('Optally <optally@mail.example.org>', 'mail.example.org')).toThrow(
      /not an address in mail.example.org/,
    );
  });
});
