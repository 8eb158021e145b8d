// The app's URL: `#/<view>?model=<id>&prompt=<text>&layer=<l>&head=<h>` plus a view's own parameters (patching's
// prompts and answers, the neuron), so every view is linkable.
export const VIEWS = [
  'model', 'prompt', 'attention', 'heads', 'circuits', 'composition', 'attribution', 'patching', 'discover', 'neurons', 'bigrams', 'framework', 'train', 'development',
] as const;
export type ViewName = (typeof VIEWS)[number];

/** Parameters a view keeps in the URL beyond the shared ones. */
export const EXTRA_PARAMS = ['clean', 'corrupt', 'answer', 'wrong', 'neuron', 'method', 'tau', 'steps', 'ablation', 'reference', 'corruption'] as const;
export type ExtraParam = (typeof EXTRA_PARAMS)[number];

export interface Route {
  view: ViewName;
  model: string | null;
  prompt: string | null;
  layer: number;
  head: number;
  /** A view's own parameters (absent: the view's default). */
  extra: Partial<Record<ExtraParam, string>>;
}

export function parseRoute(hash: string): Route {
  const [path, query] = hash.replace(/^#\/?/, '').split('?') as [string, string | undefined];
  const q = new URLSearchParams(query ?? '');
  const view = (VIEWS as readonly string[]).includes(path) ? (path as ViewName) : 'model';
  const int = (k: string) => { const v = Number(q.get(k)); return Number.isInteger(v) && v >= 0 ? v : 0; };
  const extra: Route['extra'] = {};
  for (const k of EXTRA_PARAMS) { const v = q.get(k); if (v !== null) extra[k] = v; }
  return { view, model: q.get('model'), prompt: q.get('prompt'), layer: int('layer'), head: int('head'), extra };
}

export function routeHash(r: Route): string {
  const q = new URLSearchParams();
  if (r.model !== null) q.set('model', r.model);
  if (r.prompt !== null) q.set('prompt', r.prompt);
  if (r.layer) q.set('layer', String(r.layer));
  if (r.head) q.set('head', String(r.head));
  for (const k of EXTRA_PARAMS) { const v = r.extra[k]; if (v !== undefined && v !== '') q.set(k, v); }
  const s = q.toString();
  return `#/${r.view}${s ? `?${s}` : ''}`;
}
