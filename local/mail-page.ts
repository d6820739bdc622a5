import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { direction, type Locale, negotiateLocale } from '../shared/i18n/locale.ts';
import { loadLocale, type MessageKey, type Params, renderMessage } from '../shared/i18n/render.ts';
import { type MailboxEntry, readMailbox } from './mail-server.ts';

/** A local-only page's answer. */
export type LocalPage = { status: number; contentType: string; body: string };

/**
 * `GET /local/mail`: the messages the local SMTP server received, newest first (`?format=json`:
 * the index as JSON); `?id={file}` shows one (headers and text), `&raw=1` as received. Only files
 * the mailbox's index lists are ever read. The language is `?lang=`, else `Accept-Language`.
 */
export function mailPage(
  dir: string,
): (url: URL, headers: Record<string, string | undefined>) => Promise<LocalPage> {
  return async (url, headers) => {
    const locale = negotiateLocale(url.searchParams.get('lang') ?? headers['accept-language']);
    await loadLocale(locale);
    const entries = (await readMailbox(dir)).reverse();
    const id = url.searchParams.get('id');
    if (id === null) {
      if (url.searchParams.get('format') === 'json') {
        return { status: 200, contentType: 'application/json', body: JSON.stringify({ messages: entries }) };
      }
      return html(200, locale, listing(entries, locale));
    }
    const entry = entries.find((e) => e.file === id);
    if (!entry)
      return html(
        404,
        locale,
        `<p role="alert">${t(locale, 'local.mail.unknown', { id })}</p>${back(locale)}`,
      );
    const raw = await readFile(join(dir, entry.file));
    if (url.searchParams.get('raw') === '1') {
      return { status: 200, contentType: 'text/plain; charset=utf-8', body: raw.toString('utf8') };
    }
    return html(200, locale, await message(entry, raw, locale));
  };
}

function listing(entries: readonly MailboxEntry[], locale: Locale): string {
  const intro = `<p>${t(locale, 'local.mail.intro')}</p>`;
  if (entries.length === 0) return `${intro}<p>${t(locale, 'local.mail.empty')}</p>`;
  const head = (['received', 'from', 'to', 'subject'] as const)
    .map((c) => `<th scope="col">${t(locale, `local.mail.column.${c}`)}</th>`)
    .join('');
  const rows = entries
    .map(
      (e) =>
        `<tr><td><time datetime="${esc(e.receivedAt)}">${esc(shownTime(e.receivedAt))}</time></td><td>${esc(e.from)}</td><td>${esc(e.to.join(', '))}</td><td><a href="?id=${encodeURIComponent(e.file)}&amp;lang=${locale}">${esc(e.subject || e.file)}</a></td></tr>`,
    )
    .join('\n');
  return `${intro}<table><thead><tr>${head}</tr></thead><tbody>\n${rows}\n</tbody></table>`;
}

async function message(entry: MailboxEntry, raw: Buffer, locale: Locale): Promise<string> {
  const parsed = await simpleParser(raw);
  const fields: [MessageKey, string][] = [
    ['local.mail.column.received', shownTime(entry.receivedAt)],
    ['local.mail.column.from', parsed.from?.text ?? entry.from],
    ['local.mail.column.to', entry.to.join(', ')],
    ['local.mail.column.subject', parsed.subject ?? entry.subject],
  ];
  const list = fields.map(([key, value]) => `<dt>${t(locale, key)}</dt><dd>${esc(value)}</dd>`).join('');
  // The text part only: a message's HTML is never rendered here.
  const language = parsed.headers.get('content-language');
  const lang = typeof language === 'string' ? ` lang="${esc(language)}" dir="auto"` : ' dir="auto"';
  return `${back(locale)}<dl>${list}</dl><pre${lang}>${esc(parsed.text ?? '')}</pre><p><a href="?id=${encodeURIComponent(entry.file)}&amp;raw=1">${t(locale, 'local.mail.raw')}</a></p>`;
}

function html(status: number, locale: Locale, main: string): LocalPage {
  const title = t(locale, 'local.mail.title');
  const body = `<!doctype html>
<html lang="${locale}" dir="${direction(locale)}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>
body { font-family: system-ui, sans-serif; margin-block: 1.5rem; margin-inline: 1.5rem; color: #1b1f24; }
table { border-collapse: collapse; inline-size: 100%; }
th, td { text-align: start; padding-block: 0.3rem; padding-inline: 0.5rem; border-block-end: 1px solid #d0d7de; vertical-align: top; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; }
dt { font-weight: 600; }
dd { margin-inline-start: 0; }
pre { white-space: pre-wrap; background: #f6f8fa; padding-block: 1rem; padding-inline: 1rem; border-inline-start: 4px solid #0969da; }
a { color: #0550ae; }
</style></head>
<body><main><h1>${title}</h1>
${main}
</main></body></html>`;
  return { status, contentType: 'text/html; charset=utf-8', body };
}

const back = (locale: Locale) => `<p><a href="?lang=${locale}">${t(locale, 'local.mail.back')}</a></p>`;

/** A catalogue message, escaped for HTML. */
function t(locale: Locale, key: MessageKey, params: Params = {}): string {
  return esc(renderMessage(key, params, locale));
}

/** `2025-11-14T18:00:03.120Z` → `2025-11-14 18:00:03 UTC`: the same in every language. */
function shownTime(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})/.exec(iso);
  return m ? `${m[1]} ${m[2]} UTC` : iso;
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
