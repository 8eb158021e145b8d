// The app's URL: `#/<view>?model=<id>&prompt=<text>&layer=<l>&head=<h>`, so every view is linkable.
export const VIEWS = ['model', 'prompt', 'attention', 'heads', 'circuits', 'composition', 'attribution', 'train'] as const;
export type ViewName = (typeof VIEWS)[number];

export interface Route {
  view: ViewName;
  model: string | null;
  prompt: string | null;
  layer: number;
  head: number;
}

export function parseRoute(hash: string): Route {
  const [path, query] = hash.replace(/^#\/?/, '').split('?') as [string, string | undefined];
  const q = new URLSearchParams(query ?? '');
  const view = (VIEWS as readonly string[]).includes(path) ? (path as ViewName) : 'model';
  const int = (k: string) => { const v = Number(q.get(k)); return Number.isInteger(v) && v >= 0 ? v : 0; };
  return { view, model: q.get('model'), prompt: q.get('prompt'), layer: int('layer'), head: int('head') };
}

export function routeHash(r: Route): string {
  const q = new URLSearchParams();
  if (r.model !== null) q.set('model', r.model);
  if (r.prompt !== null) q.set('prompt', r.prompt);
  if (r.layer) q.set('layer', String(r.layer));
  if (r.head) q.set('head', String(r.head));
  const s = q.toString();
  return `#/${r.view}${s ? `?${s}` : ''}`;
}
