import { useEffect, useMemo, useState } from 'preact/hooks';
import { EngineClient } from './client.js';
import type { ModelEntry, ModelInfo } from './protocol.js';
import { parseRoute, routeHash, VIEWS, type Route, type ViewName } from './route.js';
import { ModelView } from './views/ModelView.js';
import { AttentionView, PromptView } from './views/PromptViews.js';
import { CircuitsView, HeadsView } from './views/HeadsView.js';
import { CompositionView } from './views/CompositionView.js';
import { AttributionView } from './views/AttributionView.js';
import { TrainView } from './views/TrainView.js';
import { PatchingView } from './views/PatchingView.js';
import { DiscoverView } from './views/DiscoverView.js';
import { NeuronsView } from './views/NeuronsView.js';
import { BigramsView } from './views/BigramsView.js';
import { FrameworkView } from './views/FrameworkView.js';
import { DevelopmentView } from './views/DevelopmentView.js';
import type { ViewProps } from './views/common.js';
import { appStyles } from './styles.js';
import { droppedFiles, type DropItem } from './drop.js';

const TITLES: Record<ViewName, string> = {
  model: 'Model', prompt: 'Prompt', attention: 'Attention', heads: 'Heads', circuits: 'Circuits',
  composition: 'Composition', attribution: 'Attribution', patching: 'Patching', discover: 'Discover', neurons: 'Neurons', bigrams: 'Zero-layer',
  framework: 'Framework', train: 'Train', development: 'Development',
};
/** Views that do not read the shared prompt (they have their own inputs, or none). */
const NO_PROMPT: readonly ViewName[] = ['train', 'model', 'patching', 'discover', 'bigrams', 'framework', 'development'];
const DEFAULT_PROMPT = 'The cat sat on the mat. The cat sat on the mat.';

function useRoute(): [Route, (c: Partial<Route>) => void] {
  const [route, setRoute] = useState(parseRoute(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return [route, (c) => { location.hash = routeHash({ ...parseRoute(location.hash), ...c }); }];
}

async function fetchJSON<T>(url: string): Promise<T | null> {
  const r = await fetch(url).catch(() => null);
  return r && r.ok ? ((await r.json()) as T) : null;
}

/** A repeated run of token ids, for models without a tokenizer: induction shows on the second copy. */
function defaultIds(vocab: number): string {
  const run = [5, 9, 2, 14, 7, 11, 3].map((i) => i % vocab);
  return [...run, ...run].join(' ');
}

function parseMetrics(text: string): Record<string, unknown>[] {
  return text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** The circuitscope app: pick (or drop, or train) a model, then look at it through every view. */
export function App() {
  appStyles();
  const engine = useMemo(() => new EngineClient(new Worker(new URL('./app-worker.js', location.href), { type: 'module' })), []);
  const [route, go] = useRoute();
  const [models, setModels] = useState<ModelEntry[]>([]);
  const [info, setInfo] = useState<ModelInfo | null>(null);
  const [metrics, setMetrics] = useState<Record<string, unknown>[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState<string | null>(null);
  /** The name of a model loaded from this tab (dropped or trained here), shown in the picker. */
  const [local, setLocal] = useState<string | null>(null);
  /** Bumped on every load: the views remount, so that none shows (or keeps) the previous model's results. */
  const [loads, setLoads] = useState(0);

  useEffect(() => { void fetchJSON<ModelEntry[]>('./models.json').then((m) => setModels(m ?? [])); }, []);
  const entry = route.model === 'local' ? undefined : models.find((m) => m.id === route.model) ?? (route.model === null ? models[0] : undefined);
  useEffect(() => {
    if (!entry) return;
    setLoading(entry.name);
    setError(null);
    const urls: Record<string, string> = {};
    for (const f of entry.files) if (f !== 'metrics.jsonl') urls[f] = entry.base + f;
    engine.request({ type: 'load', source: { urls } }).then(async (i) => {
      setInfo(i);
      setLoads((n) => n + 1);
      setMetrics(entry.files.includes('metrics.jsonl') ? parseMetrics(await (await fetch(entry.base + 'metrics.jsonl')).text()) : null);
    }, (e: Error) => setError(e.message)).finally(() => setLoading(null));
  }, [entry?.id]);

  const loadLocal = (source: { files: File[] } | { bytes: Record<string, Uint8Array> }, m: Record<string, unknown>[] | null, name: string) => {
    setLoading(name);
    setError(null);
    engine.request({ type: 'load', source }).then((i) => { setInfo(i); setLoads((n) => n + 1); setMetrics(m); setLocal(name); go({ model: 'local', view: route.view === 'train' ? 'heads' : route.view }); },
      (e: Error) => setError(e.message)).finally(() => setLoading(null));
  };
  const onDrop = async (files: File[], folder: string | null = null) => {
    const metricsFile = files.find((f) => f.name === 'metrics.jsonl');
    loadLocal({ files }, metricsFile ? parseMetrics(await metricsFile.text()) : null, folder ?? (files[0]?.webkitRelativePath.split('/')[0] || 'dropped model'));
  };

  const prompt = route.prompt ?? (info && !info.hasTokenizer ? defaultIds(Number(info.config['d_vocab'])) : DEFAULT_PROMPT);
  const props: ViewProps | null = info ? { engine, info, route, go, prompt, metrics, models, modelId: entry?.id ?? null } : null;
  return (
    <div class="app" onDragOver={(e) => e.preventDefault()} onDrop={(e) => { e.preventDefault(); if (e.dataTransfer) void droppedFiles(e.dataTransfer.items as unknown as ArrayLike<DropItem>).then((d) => onDrop(d.files, d.folder)); }}>
      <header class="app-header">
        <span class="app-brand">circuitscope</span>
        <nav>{VIEWS.map((v) => <a href={routeHash({ ...route, view: v })} aria-current={v === route.view ? 'page' : undefined}>{TITLES[v]}</a>)}</nav>
        <span class="app-model">
          {(models.length > 0 || local) && (
            <select name="model" value={entry?.id ?? (local ? 'local' : '')} onChange={(e) => go({ model: (e.target as HTMLSelectElement).value })}>
              {models.map((m) => <option value={m.id}>{m.name}</option>)}
              {local && <option value="local">{local} (in this tab)</option>}
            </select>
          )}
          <label class="cs-btn">open a model folder<input type="file" hidden {...{ webkitdirectory: true }} multiple onChange={(e) => void onDrop(Array.from((e.target as HTMLInputElement).files ?? []))} /></label>
        </span>
      </header>
      {!NO_PROMPT.includes(route.view) && (
        <form class="app-prompt" onSubmit={(e) => { e.preventDefault(); go({ prompt: (e.currentTarget.elements.namedItem('prompt') as HTMLInputElement).value }); }}>
          <label>prompt <input name="prompt" value={prompt} placeholder={info && !info.hasTokenizer ? 'token ids, e.g. 5 9 2 5 9 2' : 'text'} /></label>
          <button type="submit" class="cs-btn">run</button>
        </form>
      )}
      <main>
        {error && <p class="app-error" role="alert">{error}</p>}
        {loading && <p class="app-busy">loading {loading}…</p>}
        {route.view === 'train' && <TrainView onModel={(files, m) => loadLocal({ bytes: files }, m as unknown as Record<string, unknown>[], 'trained model')} />}
        {route.view === 'development' && <DevelopmentView />}
        {route.view !== 'train' && route.view !== 'development' && !props && !loading && !error && (
          <p class="app-explain">No model yet: drop a model folder (config.json and model.safetensors: a circuitscope run, a TransformerLens state dict or a Hugging Face GPT-2) anywhere on this page, or train one under <a href={routeHash({ ...route, view: 'train' })}>Train</a>.</p>
        )}
        {props && <div key={loads}>
        {route.view === 'model' && <ModelView {...props} />}
        {route.view === 'prompt' && <PromptView {...props} />}
        {route.view === 'attention' && <AttentionView {...props} />}
        {route.view === 'heads' && <HeadsView {...props} />}
        {route.view === 'circuits' && <CircuitsView {...props} />}
        {route.view === 'composition' && <CompositionView {...props} />}
        {route.view === 'attribution' && <AttributionView {...props} />}
        {route.view === 'patching' && <PatchingView {...props} />}
        {route.view === 'discover' && <DiscoverView {...props} />}
        {route.view === 'neurons' && <NeuronsView {...props} />}
        {route.view === 'bigrams' && <BigramsView {...props} />}
        {route.view === 'framework' && <FrameworkView {...props} />}
        </div>}
      </main>
    </div>
  );
}
