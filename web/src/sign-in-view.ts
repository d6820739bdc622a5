import type { LocalTokens } from './api-types.ts';
import { byId, h, setHidden, setText } from './dom.ts';

/** A country's English name from its ISO code, as the browser knows it (the code when it does not). */
export function regionName(code: string): string {
  try {
    return new Intl.DisplayNames(['en'], { type: 'region' }).of(code) ?? code;
  } catch {
    return code;
  }
}

/**
 * The sign-in panel: paste a token, or — on the local stack, which offers ready-made tokens at
 * `/local/tokens` — pick a role. Deployed, that endpoint does not exist and only the token field shows.
 */
export class SignInView {
  #tokens: LocalTokens | null = null;

  constructor(private readonly onToken: (token: string) => void) {
    byId<HTMLFormElement>('token-form').addEventListener('submit', (event) => {
      event.preventDefault();
      const token = byId<HTMLTextAreaElement>('token-input').value.trim();
      if (token === '') {
        this.error('Paste a token first.');
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
