import { ColoredTokens, TopkTokens } from '../../components/index.js';
import { TopkSamples } from '../../components/TopkSamples/index.js';
import { Explain, Status, useRequest, type ViewProps } from './common.js';

/** The largest |value| (a diverging scale centred at zero: the sign of an activation matters). */
const peak = (xs: readonly number[]) => Math.max(1e-9, ...xs.map(Math.abs));

/** One MLP neuron: the prompt coloured by its activation, and its top tokens and text windows over a corpus sample. */
export function NeuronsView({ engine, info, route, go, prompt }: ViewProps) {
  const c = info.config;
  const L = Number(c['n_layers']);
  const M = Number(c['d_mlp'] ?? 0);
  const hasMlp = !c['attn_only'] && M > 0 && L > 0;
  const layer = Math.min(route.layer, Math.max(0, L - 1));
  const asked = Number(route.extra.neuron ?? 0);
  const neuron = Number.isInteger(asked) && asked >= 0 ? asked : 0;
  const r = useRequest(() => (hasMlp ? engine.request({ type: 'neurons', text: prompt, layer, neuron }) : Promise.resolve(null)), `${prompt}|${layer}|${neuron}`);
  const v = r.value;
  if (!hasMlp) {
    return <section><h2>Neurons</h2><Explain>This model is attention-only: it has no MLP neurons to show. Load a model with MLPs (e.g. one trained with the gelu-1l or gelu-2l preset) to see them.</Explain></section>;
  }
  const name = `L${layer} N${neuron}`;
  const pick = (n: number) => go({ extra: { ...route.extra, neuron: String(n) } });
  return (
    <section>
      <h2>Neurons
        <span class="app-picker">
          <label>layer <select name="layer" value={layer} onChange={(e) => go({ layer: Number((e.target as HTMLSelectElement).value), extra: { ...route.extra, neuron: '0' } })}>
            {Array.from({ length: L }, (_, l) => <option value={l}>{l}</option>)}
          </select></label>
          <label>neuron <input name="neuron" type="number" min={0} max={M - 1} value={neuron} style={{ width: '6em' }}
            onChange={(e) => pick(Number((e.target as HTMLInputElement).value))} /> <span class="cs-note">of {M}</span></label>
        </span>
      </h2>
      <Explain>An MLP neuron's activation (blocks.{layer}.mlp.hook_post, after the nonlinearity) on each token of the prompt, then
        the tokens and text windows of a corpus sample where it is largest (CircuitsVis's TextNeuronActivations, TopkTokens and
        TopkSamples).</Explain>
      <Status {...r}>{v && (
        <>
          <p class="app-picker">most active on the prompt: {v.promptTop.map((t) => (
            <button type="button" class="cs-btn" data-neuron={t.neuron} aria-pressed={t.neuron === neuron} title={`max ${t.max.toFixed(3)}`} onClick={() => pick(t.neuron)}>N{t.neuron}</button>))}
          </p>
          <ColoredTokens tokens={v.tokens} values={v.activations} title={`${name} on the prompt`} valueLabel={`${name} activation`}
            scale="diverging" min={-peak(v.activations)} max={peak(v.activations)} />
          <p class="app-explain" data-testid="neuron-corpus">Over {v.corpus}: {v.corpusTokens.toLocaleString('en')} tokens.</p>
          <div class="app-row">
            <TopkTokens title={`${name}: top and bottom tokens`} subtitle="each token's largest activation over the sample" valueLabel="max activation"
              items={[{ label: name, top: v.topTokens.map((t) => ({ token: t.token, value: t.max })), bottom: v.bottomTokens.map((t) => ({ token: t.token, value: t.max })) }]} />
            <TopkSamples title={`${name}: top text windows`} subtitle="the tokens before each of its largest activations (outlined)" valueLabel={`${name} activation`}
              samples={v.samples.map((s) => ({ tokens: s.tokens, values: s.values, at: s.at }))} />
          </div>
        </>
      )}</Status>
    </section>
  );
}
