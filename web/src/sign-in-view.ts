import type { LocalTokens } from './api-types.ts';
import { byId, h, setHidden, setText } from './dom.ts';
import { pageIntlLocale, t } from './i18n.ts';

/** A country's name in the page's language from its ISO code, as the browser knows it (the code when it does not). */
export function regionName(code: string): string {
  try {
    return new Intl.DisplayNames([pageIntlLocale()], { type: 'region' }).of(code) ?? code;
  } catch {
    return code;
  }
}

/**
 * The sign-in panel. Deployed, the main door is the identity provider's sign-in page
 * (`offerHostedSignIn`); on the local stack, which offers ready-made tokens at `/local/tokens`, a
 * role button. Pasting a token stays possible everywhere, for operators.
 */
export class SignInView {
  #tokens: LocalTokens | null = null;

  constructor(private readonly onToken: (token: string) => void) {
    byId<HTMLFormElement>('token-form').addEventListener('submit', (event) => {
      event.preventDefault();
      const token = byId<HTMLTextAreaElement>('token-input').value.trim();
      if (token === '') {
        this.error(t('web.sign-in.paste-first'));
        return;
      }
      this.onToken(token);
    });
    for (const button of Array.from(document.querySelectorAll<HTMLButtonElement>('[data-role]'))) {
      button.addEventListener('click', () => {
        const role = button.dataset.role as 'coordinator' | 'auditor' | 'admin';
        const token = this.#tokens?.[role];
        if (token) this.onToken(token);
      });
    }
    byId('agency-sign-in').addEventListener('click', () => {
      const token = this.#tokens?.agencies[byId<HTMLSelectElement>('agency-select').value];
      if (token) this.onToken(token);
    });
  }

  /**
   * Puts "Sign in with your optally account" first in the panel: `onSignIn` sends the browser to the
   * identity provider. Called once, when `/config.json` names one.
   */
  offerHostedSignIn(onSignIn: () => void): void {
    if (document.getElementById('hosted-sign-in')) return;
    const button = h('button', { type: 'button', id: 'hosted-sign-in' }, t('web.sign-in.hosted'));
    button.addEventListener('click', () => {
      button.disabled = true;
      onSignIn();
    });
    byId('local-roles').before(
      h(
        'div',
        { id: 'hosted-sign-in-block' },
        h('p', {}, t('web.sign-in.hosted-help')),
        button,
        h('p', { class: 'or' }, t('web.sign-in.or-paste-operators')),
      ),
    );
  }

  /** Shows the panel, with the local roles when offered, and an optional message (e.g. why the last token failed). */
  show(tokens: LocalTokens | null, message = ''): void {
    this.#tokens = tokens;
    setHidden(byId('local-roles'), tokens === null);
    if (tokens) {
      const agencies = Object.keys(tokens.agencies)
        .map((code) => ({ code, name: regionName(code) }))
        .sort((a, b) => a.name.localeCompare(b.name));
      byId('agency-select').replaceChildren(
        ...agencies.map((a) => h('option', { value: a.code }, `${a.name} (${a.code})`)),
      );
    }
    byId<HTMLTextAreaElement>('token-input').value = '';
    const hosted = document.getElementById('hosted-sign-in');
    if (hosted instanceof HTMLButtonElement) hosted.disabled = false;
    this.error(message);
    setHidden(byId('sign-in'), false);
    byId('sign-in-title').focus();
  }

  hide(): void {
    setHidden(byId('sign-in'), true);
  }

  error(message: string): void {
    const node = byId('token-error');
    setText(node, message);
    setHidden(node, message === '');
  }
}
