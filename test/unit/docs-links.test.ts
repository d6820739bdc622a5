import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Every relative link and every `#anchor` in README.md and docs/*.md must resolve inside this
 * repository: a reader of a clone (or of GitHub) must never meet a dead link or a link to a file the
 * repository does not hold (such as `../shared/…`).
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function documents(): string[] {
  const docs = existsSync(join(ROOT, 'docs'))
    ? readdirSync(join(ROOT, 'docs'))
        .filter((name) => name.endsWith('.md'))
        .sort()
        .map((name) => `docs/${name}`)
    : [];
  return ['README.md', ...docs];
}

/** The text outside fenced code blocks, line by line (fenced lines become empty: line numbers hold). */
function proseLines(markdown: string): string[] {
  let fence: string | undefined;
  return markdown.split(/\r?\n/).map((line) => {
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence === undefined) {
      if (marker !== undefined) {
        fence = marker;
        return '';
      }
      return line;
    }
    if (
      marker !== undefined &&
      marker[0] === fence[0] &&
      marker.length >= fence.length &&
      /^\s*$/.test(line.slice(line.indexOf(marker) + marker.length))
    ) {
      fence = undefined;
    }
    return '';
  });
}

/** A line without its code spans (their content is not Markdown). */
function withoutCodeSpans(line: string): string {
  return line.replace(/(`+)[\s\S]*?\1/g, '');
}

/** GitHub's heading anchor (github-slugger): lower case, punctuation dropped, spaces to hyphens. */
function githubSlug(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** The heading's text as GitHub renders it: code spans keep their content, links their text. */
function headingText(raw: string): string {
  return (
    raw
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/(`+)([\s\S]*?)\1/g, '$2')
      .replace(/<[^>]+>/g, '')
      // Emphasis markers (`_` inside a word, as in snake_case, is text).
      .replace(/\*+/g, '')
      .replace(/(^|\W)_+|_+(?=\W|$)/g, '$1')
      .trim()
  );
}

/** The anchors a Markdown file defines: its headings' slugs (duplicates numbered) and HTML ids. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of proseLines(markdown)) {
    const heading = /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(line)?.[1];
    if (heading !== undefined) {
      const slug = githubSlug(headingText(heading));
      const count = seen.get(slug) ?? 0;
      seen.set(slug, count + 1);
      anchors.add(count === 0 ? slug : `${slug}-${count}`);
    }
    for (const m of withoutCodeSpans(line).matchAll(/<a\s[^>]*(?:id|name)="([^"]+)"/g)) {
      anchors.add(m[1]!);
    }
  }
  return anchors;
}

type Link = { line: number; target: string };

/** Inline links and images `[text](target "title")` and reference definitions `[id]: target`. */
function linksOf(markdown: string): Link[] {
  const links: Link[] = [];
  proseLines(markdown).forEach((raw, index) => {
    const line = withoutCodeSpans(raw);
    const definition = /^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)/.exec(line)?.[1];
    if (definition !== undefined) {
      links.push({ line: index + 1, target: definition.replace(/^<|>$/g, '') });
      return;
    }
    for (const m of line.matchAll(/\]\(\s*(<[^>]*>|[^\s)]+)(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g)) {
      links.push({ line: index + 1, target: m[1]!.replace(/^<|>$/g, '') });
    }
  });
  return links;
}

/** Why a link of `file` (relative to the repository root) does not resolve, or undefined if it does. */
function brokenLink(file: string, target: string, root: string = ROOT): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) return undefined; // http:, mailto:…
  const hash = target.indexOf('#');
  const path = decodeURIComponent(hash === -1 ? target : target.slice(0, hash));
  const anchor = hash === -1 ? undefined : decodeURIComponent(target.slice(hash + 1));
  const source = join(root, file);
  const destination =
    path === '' ? source : path.startsWith('/') ? join(root, path) : resolve(dirname(source), path);
  const inside = relative(root, destination);
  if (inside.startsWith('..') || isAbsolute(inside)) return `${target} leaves the repository`;
  if (!existsSync(destination)) return `${target}: ${inside} does not exist`;
  if (anchor === undefined || anchor === '') return undefined;
  if (statSync(destination).isDirectory() || !destination.endsWith('.md')) {
    return `${target}: an anchor into a file that is not Markdown`;
  }
  if (!anchorsOf(readFileSync(destination, 'utf8')).has(anchor)) {
    return `${target}: no heading in ${inside} has the anchor #${anchor}`;
  }
  return undefined;
}

describe('githubSlug', () => {
  it.each([
    ['Agencies: sending a national return', 'agencies-sending-a-national-return'],
    ['Sending it: the optally command-line tool', 'sending-it-the-optally-command-line-tool'],
    [
      'Upload slots, receipts and dry runs (the HTTP API underneath)',
      'upload-slots-receipts-and-dry-runs-the-http-api-underneath',
    ],
    [
      'Fault tolerance (npm run test:faults: 2.5 minutes, 1,000 schedules)',
      'fault-tolerance-npm-run-testfaults-25-minutes-1000-schedules',
    ],
    ['Définitions — états', 'définitions--états'],
    ['snake_case stays', 'snake_case-stays'],
  ])('%s → %s', (heading, slug) => {
    expect(githubSlug(heading)).toBe(slug);
  });
});

describe('the link checker', () => {
  const markdown = [
    '# Title',
    '## The `optally` tool',
    '## Title',
    '```sh',
    '# not a heading',
    'see [no](nowhere.md)',
    '```',
    'Code `[no](nowhere.md)` is not a link; [yes](README.md "title") and [self](#title-1) are.',
    '[ref]: <docs/x.md#part>',
  ].join('\n');

  it('reads headings outside code, numbering duplicates', () => {
    expect([...anchorsOf(markdown)]).toEqual(['title', 'the-optally-tool', 'title-1']);
  });

  it('reads inline links and reference definitions outside code', () => {
    expect(linksOf(markdown)).toEqual([
      { line: 8, target: 'README.md' },
      { line: 8, target: '#title-1' },
      { line: 9, target: 'docs/x.md#part' },
    ]);
  });

  it('refuses links that leave the repository, missing files and unknown anchors', () => {
    expect(brokenLink('README.md', '../shared/DESIGN.md')).toMatch(/leaves the repository/);
    expect(brokenLink('docs/design.md', '../../shared/DESIGN.md')).toMatch(/leaves the repository/);
    expect(brokenLink('README.md', 'no-such-file.md')).toMatch(/does not exist/);
    expect(brokenLink('README.md', '#no-such-heading')).toMatch(/no heading/);
    expect(brokenLink('README.md', 'https://example.org/x')).toBeUndefined();
    expect(brokenLink('README.md', 'package.json')).toBeUndefined();
  });
});

describe.each(documents())('%s', (file) => {
  const markdown = readFileSync(join(ROOT, file), 'utf8');

  it('has only links and anchors that resolve inside the repository', () => {
    const broken = linksOf(markdown).flatMap(({ line, target }) => {
      const why = brokenLink(file, target);
      return why === undefined ? [] : [`${file}:${line}: ${why}`];
    });
    expect(broken).toEqual([]);
  });

  it('refers to no design document outside the repository', () => {
    expect(markdown).not.toMatch(/DESIGN\.md/);
  });
});
