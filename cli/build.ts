/**
 * Builds the installable CLI: cli/main.ts and everything it imports (our shared/ code and every
 * library) bundled by esbuild into one ESM file, `cli/dist/optally.mjs`, that needs nothing at run
 * time but Node.js — so the package has no dependencies. The licences of the bundled libraries go
 * beside it in `THIRD-PARTY-LICENSES.txt`. Run by `npm run build:cli` and before `npm pack -w cli`.
 */
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { ESM_REQUIRE_BANNER } from '../infra/bundling.ts';

const CLI_DIR = dirname(fileURLToPath(import.meta.url));

/** What a build wrote, and how large it is. */
export type CliBuild = { file: string; bytes: number; licensesFile: string; packages: number };

/** Bundles the CLI into `outDir/optally.mjs` (default cli/dist/) with the licences of what it holds. */
export async function buildCli(outDir: string = join(CLI_DIR, 'dist')): Promise<CliBuild> {
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, 'optally.mjs');
  const result = await build({
    entryPoints: [join(CLI_DIR, 'main.ts')],
    outfile: file,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    mainFields: ['module', 'main'],
    // Whitespace and syntax only: names stay readable in the stack trace of a bug report.
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'none',
    banner: { js: `#!/usr/bin/env node\n${ESM_REQUIRE_BANNER}` },
    metafile: true,
    logLevel: 'warning',
  });
  chmodSync(file, 0o755);
  const licensesFile = join(outDir, 'THIRD-PARTY-LICENSES.txt');
  const packages = bundledPackages(result.metafile);
  writeFileSync(licensesFile, licensesText(packages));
  return { file, bytes: statSync(file).size, licensesFile, packages: packages.length };
}

type BundledPackage = { name: string; version: string; license: string; text: string | null };

/** Every npm package with code in the bundle, by name, with its licence file when it ships one. */
function bundledPackages(metafile: Metafile): BundledPackage[] {
  const roots = new Set<string>();
  for (const input of Object.keys(metafile.inputs)) {
    const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (match?.[1]) roots.add(match[1]);
  }
  const byName = new Map<string, BundledPackage>();
  for (const root of roots) {
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      name: string;
      version: string;
      license?: string;
    };
    const licenseFile = readdirSync(root).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
    byName.set(`${manifest.name}@${manifest.version}`, {
      name: manifest.name,
      version: manifest.version,
      license: manifest.license ?? 'see the package',
      text: licenseFile ? readFileSync(join(root, licenseFile), 'utf8').trim() : null,
    });
  }
  return [...byName.values()].sort(
    (a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version),
  );
}

/** The licences, each text once, headed by the packages that ship it (many share one text). */
function licensesText(packages: readonly BundledPackage[]): string {
  const byText = new Map<string, string[]>();
  for (const p of packages) {
    const text = p.text ?? `(${p.name} ships no licence file; its package.json says: ${p.license})`;
    byText.set(text, [...(byText.get(text) ?? []), `${p.name}@${p.version} (${p.license})`]);
  }
  const sections = [...byText.entries()].map(([text, names]) => `${names.join('\n')}\n\n${text}`);
  return `optally.mjs bundles ${packages.length} packages; their licences follow.\n\n${sections.join('\n\n---\n\n')}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const built = await buildCli();
  const size = `${(built.bytes / (1024 * 1024)).toFixed(2)} MB`;
  console.log(
    `${relative(process.cwd(), built.file)}  ${size}  (${built.packages} bundled packages; licences in ${relative(process.cwd(), built.licensesFile)})`,
  );
}
