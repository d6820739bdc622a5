/**
 * `npx tsx bench/profile-top.ts <file.cpuprofile> [n]`: the top entries of a V8 CPU profile (from
 * `node --cpu-prof`, or `OPTALLY_BENCH_CPU_PROF=<folder> npm run bench -- freshness` for the
 * stack process): self time by function, then by package or first-party folder.
 */
import { readFileSync } from 'node:fs';

type Node = {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
};
type Profile = { nodes: Node[]; startTime: number; endTime: number; samples: number[]; timeDeltas: number[] };

const [file, count = '25'] = process.argv.slice(2);
if (!file) throw new Error('usage: tsx bench/profile-top.ts <file.cpuprofile> [n]');
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfUs = new Map<number, number>();
for (const [i, id] of profile.samples.entries()) {
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
}
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);

const where = (url: string): string => {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) return pkg;
  if (url.startsWith('node:') || url === '') return url || '(native / idle)';
  const local = /\/work\/[^/]+\/(.+)$/.exec(url)?.[1] ?? url;
  return local.split('/').slice(0, 2).join('/');
};

const byFunction = new Map<string, number>();
const byPlace = new Map<string, number>();
for (const [id, us] of selfUs) {
  const frame = byId.get(id)?.callFrame;
  if (!frame) continue;
  const name = `${frame.functionName || '(anonymous)'} ${where(frame.url)}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + us);
  byPlace.set(where(frame.url), (byPlace.get(where(frame.url)) ?? 0) + us);
}
const table = (m: Map<string, number>) =>
  [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, Number(count))
    .map(([k, us]) => ({
      'self ms': Math.round(us / 1000),
      share: `${((100 * us) / total).toFixed(1)} %`,
      where: k,
    }));
console.log(`${file}: ${Math.round(total / 1000)} ms sampled`);
console.table(table(byPlace));
console.table(table(byFunction));
