import { ComplexPlane, DataTable, HeadGrid, Heatmap } from '../../components/index.js';
import { Explain, HeadPicker, Status, useRequest, type ViewProps } from './common.js';

/** A layer x head grid of detector and copying scores; a click opens that head's circuits. */
export function HeadsView({ engine, go, route }: ViewProps) {
  const r = useRequest(() => engine.request({ type: 'heads' }), 'heads');
  const v = r.value;
  return (
    <section>
      <h2>Heads</h2>
      <Explain>Scores of every head on repeated random tokens (induction: attention from a token's second occurrence to the token after its first; previous token; duplicate token) and its OV circuit's copying score (1: the head copies what it attends to). Click a head to open its circuits.</Explain>
      <Status {...r}>{v && v.scores.length === 0 && <Explain>This model has no attention heads.</Explain>}
        {v && v.scores.length > 0 && (
          <HeadGrid metrics={v.scores.map((s) => ({ name: s.name, scores: s.values, ...(s.name === 'copying' ? { scale: 'diverging' as const, min: -1, max: 1 } : {}) }))}
            selected={{ layer: route.layer, head: route.head }} title="Head scores"
            onHeadClick={(h) => go({ view: 'circuits', layer: h.layer, head: h.head })} />
        )}
        {v && v.eigenvalues && <Eigenvalues eig={v.eigenvalues} layer={Math.min(route.layer, v.eigenvalues.length - 1)} copying={v.scores.find((x) => x.name === 'copying')?.values ?? null} />}
      </Status>
    </section>
  );
}

function Eigenvalues({ eig, layer, copying }: { eig: { re: number[]; im: number[] }[][]; layer: number; copying: number[][] | null }) {
  const groups = (eig[layer] ?? []).map((e, h) => ({ label: `L${layer}H${h}`, re: e.re, im: e.im, ...(copying ? { note: `copying ${copying[layer]![h]!.toFixed(2)}` } : {}) }));
  return <ComplexPlane groups={groups} title={`Layer ${layer}: OV circuit eigenvalues`} subtitle="each head scaled to its largest; mostly positive real parts = the head copies" />;
}

/** One head's circuits: QK and OV over the prompt's tokens, the positional QK circuit, skip-trigrams. */
export function CircuitsView({ engine, info, route, go, prompt }: ViewProps) {
  const key = `${route.layer}|${route.head}|${prompt}`;
  const r = useRequest(() => engine.request({ type: 'circuits', layer: route.layer, head: route.head, text: prompt }), key);
  const v = r.value;
  if (Number(info.config['n_layers']) === 0) return <section><h2>Circuits</h2><Explain>This model has no attention heads.</Explain></section>;
  return (
    <section>
      <h2>Circuits <HeadPicker info={info} route={route} go={go} /></h2>
      <Explain>The head's full token circuits over the prompt's tokens: QK (W_E W_QK W_Eᵀ: how much a destination token attends to a source token) and OV (W_E W_OV W_U: what attending to a source token does to each output logit). Its positional QK circuit shows whether it attends by position.</Explain>
      <Status {...r}>{v && (
        <div class="app-row">
          <Heatmap values={v.qk} rowLabels={v.tokens} colLabels={v.tokens} rowTitle="destination token" colTitle="source token" title={`${v.head} QK circuit`} size={380} />
          {v.ov.length > 0 && <Heatmap values={v.ov} rowLabels={v.tokens} colLabels={v.tokens} rowTitle="source token" colTitle="output token" title={`${v.head} OV circuit`} size={380} />}
          <Heatmap values={v.positional} rowTitle="destination position" colTitle="source position" title={`${v.head} positional QK`} size={300} tokenLabels={false}
            rowLabels={v.positional.map((_, i) => String(i))} colLabels={v.positional.map((_, i) => String(i))} />
        </div>
      )}
      {v && v.skipTrigrams.length > 0 && (
        <div>
          <DataTable title={`${v.head}'s strongest skip-trigrams`} subtitle="source … destination → output: attending from destination to source raises the output's logit"
            columns={[{ key: 'src', label: 'source', kind: 'token' }, { key: 'dest', label: 'destination', kind: 'token' }, { key: 'out', label: 'output', kind: 'token' }, { key: 'score', label: 'QK × OV', kind: 'number' }]}
            rows={v.skipTrigrams} />
        </div>
      )}
      </Status>
    </section>
  );
}
