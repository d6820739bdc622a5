import { copyFile, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { stageCliDownload } from './cli-download.ts';

const webDir = path.dirname(fileURLToPath(import.meta.url));
const projectRoot = path.dirname(webDir);

/**
 * Builds the dashboard into `outdir` (relative paths are taken from the project root, so the
 * result does not depend on the working directory): `index.html`, plus the script and style sheet
 * under content-hashed names with source maps. Only `index.html` needs `Cache-Control: no-cache`;
 * everything else can be cached for ever.
 *
 * A running server may be serving the folder: `index.html` is replaced last and atomically, and
 * only then are the previous builds' hashed files removed, so a page load never finds a file missing.
 */
export async function buildWeb(outdir = 'web/dist'): Promise<void> {
  const out = path.resolve(projectRoot, outdir);
  await mkdir(out, { recursive: true });
  const result = await build({
    entryPoints: {
      app: path.join(webDir, 'src/main.ts'),
      styles: path.join(webDir, 'styles.css'),
      // The press summary's sheet and the print rules (one A4 page).
      print: path.join(webDir, 'print.css'),
    },
    outdir: out,
    entryNames: '[name]-[hash]',
    // What is imported on demand becomes a chunk of its own: the French, Spanish and Arabic
    // catalogues are fetched only by a page shown in that language.
    splitting: true,
    chunkNames: 'chunk-[hash]',
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022', 'chrome110', 'firefox110', 'safari16'],
    minify: true,
    // Module scripts are always read as UTF-8: the Arabic catalogue stays letters, not \u escapes.
    charset: 'utf8',
    sourcemap: true,
    metafile: true,
    legalComments: 'linked',
    logLevel: 'warning',
  });
  const outputs = Object.entries(result.metafile.outputs);
  const named = (entry: string, ext: string) => {
    const found = outputs.find(([file, o]) => file.endsWith(ext) && o.entryPoint?.endsWith(entry));
    if (!found) throw new Error(`esbuild produced no ${ext} output for ${entry}`);
    return path.basename(found[0]);
  };
  const html = (await readFile(path.join(webDir, 'index.html'), 'utf8'))
    .replace('./main.js', `./${named('src/main.ts', '.js')}`)
    .replace('./styles.css', `./${named('styles.css', '.css')}`)
    .replace('./print.css', `./${named('print.css', '.css')}`);
  await copyFile(path.join(webDir, 'favicon.svg'), path.join(out, 'favicon.svg'));
  const temporary = path.join(out, `.index.html.${process.pid}.tmp`);
  await writeFile(temporary, html);
  await rename(temporary, path.join(out, 'index.html'));

  // The CLI, when built, is offered beside the dashboard (cli.json, cli/optally-*.mjs).
  const cli = await stageCliDownload(out);
  if ('skipped' in cli) console.warn(cli.skipped);

  const current = new Set(
    outputs.flatMap(([file]) => [path.basename(file), `${path.basename(file)}.LEGAL.txt`]),
  );
  for (const name of await readdir(out)) {
    if (
      /^(app|styles|print|chunk)-[A-Z0-9]+\.(js|css)(\.map|\.LEGAL\.txt)?$/.test(name) &&
      !current.has(name)
    ) {
      await rm(path.join(out, name), { force: true });
    }
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outdir = process.argv[2] ?? 'web/dist';
  await buildWeb(outdir);
  console.log(`dashboard built into ${path.resolve(projectRoot, outdir)}`);
}
