import type { FigureText } from './format.ts';

/**
 * Small DOM helpers. Text is always set with `textContent` (file contents and names come from
 * agencies: never parsed as HTML), and only when it changes, so polling does not touch the page
 * when nothing moved (no flicker, no needless screen-reader chatter).
 */

type Attributes = Record<string, string | boolean | undefined>;

/** Creates an element with attributes (`true` = present, `false`/undefined = absent) and children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === true) node.setAttribute(name, '');
    else if (typeof value === 'string') node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}

/** The element with this id; throws when the page lacks it (a bug in index.html). */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`index.html has no element #${id}`);
  return node as T;
}

/** Sets text only when it differs. */
export function setText(node: Node, text: string): void {
  if (node.textContent !== text) node.textContent = text;
}

/** Sets (or, with null, removes) an attribute only when it differs. */
export function setAttr(node: Element, name: string, value: string | null): void {
  if (value === null) {
    if (node.hasAttribute(name)) node.removeAttribute(name);
  } else if (node.getAttribute(name) !== value) {
    node.setAttribute(name, value);
  }
}

/** Shows or hides an element with the `hidden` attribute. */
export function setHidden(node: HTMLElement, hidden: boolean): void {
  if (node.hidden !== hidden) node.hidden = hidden;
}

/**
 * Shows a figure in an element: its text, `data-state` (value / zero / missing) for styling, and
 * for "not reported" a visually hidden "not reported" so screen readers do not read a dash.
 */
export function setFigure(node: HTMLElement, figure: FigureText): void {
  setAttr(node, 'data-state', figure.state);
  const current = node.dataset.text;
  if (current === figure.text && node.childNodes.length > 0) return;
  node.dataset.text = figure.text;
  if (figure.state === 'missing') {
    node.replaceChildren(
      h('span', { 'aria-hidden': 'true' }, figure.text),
      h('span', { class: 'sr-only' }, figure.label),
    );
    setAttr(node, 'title', figure.label);
  } else {
    node.replaceChildren(figure.text);
    setAttr(node, 'title', null);
  }
}

/** Sets a `<time>` element: machine-readable `datetime`, human text. */
export function setTime(node: HTMLElement, iso: string | null, text: string): void {
  setAttr(node, 'datetime', iso);
  setText(node, text);
}

/**
 * Makes a list's items match `items` by key, reusing existing items (so nothing blinks) and
 * keeping their order; `render` fills a new item, `update` refreshes an existing one.
 */
export function syncList<T>(
  list: HTMLElement,
  items: readonly T[],
  key: (item: T) => string,
  render: (item: T) => HTMLElement,
  update?: (node: HTMLElement, item: T) => void,
): void {
  const existing = new Map<string, HTMLElement>();
  for (const child of Array.from(list.children) as HTMLElement[]) {
    if (child.dataset.key) existing.set(child.dataset.key, child);
  }
  let cursor: Element | null = list.firstElementChild;
  for (const item of items) {
    const k = key(item);
    let node = existing.get(k);
    if (node) {
      existing.delete(k);
      update?.(node, item);
    } else {
      node = render(item);
      node.dataset.key = k;
    }
    if (node !== cursor) list.insertBefore(node, cursor);
    else cursor = cursor.nextElementSibling;
  }
  for (const stale of existing.values()) stale.remove();
}

/**
 * A digest shown short (`3f2a9c0d1b7e…`) with the full value in its title (on hover) and, for
 * screen readers, in place of the shortened text.
 */
export function hashCode(full: string | null, short: string): HTMLElement {
  if (full === null) {
    return h(
      'code',
      { class: 'hash' },
      h('span', { 'aria-hidden': 'true' }, short),
      h('span', { class: 'sr-only' }, 'not known yet'),
    );
  }
  return h(
    'code',
    { class: 'hash', title: full },
    h('span', { 'aria-hidden': 'true' }, short),
    h('span', { class: 'sr-only' }, full),
  );
}

/**
 * Saves a blob as a file named `name`: a temporary `<a download>` on an object URL (the API needs
 * the bearer token, so a plain link cannot fetch it). The URL is released once the browser has
 * had time to start the download.
 */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const anchor = h('a', { href: url, download: name, hidden: true });
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
