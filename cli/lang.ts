import { InvalidArgumentError } from 'commander';
import { isLocale, type Locale, negotiateLocale } from '../shared/i18n/locale.ts';
import { loadLocale, type MessageKey, renderMessage } from '../shared/i18n/render.ts';
import { type CatalogueText, msg } from '../shared/i18n/text.ts';

/** The languages `--lang` takes, as the help lists them. */
export const LANG_CHOICES = 'en, fr, es or ar';

/**
 * `--lang`'s parser: a supported language, as a code or a tag of it (`fr`, `fr-CA`, `es_419`);
 * anything else is a usage error naming the choices.
 */
export function parseLang(value: string): Locale {
  const language = value
    .trim()
    .toLowerCase()
    .split(/[-_.@]/)[0];
  if (!isLocale(language)) {
    throw new InvalidArgumentError(
      `"${value}" is not a language reports are written in: use ${LANG_CHOICES}.`,
    );
  }
  return language;
}

/**
 * The language the CLI writes reports in: `--lang`, else `OPTALLY_LANG`, else the system locale
 * (`LC_ALL`, `LC_MESSAGES`, `LANG`, then what the runtime reports, as POSIX orders them), the first
 * of these that names a supported language; English when none does (`LANG=C`, `de_DE`).
 */
export function cliLocale(
  lang: string | undefined,
  env: Readonly<Record<string, string | undefined>> = process.env,
  system: string = Intl.DateTimeFormat().resolvedOptions().locale,
): Locale {
  const wanted = [lang, env.OPTALLY_LANG, env.LC_ALL, env.LC_MESSAGES, env.LANG, system]
    .map((tag) => tag?.trim().split('.')[0])
    .filter((tag): tag is string => Boolean(tag));
  return negotiateLocale(wanted);
}

/** The language this run of the CLI writes in: English until `loadCliLocale` chose one. */
let current: Locale = 'en';

/**
 * `cliLocale`, loaded: the reports can then be rendered in it, and it becomes the language of the
 * CLI's own lines (`say`). `run` (context.ts) calls it before any command's work.
 */
export async function loadCliLocale(lang: string | undefined): Promise<Locale> {
  const locale = cliLocale(lang);
  await loadLocale(locale);
  current = locale;
  return locale;
}

/** The language the CLI writes in now (see `loadCliLocale`). */
export function currentCliLocale(): Locale {
  return current;
}

/** The CLI's line `key` in its language (English until one was chosen). */
export function say<K extends MessageKey>(...args: Parameters<typeof msg<K>>): string {
  return sayText(msg(...args));
}

/** A catalogue text (a lower layer's refusal, a `CliError`'s) in `locale`, by default the CLI's. */
export function sayText(text: CatalogueText, locale: Locale = current): string {
  return renderMessage(text.key, text.params, locale);
}
