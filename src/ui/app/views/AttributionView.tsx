import { useState } from 'preact/hooks';
import { Bars, Heatmap } from '../../components/index.js';
import type { AblationKind } from '../../../analysis/views/index.js';
import { Explain, Status, useRequest, type ViewProps } from './common.js';
import { routeHash } from '../route.js';

/** Logit lens, direct logit attribution, head ablation and activation patching on the prompt. */
export function AttributionView(props: ViewProps) {
  const { engine, prompt } = props;
  const [answer, setAnswer] = useState('');
  const r = useRequest(() => engine.request({ type: 'attribution', text: prompt, ...(answer ? { answer } : {}) }), `${prompt}|${answer}`);
  const v = r.value;
  return (
    <section>
      <h2>Attribution and interventions</h2>
      <Status {...r}>{v && (
        <>
          <Heatmap values={v.lensLogProb} rowLabels={v.layers.map(lensLabel)} colLabels={v.tokens.slice(0, -1)}
            rowTitle="residual stream" colTitle="position (predicting the next token)" title="Logit lens: log-probability of the actual next token"
            tokenLabels={true} size={520} scale="sequential" tooltipExtra={(c) => <span>top token there: {JSON.stringify(v.lensTop[c.row]?.[c.col] ?? '')}</span>} />
          <p class="app-picker"><label>answer token <input value={answer} placeholder={v.answer} onChange={(e) => setAnswer((e.target as HTMLInputElement).value)} /></label></p>
          <Bars title={`Direct logit attribution to ${JSON.stringify(v.answer)} at the last position`} subtitle="each component's direct contribution to the answer's logit (through ln_final's cached scale)"
            items={v.components.map((c) => ({ label: c.component, value: c.attribution }))} valueLabel="logit" />
        </>
      )}</Status>
      <Ablation {...props} />
      <Explain>Activation patching between a clean and a corrupted prompt (layer × position and layer × head) is in the <a href={routeHash({ ...props.route, view: 'patching' })}>Patching</a> view.</Explain>
    </section>
  );
}

function Ablation({ engine, info, prompt, route, go }: ViewProps) {
  const [kind, setKind] = useState<AblationKind>('zero');
  const L = Number(info.config['n_layers']);
  const H = Number(info.config['n_heads']);
  const key = `${prompt}|${route.layer}|${route.head}|${kind}`;
  const r = useRequest(() => (L > 0 ? engine.request({ type: 'ablate', text: prompt, layer: route.layer, head: route.head, kind }) : Promise.resolve(null)), key);
  const v = r.value;
  if (L === 0) return null;
  return (
    <div>
      <h3>Ablate a head</h3>
      <Explain>Click a head to ablate it on the prompt and see the loss change.</Explain>
      <p class="app-picker">{(['zero', 'mean', 'resample'] as const).map((k) => (
        <button type="button" class="cs-btn" aria-pressed={k === kind} onClick={() => setKind(k)}>{k}</button>))}</p>
      <div class="app-headbuttons">{Array.from({ length: L }, (_, l) => (
        <div>{Array.from({ length: H }, (_, h) => (
          <button type="button" class="cs-btn" data-head={`L${l}H${h}`} aria-pressed={l === route.layer && h === route.head} onClick={() => go({ layer: l, head: h })}>L{l}H{h}</button>))}</div>))}
      </div>
      <Status {...r}>{v && (
        <p class="app-result" data-testid="ablation">{v.head} {v.kind}-ablated: loss {v.cleanLoss.toFixed(4)} → <b>{v.ablatedLoss.toFixed(4)}</b> ({v.ablatedLoss >= v.cleanLoss ? '+' : ''}{(v.ablatedLoss - v.cleanLoss).toFixed(4)} nats)</p>
      )}</Status>
    </div>
  );
}

/** `blocks.1.hook_resid_pre` -> `L1_pre` (the residual stream entering layer 1); resid_post -> `L1_post`. */
function lensLabel(hook: string): string {
  const m = /^blocks\.(\d+)\.hook_resid_(pre|post)$/.exec(hook);
  return m ? `L${m[1]}_${m[2]}` : hook;
}
