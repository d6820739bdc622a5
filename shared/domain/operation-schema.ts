import { z } from 'zod';
import {
  type Breakdown,
  type Limits,
  MAIL_LANGUAGES,
  type Metric,
  type Notifications,
  type Operation,
  type Participant,
  REGIONS,
  type Rule,
  TRANSLATED_LOCALES,
} from './operation.ts';
import { err, ok, type Result } from './result.ts';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date written YYYY-MM-DD');
const identifier = z
  .string()
  .regex(/^[a-z][a-z0-9_]*$/, 'must be lower-case letters, digits and underscores, starting with a letter');

/** A text in other languages: `{ "fr": "…", "es": "…", "ar": "…" }`, each optional. */
const translations = z.partialRecord(z.enum(TRANSLATED_LOCALES), z.string().min(1)).optional();

const breakdownSchema = z
  .object({
    dimension: identifier,
    label: z.string().min(1).optional(),
    labels: translations,
    values: z.array(identifier).min(1),
    valueLabels: z
      .record(identifier, z.partialRecord(z.enum(['en', ...TRANSLATED_LOCALES]), z.string().min(1)))
      .optional(),
  })
  .superRefine((b, ctx) => {
    for (const value of Object.keys(b.valueLabels ?? {})) {
      if (!b.values.includes(value)) {
        ctx.addIssue({
          code: 'custom',
          path: ['valueLabels', value],
          message: `"${value}" is not one of the values of ${b.dimension}`,
        });
      }
    }
  });

const metricSchema = z.object({
  id: identifier,
  label: z.string().min(1),
  labels: translations,
  unit: z.string().min(1).default('count'),
  units: translations,
  /** What the figure means and how it is counted (shown with the figures, e.g. in the press summary). */
  note: z.string().min(1).optional(),
  notes: translations,
  /** `sum`: a flow, added up over days. `max`: a gauge, a country's figure is its peak day. */
  aggregation: z.enum(['sum', 'max']),
  breakdowns: z.array(breakdownSchema).default([]),
});

const ruleSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('lte'),
    id: z.string().min(1),
    description: z.string().min(1).optional(),
    descriptions: translations,
    /** For every day, the value of `metric` must be ≤ the value of `bound` on the same day. */
    metric: identifier,
    bound: identifier,
    severity: z.enum(['error', 'warning']).default('error'),
  }),
  z.object({
    kind: z.literal('breakdown-sum-lte-total'),
    id: z.string().min(1),
    description: z.string().min(1).optional(),
    descriptions: translations,
    /** For every day, the breakdown rows of `metric` along `dimension` add up to ≤ the day's total. */
    metric: identifier,
    dimension: identifier,
    severity: z.enum(['error', 'warning']).default('error'),
  }),
]);

/** An e-mail address; the message names the value received. */
const address = z.email({
  error: (issue) =>
    `must be an e-mail address such as "ncb-br@example.org", not ${JSON.stringify(issue.input)}`,
});
const mailLanguage = z.enum(MAIL_LANGUAGES);

const contactSchema = z.object({
  address,
  language: mailLanguage.optional(),
  verdicts: z.boolean().optional(),
});

const participantSchema = z.object({
  code: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as "BR"'),
  name: z.string().min(1),
  region: z.enum(REGIONS),
  language: mailLanguage.optional(),
  contacts: z.array(contactSchema).optional(),
});

const notificationsSchema = z.object({
  cutoff: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day written HH:MM (UTC), such as "18:00"'),
  coordinators: z.array(z.object({ address, language: mailLanguage.optional() })),
  from: address.optional(),
});

const limitsSchema = z.object({
  maxFileBytes: z
    .number()
    .int()
    .positive()
    .default(25 * 1024 * 1024),
  maxRows: z.number().int().positive().default(200_000),
  maxCellChars: z.number().int().positive().default(256),
  maxProblemsListed: z.number().int().positive().default(1000),
});

/** The JSON schema of an operation definition file (`operations/*.json`). */
export const operationSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'must be lower-case letters, digits and hyphens'),
    name: z.string().min(1),
    names: translations,
    description: z.string().optional(),
    descriptions: translations,
    window: z.object({ start: isoDate, end: isoDate }),
    /** When returns are due (ISO date-time). A country first reporting after it is late. */
    reportingDeadline: z.iso.datetime({ offset: true }),
    participants: z.array(participantSchema).min(1),
    metrics: z.array(metricSchema).min(1),
    rules: z.array(ruleSchema).default([]),
    limits: limitsSchema.default(limitsSchema.parse({})),
    notifications: notificationsSchema.optional(),
  })
  .superRefine((op, ctx) => {
    if (op.window.start > op.window.end) {
      ctx.addIssue({
        code: 'custom',
        path: ['window'],
        message: 'window.start must not be after window.end',
      });
    }
    const duplicates = (values: string[]): string[] =>
      [...new Set(values.filter((v, i) => values.indexOf(v) !== i))].sort();
    for (const code of duplicates(op.participants.map((p) => p.code))) {
      ctx.addIssue({
        code: 'custom',
        path: ['participants'],
        message: `participant ${code} is listed twice`,
      });
    }
    const metricIds = op.metrics.map((m) => m.id);
    for (const id of duplicates(metricIds)) {
      ctx.addIssue({ code: 'custom', path: ['metrics'], message: `metric ${id} is defined twice` });
    }
    op.rules.forEach((rule, i) => {
      const named = rule.kind === 'lte' ? [rule.metric, rule.bound] : [rule.metric];
      for (const id of named) {
        if (!metricIds.includes(id)) {
          ctx.addIssue({
            code: 'custom',
            path: ['rules', i],
            message: `rule ${rule.id} names metric "${id}", which the catalogue does not define`,
          });
        }
      }
      if (rule.kind === 'breakdown-sum-lte-total') {
        const metric = op.metrics.find((m) => m.id === rule.metric);
        if (metric && !metric.breakdowns.some((b) => b.dimension === rule.dimension)) {
          ctx.addIssue({
            code: 'custom',
            path: ['rules', i],
            message: `rule ${rule.id} names dimension "${rule.dimension}", which metric ${rule.metric} does not have`,
          });
        }
      }
    });
  });

/** True when A and B are the same type, not merely assignable one to the other. */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Compiles only when every entry of `T` is `true`. */
type AllTrue<T extends Record<string, true>> = T;

/**
 * The schema checks exactly the model operation.ts writes out: a change to one that the other does
 * not follow stops compilation here, naming the part that differs.
 */
// biome-ignore lint/correctness/noUnusedVariables: a compile-time check; nothing needs to use it
type SchemaMatchesModel = AllTrue<{
  breakdown: Same<z.output<typeof breakdownSchema>, Breakdown>;
  metric: Same<z.output<typeof metricSchema>, Metric>;
  rule: Same<z.output<typeof ruleSchema>, Rule>;
  participant: Same<z.output<typeof participantSchema>, Participant>;
  notifications: Same<z.output<typeof notificationsSchema>, Notifications>;
  limits: Same<z.output<typeof limitsSchema>, Limits>;
  operation: Same<z.output<typeof operationSchema>, Operation>;
}>;

/**
 * Checks a parsed definition file. On failure, every problem is listed with its JSON path, e.g.
 * `participants.3.code: must be an ISO 3166-1 alpha-2 code such as "BR"`.
 */
export function parseOperation(input: unknown): Result<Operation, string[]> {
  const parsed = operationSchema.safeParse(input);
  if (parsed.success) return ok(parsed.data);
  return err(parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`));
}
