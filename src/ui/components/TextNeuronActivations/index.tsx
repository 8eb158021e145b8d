import { useMemo, useState } from 'preact/hooks';
import { Figure, Legend } from '../../lib/Figure.js';
import { makeScale, textColorOn } from '../../lib/color.js';
import { InlineTokens } from '../../lib/InlineTokens.js';
import { toCSV, tokensPicture } from '../../lib/export.js';
import { displayToken, formatValue } from '../../lib/format.js';

export interface TextNeuronActivationsProps {
  tokens: readonly string[];
  /** Activations `[pos][layer][neuron]` (CircuitsVis's layout). */
  activations: readonly (readonly (readonly number[])[])[];
  /**
   * The neuron index each column stands for, `[layer][neuron]` (when only some neurons are given, e.g. the most
   * active ones); default 0, 1, 2, ...
   */
  neuronIds?: readonly (readonly number[])[];
  /** Layer names (default "L0", "L1", ...). */
  layerLabels?: readonly string[];
  title?: string;
  initialLayer?: number;
  initialNeuron?: number;
}

/**
 * Text coloured by one neuron's activation (CircuitsVis's TextNeuronActivations), with pickers for the layer and
 * the neuron, and the most active neurons of the layer one click away.
 */
export function TextNeuronActivations(p: TextNeuronActivationsProps) {
  const nLayers = p.activations[0]?.length ?? 0;
  const [layer, setLayer] = useState(Math.min(p.initialLayer ?? 0, Math.max(0, nLayers - 1)));
  const nNeurons = p.activations[0]?.[layer]?.length ?? 0;
  const [neuron, setNeuron] = useState(Math.min(p.initialNeuron ?? 0, Math.max(0, nNeurons - 1)));
  const n = Math.min(neuron, Math.max(0, nNeurons - 1));
  const ids = p.neuronIds?.[layer];
  const nameOf = (k: number) => ids?.[k] ?? k;
  const values = useMemo(() => p.tokens.map((_, i) => p.activations[i]?.[layer]?.[n] ?? Number.NaN), [p.tokens, p.activations, layer, n]);
  const scale = useMemo(() => {
    let m = 0;
    for (const v of values) if (Number.isFinite(v)) m = Math.max(m, Math.abs(v));
    return makeScale('diverging', -m, m);
  }, [values]);
  const top = useMemo(() => {
    const best = Array.from({ length: nNeurons }, (_, k) => {
      let m = -Infinity;
      for (let i = 0; i < p.tokens.length; i++) m = Math.max(m, p.activations[i]?.[layer]?.[k] ?? -Infinity);
      return { k, m };
    });
    return best.sort((a, b) => b.m - a.m).slice(0, 8);
  }, [p.activations, p.tokens, layer, nNeurons]);
  const layerName = p.layerLabels?.[layer] ?? `L${layer}`;
  return (
    <Figure title={p.title ?? 'Neuron activations'} subtitle={`${layerName} neuron ${nameOf(n)}`} name={`neuron-${layerName}-${nameOf(n)}`} exports={{
      json: () => ({ tokens: p.tokens, layer, neuron: nameOf(n), activations: values }),
      csv: () => toCSV(['position', 'token', `${layerName} N${nameOf(n)}`], p.tokens.map((t, i) => [i, t, values[i]])),
      png: () => tokensPicture(p.tokens, (i) => (Number.isFinite(values[i]) ? scale.css(values[i]!) : null), { title: `${layerName} neuron ${nameOf(n)}`, textColor: (i) => textColorOn(scale, values[i] ?? Number.NaN) }),
    }}>
      <div class="cs-controls">
        <label>layer <select class="cs-layer" value={String(layer)} onChange={(e) => { setLayer(Number((e.currentTarget as HTMLSelectElement).value)); setNeuron(0); }}>
          {Array.from({ length: nLayers }, (_, l) => <option key={l} value={String(l)}>{p.layerLabels?.[l] ?? `L${l}`}</option>)}
        </select></label>
        <label>neuron <select class="cs-neuron" value={String(n)} onChange={(e) => setNeuron(Number((e.currentTarget as HTMLSelectElement).value))}>
          {Array.from({ length: nNeurons }, (_, k) => <option key={k} value={String(k)}>{nameOf(k)}</option>)}
        </select></label>
        <span class="cs-note">most active:</span>
        {top.map(({ k, m }) => (
          <button key={k} type="button" class="cs-btn cs-top-neuron" data-neuron={nameOf(k)} aria-pressed={k === n} title={`max ${formatValue(m)}`} onClick={() => setNeuron(k)}>{nameOf(k)}</button>
        ))}
      </div>
      <InlineTokens tokens={p.tokens} values={values} scale={scale} tooltip={(i) => (
        <div><span class="cs-tt-token">{displayToken(p.tokens[i] ?? '')}</span> <span class="cs-note">({i})</span>
          <div>{layerName} neuron {nameOf(n)}: <span class="cs-tt-value">{formatValue(values[i] ?? Number.NaN)}</span></div></div>
      )} />
      <Legend scale={scale} label="activation" />
    </Figure>
  );
}

export default TextNeuronActivations;
