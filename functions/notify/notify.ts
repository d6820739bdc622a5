import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { type NotifyDeps, notifyVerdict, runCutoffs, sendQueued } from '../../shared/app/notify.ts';
import { parseS3Notification } from '../../shared/domain/uploads.ts';

/**
 * The Scheduler's event: the notifier's schedule sends `{ "source": "optally.scheduler" }`. A
 * `time` (ISO) runs the cut-offs as at that moment instead of the clock's (the local stack and
 * tests run a cut-off at a chosen time this way).
 */
export type SchedulerEvent = { source: 'optally.scheduler'; time?: string };

/** What a scheduled run did: cut-offs handled, messages queued, sends that succeeded and failed. */
export type ScheduledResult = { cutoffs: number; queued: number; sent: number; failed: number };

/** True for the Scheduler's event (anything else is taken for an SQS batch). */
function isScheduled(event: SchedulerEvent | SQSEvent): event is SchedulerEvent {
  return (event as SchedulerEvent).source === 'optally.scheduler';
}

/**
 * The notifier: a scheduled event handles the due cut-offs and sends what is queued (a failed
 * send stays queued, never throws); an SQS batch of report-created notifications queues and sends
 * one verdict mail per report, answering the records that failed (partial batch failures).
 */
export function makeNotifyHandler(
  deps: NotifyDeps,
  clock: () => Date = () => new Date(),
): (event: SchedulerEvent | SQSEvent) => Promise<ScheduledResult | SQSBatchResponse> {
  return async (event) => {
    if (isScheduled(event)) {
      const now = event.time === undefined ? clock() : new Date(event.time);
      if (Number.isNaN(now.getTime()))
        throw new Error(`The scheduled event's time "${event.time}" is not a time.`);
      const runs = await runCutoffs(deps, now);
      const retried = await sendQueued(deps, now);
      const sum = (count: (r: (typeof runs)[number]) => number) => runs.reduce((n, r) => n + count(r), 0);
      return {
        cutoffs: runs.length,
        queued: sum((r) => r.queued),
        sent: sum((r) => r.sent) + retried.sent,
        failed: sum((r) => r.failed) + retried.failed,
      };
    }
    const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
    for (const record of event.Records) {
      try {
        for (const created of parseS3Notification(record.body).records) {
          await notifyVerdict(deps, created.key, clock());
        }
      } catch (e) {
        deps.log({ level: 'error', msg: 'verdict mail failed', messageId: record.messageId, error: e });
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures };
  };
}
