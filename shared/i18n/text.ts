import type { MessageKey, MessageParams, Params } from './catalogues.generated.ts';
import { renderMessage } from './render.ts';

/**
 * A sentence as data: the catalogue key and its parameters, rendered in the reader's language at
 * the edge (`renderMessage(text.key, text.params, locale)`). Layers that refuse something (the
 * policy, the lifecycle, shared/app) name what they say this way, never as finished English.
 */
export type CatalogueText = { readonly key: MessageKey; readonly params: Params };

/** The parameters `key` takes, as the English catalogue names them; optional when it takes none. */
type ParamsOf<K extends MessageKey> =
  Record<never, never> extends MessageParams[K] ? [params?: MessageParams[K]] : [params: MessageParams[K]];

/** The catalogue message `key` with its `params` (checked against the catalogue by the compiler). */
export function msg<K extends MessageKey>(key: K, ...[params]: ParamsOf<K>): CatalogueText {
  return { key, params: params ?? {} };
}

/** `text` in English: what logs, tests and English readers see. */
export function english(text: CatalogueText): string {
  return renderMessage(text.key, text.params, 'en');
}

/**
 * Why a layer refuses to do something: a code (the API's error code, shared/api/errors.ts, for
 * those the API answers), the catalogue `text` saying what to change, and that text in English
 * (`message`), for logs, the CLI's English and tests. The API renders `text` in the request's
 * language (`HttpError.refused`, functions/api/http.ts).
 */
export type Refusal<C extends string> = {
  readonly code: C;
  readonly text: CatalogueText;
  readonly message: string;
};

/** A refusal with `code` saying `text`. */
export function refusal<C extends string>(code: C, text: CatalogueText): Refusal<C> {
  return { code, text, message: english(text) };
}
