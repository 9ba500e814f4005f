/** DOM helpers: every published value goes in as text, never parsed as HTML. */

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: (Node | string | null)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === 'class') node.className = value;
    else node.setAttribute(name, value);
  }
  for (const child of children) if (child !== null) node.append(child);
  return node;
}

export function byId(id: string): HTMLElement {
  const node = document.getElementById(id);
  if (node === null) throw new Error(`the page has no #${id}`);
  return node;
}

/** The status line under the heading: loading, an error, or nothing once the view is drawn. */
export function setState(kind: 'loading' | 'error' | 'done', text = ''): void {
  const state = byId('state');
  state.className = kind;
  state.textContent = kind === 'done' ? '' : text;
  state.hidden = kind === 'done';
  document.body.dataset['state'] = kind;
}

/** A link to another view of the same force. */
export function viewHref(path: string, forceId: string): string {
  return `${path}?forceId=${encodeURIComponent(forceId)}`;
}

/** Asks the view's one data request; a lapsed login goes back to /login, an error is said in the page. */
export async function fetchView<T>(path: string): Promise<T> {
  const response = await fetch(path, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
  if (response.status === 401) {
    location.href = `/login?next=${encodeURIComponent(location.pathname)}`;
    throw new Error('the login has expired');
  }
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const message =
      body !== null && typeof body === 'object' && 'message' in body ? String(body.message) : `HTTP ${response.status}`;
    throw new Error(message);
  }
  return body as T;
}
