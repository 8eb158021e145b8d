import { useEffect, useState } from 'preact/hooks';
import { Bars, BigramCompare, ComplexPlane, DataTable, HeadGrid, Heatmap } from '../../components/index.js';
import { FRAMEWORK_SECTIONS, type FrameworkSectionId } from '../../../analysis/views/frameworkSections.js';
import type { ModelEntry, Results } from '../protocol.js';
import { routeHash, type ViewName } from '../route.js';
import { Explain, Status, useRequest, type ViewProps } from './common.js';

/** Each section's claim in one sentence (the paper's), and where to look further. */
const CLAIMS: Record<FrameworkSectionId, { claim: string; links: [ViewName, string][] }> = {
  zero: {
    claim: 'A zero-layer transformer can only learn bigram statistics: its logits W_U W_E approximate log P(next token | current token).',
    links: [['bigrams', 'the Zero-layer view']],
  },
  one: {
    claim: 'A one-layer attention-only transformer is an ensemble of a bigram model and skip-trigrams (source … destination → output), and most of its heads copy: their OV circuits have mostly positive eigenvalues.',
    links: [['heads', 'Heads (copying scores, eigenvalues)'], ['circuits', 'Circuits (a head\'s QK and OV, skip-trigrams)']],
  },
  two: {
    claim: 'With two layers heads compose: a layer-0 previous-token head K-composes into a layer-1 induction head, which attends to the token after an earlier copy of the current one and copies it, so the model learns in context.',
    links: [['heads', 'Heads (detector scores)'], ['composition', 'Composition'], ['attention', 'Attention']],
  },
  terms: {
    claim: 'Expanded into paths, a two-layer model\'s direct path and single heads carry most of its effect; virtual heads (one head reading another) matter far less.',
    links: [['composition', 'Composition (term importance on the prompt)']],
  },
};

interface Target { key: string | null; urls: Record<string, string> | null; name: string; id: string | null }

/** The served models' layer counts, read from their config.json. */
function useServedLayers(models: ModelEntry[]): Map<string, { layers: number; attnOnly: boolean }> | null {
  const [m, setM] = useState<Map<string, { layers: number; attnOnly: boolean }> | null>(null);
  useEffect(() => {
    void Promise.all(models.map(async (e) => {
      const r = await fetch(e.base + 'config.json').catch(() => null);
      const c = r && r.ok ? ((await r.json()) as Record<string, unknown>) : null;
      return [e.id, c ? { layers: Number(c['n_layers']), attnOnly: c['attn_only'] === true } : null] as const;
    })).then((xs) => setM(new Map(xs.filter((x) => x[1] !== null) as [string, { layers: number; attnOnly: boolean }][])));
  }, [models.map((e) => e.id).join()]);
  return m;
}

/** The paper's sections in order, each on a model with the right number of layers: its claim, a figure, the numbers. */
export function FrameworkView(props: ViewProps) {
  const { info, models, modelId, route } = props;
  const served = useServedLayers(models);
  if (!served) return <p class="app-busy">reading the served models…</p>;
  const current = Number(info.config['n_layers']);
  const targetFor = (layers: number): Target | null => {
    const here = modelId === null ? null : models.find((e) => e.id === modelId);
    if (current === layers) return { key: null, urls: null, name: here?.name ?? String(info.config['model_name'] ?? 'the loaded model'), id: route.model };
    const fits = models.filter((e) => served.get(e.id)?.layers === layers);
    const e = fits.find((x) => served.get(x.id)!.attnOnly) ?? fits[0];
    if (!e) return null;
    const urls: Record<string, string> = {};
    for (const f of e.files) if (f !== 'metrics.jsonl') urls[f] = e.base + f;
    return { key: e.id, urls, name: e.name, id: e.id };
  };
  return (
    <section class="app-framework">
      <h2>A Mathematical Framework for Transformer Circuits, on your models</h2>
      <Explain>The paper's argument in order, each step shown on a model with the right number of layers (the loaded one when it
        fits, else one the server offers; <code>circuitscope tour</code> serves all three) with the claims <code>circuitscope reproduce</code> checks
        and the numbers measured on that model.</Explain>
      {FRAMEWORK_SECTIONS.map((s, i) => <Section {...props} index={i + 1} id={s.id} title={s.title} layers={s.layers} target={targetFor(s.layers)} />)}
    </section>
  );
}

function Section({ engine, route, index, id, title, layers, target }: ViewProps & { index: number; id: FrameworkSectionId; title: string; layers: number; target: Target | null }) {
  const r = useRequest(() => (target ? engine.request({ type: 'framework', section: id, model: target.key && target.urls ? { key: target.key, urls: target.urls } : null }) : Promise.resolve(null)), `${id}|${target?.key ?? 'current'}|${route.model}`);
  const v = r.value;
  const link = (view: ViewName) => routeHash({ ...route, view, model: target?.id ?? route.model, layer: 0, head: 0 });
  return (
    <div class="app-section" data-section={id}>
      <h3>{index}. {title}</h3>
      <p class="app-claim">{CLAIMS[id].claim}</p>
      {!target && <Explain>No {layers}-layer model is loaded or served: load one (or run <code>circuitscope tour</code>, which trains and serves the 0, 1 and 2-layer models) to see this section.</Explain>}
      {target && (
        <Status {...r}>{v && (
          <>
            <p class="app-note">On <b>{target.name}</b>{v.data ? <>; text: {v.data}</> : null}. More in {CLAIMS[id].links.map(([view, label], k) => <>{k > 0 && ', '}<a href={link(view)}>{label}</a></>)}.</p>
            <Figure v={v} />
            <ul class="app-claims">{v.claims.map((c) => (
              <li data-holds={String(c.holds)}><span class={c.holds ? 'app-holds' : 'app-fails'}>{c.holds ? '✓ holds' : '✗ fails'}</span> {c.claim}<br /><span class="app-measured">measured: {c.measured}</span></li>
            ))}</ul>
          </>
        )}</Status>
      )}
    </div>
  );
}

function Figure({ v }: { v: Results['framework'] }) {
  if (v.bigrams) {
    const b = v.bigrams;
    return b.corpus
      ? <BigramCompare tokens={b.tokens} model={b.model} corpus={b.corpus} size={300} title={`Model vs corpus: log P(next | current), ${b.tokens.length} most frequent tokens`} />
      : <Heatmap values={b.model} rowLabels={b.tokens} colLabels={b.tokens} rowTitle="current token" colTitle="next token" size={320} title="The model's log P(next | current)" scale="sequential" />;
  }
  if (v.one) {
    const o = v.one;
    return (
      <div class="app-row">
        <ComplexPlane groups={o.eigenvalues} title="OV circuit eigenvalues" subtitle="each head scaled to its largest; positive real parts: the head copies" size={260} />
        <Bars title="Copying score per head" subtitle="Re(Σλ) / Σ|λ| of W_E W_OV W_U" items={o.copying.map((c, h) => ({ label: o.heads[h]!, value: c }))} valueLabel="copying score" sort="none" />
        <DataTable title="Strongest skip-trigrams" subtitle="source … destination → output" rows={o.skipTrigrams} pageSize={8}
          columns={[{ key: 'head', label: 'head' }, { key: 'src', label: 'source', kind: 'token' }, { key: 'dest', label: 'destination', kind: 'token' }, { key: 'out', label: 'output', kind: 'token' }, { key: 'score', label: 'QK × OV', kind: 'number' }]} />
      </div>
    );
  }
  if (v.two) {
    const t = v.two;
    const H = t.kComposition.length;
    return (
      <div class="app-row">
        <HeadGrid title="Head detectors on repeated random tokens" size={260} metrics={[{ name: 'induction', scores: t.induction }, { name: 'previous token', scores: t.previousToken }]} />
        <Heatmap values={t.kComposition} rowLabels={Array.from({ length: H }, (_, h) => `L0H${h}`)} colLabels={Array.from({ length: H }, (_, h) => `L1H${h}`)}
          rowTitle="layer-0 head (writes)" colTitle="layer-1 head (reads via keys)" title="K-composition" baseline={{ value: t.kBaseline, label: 'random' }}
          tokenLabels={false} size={260} scale="sequential" min={0} showValues={H <= 8} />
      </div>
    );
  }
  if (v.terms) {
    const t = v.terms;
    return <Bars title="Term importance" subtitle={`loss ${t.loss.toFixed(3)} nats (path expansion ${t.expansionLoss.toFixed(3)}); the rise in loss when one term alone is removed`}
      items={t.terms.slice(0, 14).map((x) => ({ label: `${x.name}${x.kind === 'virtual' ? ' (virtual)' : ''}`, value: x.lossIncrease }))} valueLabel="loss increase (nats)" sort="none" />;
  }
  return null;
}
