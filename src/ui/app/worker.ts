// The app's analysis worker: the browser engine (onnxruntime-web) and the view computations, off the main thread.
import { loadModelFromFiles } from '../../browser/files.js';
import { installWebRuntime } from '../../browser/runtime.js';
import { setRuntime } from '../../engine/runtime.js';
import { deferredWebRuntime } from '../../browser/runtime.js';
import type { HookedTransformer } from '../../model/hookedTransformer.js';
import {
  ablationView, attributionView, bigramsView, circuitsView, compositionView, discoveryView, frameworkSection, headsView, neuronsView, patchingView, promptView,
} from '../../analysis/views/index.js';
import type { ModelInfo, ModelSource, Reply, Request } from './protocol.js';
import { corpusSample, heldOutStream } from './corpus.js';

setRuntime(deferredWebRuntime);
let model: HookedTransformer | null = null;
/** Models the framework view loads beside the current one (by the server's model id), kept for the session. */
const others = new Map<string, Promise<HookedTransformer>>();

function need(): HookedTransformer {
  if (!model) throw new Error('no model is loaded');
  return model;
}

async function read(source: ModelSource): Promise<HookedTransformer> {
  let input: Record<string, Uint8Array> | File[];
  if ('urls' in source) {
    input = {};
    for (const [name, url] of Object.entries(source.urls)) {
      const r = await fetch(url);
      if (!r.ok) throw new Error(`${name}: the server answered ${r.status}`);
      input[name] = new Uint8Array(await r.arrayBuffer());
    }
  } else input = 'files' in source ? source.files : source.bytes;
  // As TransformerLens's from_pretrained: weights processed (LayerNorm folded, writers centred) for the analyses.
  return loadModelFromFiles(input, { processWeights: true });
}

async function load(source: ModelSource): Promise<ModelInfo> {
  model = await read(source);
  const info = await installWebRuntime();
  const params = Object.values(model.weights).reduce((s, t) => s + t.data.length, 0);
  return { config: { ...model.cfg }, params, hasTokenizer: model.tokenizer !== null, backend: `${info.backend}, ${info.threads} thread${info.threads > 1 ? 's' : ''}` };
}

function other(m: { key: string; urls: Record<string, string> } | null): Promise<HookedTransformer> {
  if (!m) return Promise.resolve(need());
  let p = others.get(m.key);
  if (!p) {
    p = read({ urls: m.urls });
    others.set(m.key, p);
    p.catch(() => others.delete(m.key));
  }
  return p;
}

async function handle(r: Request): Promise<unknown> {
  switch (r.type) {
    case 'load': return load(r.source);
    case 'prompt': return promptView(need(), r.text);
    case 'heads': return headsView(need());
    case 'circuits': return circuitsView(need(), r.layer, r.head, r.text);
    case 'composition': return compositionView(need(), r.text);
    case 'attribution': return attributionView(need(), r.text, r.answer);
    case 'ablate': return ablationView(need(), r.text, r.layer, r.head, r.kind);
    case 'patch': return patchingView(need(), r);
    case 'neurons': {
      const m = need();
      return neuronsView(m, r.text, r.layer, r.neuron, await corpusSample(m));
    }
    case 'bigrams': {
      const m = need();
      return bigramsView(m, await heldOutStream(m));
    }
    case 'discover': return discoveryView(need(), r);
    case 'framework': {
      const m = await other(r.model);
      const s = await heldOutStream(m);
      return { ...(await frameworkSection(m, r.section, s?.stream ?? null, s?.name)), modelKey: r.model?.key ?? null };
    }
  }
}

// Requests run one at a time, in order: onnxruntime-web runs one session at a time in a worker anyway.
let queue: Promise<void> = Promise.resolve();
self.onmessage = (e: MessageEvent<{ id: number; request: Request }>) => {
  const { id, request } = e.data;
  queue = queue.then(async () => {
    let reply: Reply;
    try {
      reply = { id, ok: true, value: await handle(request) };
    } catch (err) {
      reply = { id, ok: false, error: (err as Error).message.split('\n')[0] ?? String(err) };
    }
    (self as unknown as Worker).postMessage(reply);
  });
};
