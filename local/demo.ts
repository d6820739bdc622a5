import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { s3Client } from '../shared/adapters/aws-clients.ts';
import { ObjectStore } from '../shared/adapters/objects.ts';
import { type Operation, windowDates } from '../shared/domain/operation.ts';
import { parseOperation } from '../shared/domain/operation-schema.ts';
import type { LocalStackInfo } from './gateway.ts';

/**
 * `npm run demo` (against a running `npm start`): replays a synthetic Operation Liberterra III in
 * about a minute — agencies upload cumulative daily returns, a few send corrections, a few send
 * files with mistakes, and some never report — so the rollup and the dashboard visibly grow.
 * The figures are random but scaled to the published totals (3,744 arrests, 4,414 victims …).
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const api = process.env.OPTALLY_API ?? `http://127.0.0.1:${process.env.PORT ?? '3000'}`;
const seconds = Number(process.env.DEMO_SECONDS ?? '60');

const PUBLISHED: Record<string, number> = {
  arrests: 3744,
  arrests_trafficking_smuggling: 1800,
  victims_safeguarded: 4414,
  irregular_migrants_detected: 12992,
  investigations_opened: 720,
  officers_deployed: 14000,
};

/** A small seeded PRNG, so every demo run tells the same story. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Plan = { country: string; weight: number; reportsFrom: number; silent: boolean };

/** Rows of a country's cumulative return up to day `upTo` (inclusive). */
function rows(op: Operation, plan: Plan, upTo: number, random: () => number): string[] {
  const dates = windowDates(op);
  const out: string[] = [];
  const exploitation = op.metrics.find((m) => m.id === 'victims_safeguarded')?.breakdowns[0];
  for (let d = 0; d <= upTo; d++) {
    const date = dates[d];
    const share = plan.weight / dates.length;
    const day = (metric: string) => Math.round((PUBLISHED[metric] ?? 0) * share * (0.5 + random()));
    const arrests = day('arrests');
    const trafficking = Math.min(arrests, day('arrests_trafficking_smuggling'));
    const victims = day('victims_safeguarded');
    out.push(`${date},arrests,,${arrests}`, `${date},arrests_trafficking_smuggling,,${trafficking}`);
    out.push(`${date},victims_safeguarded,,${victims}`);
    if (exploitation && victims > 0) {
      let left = victims;
      for (const value of exploitation.values.slice(0, 3)) {
        const n = Math.floor(left * random() * 0.6);
        left -= n;
        out.push(`${date},victims_safeguarded,${exploitation.dimension}=${value},${n}`);
      }
    }
    out.push(`${date},irregular_migrants_detected,,${day('irregular_migrants_detected')}`);
    out.push(`${date},investigations_opened,,${day('investigations_opened')}`);
    out.push(
      `${date},officers_deployed,,${Math.round((PUBLISHED.officers_deployed ?? 0) * plan.weight * (0.7 + 0.3 * random()))}`,
    );
  }
  return out;
}

async function main(): Promise<void> {
  const answer = await fetch(`${api}/local/info`);
  const local = answer.ok ? ((await answer.json()) as Partial<LocalStackInfo>) : {};
  if (local.service !== 'optally-local' || !local.s3Endpoint || !local.bucket)
    throw new Error(
      `${api} is not a local stack (GET /local/info answered ${answer.status}). Start it with npm start.`,
    );
  const objects = new ObjectStore(s3Client({ s3: local.s3Endpoint }), local.bucket);
  const parsed = parseOperation(
    JSON.parse(await readFile(join(ROOT, 'operations', 'liberterra-iii.json'), 'utf8')),
  );
  if (!parsed.ok) throw new Error(parsed.error.join('\n'));
  const op = parsed.value;
  const random = prng(20251110);
  const dates = windowDates(op);

  const raw = op.participants.map(() => random() ** 3 + 0.02);
  const sum = raw.reduce((a, b) => a + b, 0);
  const plans: Plan[] = op.participants.map((p, i) => ({
    country: p.code,
    weight: (raw[i] ?? 0) / sum,
    reportsFrom: Math.floor(random() * 4),
    silent: random() < 0.08, // some countries never report: "missing" on the dashboard
  }));

  console.log(
    `Replaying ${op.name}: ${plans.length} agencies, ${dates.length} days, ~${seconds} s, into ${api}`,
  );
  const tick = (seconds * 1000) / dates.length;
  let uploads = 0;
  for (let d = 0; d < dates.length; d++) {
    const started = Date.now();
    const today = plans.filter((p) => !p.silent && d >= p.reportsFrom && random() < 0.8);
    await Promise.all(
      today.map(async (plan, i) => {
        const lines = rows(op, plan, d, prng(plan.country.charCodeAt(0) * 1000 + plan.country.charCodeAt(1)));
        let body = `date,metric,breakdown,value\n${lines.join('\n')}\n`;
        if (random() < 0.03) body = body.replace(/,(\d+)\n$/, ',-$1\n'); // a typo: rejected, changes nothing
        await new Promise((ok) => setTimeout(ok, (i / today.length) * tick * 0.8));
        await objects.put(
          `incoming/${op.id}/${plan.country}/day-${String(d + 1).padStart(2, '0')}.csv`,
          body,
        );
        uploads++;
        if (random() < 0.05) {
          // A correction a moment later: the same return again with one figure changed.
          const corrected = body.replace(
            /(officers_deployed,,)(\d+)\n$/,
            (_, p, n) => `${p}${Number(n) + 1}\n`,
          );
          await objects.put(
            `incoming/${op.id}/${plan.country}/day-${String(d + 1).padStart(2, '0')}-corrected.csv`,
            corrected,
          );
          uploads++;
        }
      }),
    );
    process.stdout.write(
      `day ${d + 1}/${dates.length} (${dates[d]}): ${today.length} agencies reported, ${uploads} uploads so far\n`,
    );
    await new Promise((ok) => setTimeout(ok, Math.max(0, tick - (Date.now() - started))));
  }
  console.log(`Done: ${uploads} uploads. Watch the totals at ${api}/ (sign in as coordinator).`);
}

await main();
