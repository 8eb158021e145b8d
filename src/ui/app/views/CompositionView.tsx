import { useState } from 'preact/hooks';
import { Bars, Heatmap } from '../../components/index.js';
import { Explain, Status, useRequest, type ViewProps } from './common.js';

/** Q, K and V composition between every pair of heads, with the random baseline; virtual heads; term importance. */
export function CompositionView({ engine, info, prompt }: ViewProps) {
  const r = useRequest(() => engine.request({ type: 'composition', text: prompt }), prompt);
  const [kind, setKind] = useState<'q' | 'k' | 'v'>('k');
  const v = r.value;
  const L = Number(info.config['n_layers']);
  return (
    <section>
      <h2>Composition</h2>
      <Explain>How much a later head reads (through its queries, keys or values) what an earlier head writes: ‖W_A W_B‖ / (‖W_A‖ ‖W_B‖). The legend marks the mean between random heads of the same shapes; an induction head K-composes with a previous-token head.</Explain>
      <Status {...r}>{v && L < 2 && <Explain>Composition needs two layers or more.</Explain>}
        {v && L >= 2 && (
          <>
            <p class="app-picker">{(['q', 'k', 'v'] as const).map((k) => (
              <button type="button" class="cs-btn" aria-pressed={k === kind} onClick={() => setKind(k)}>{k.toUpperCase()}-composition</button>))}
            </p>
            <Heatmap values={v.scores[kind]} rowLabels={v.heads} colLabels={v.heads} rowTitle="earlier head (writes)" colTitle="later head (reads)"
              title={`${kind.toUpperCase()}-composition scores`} baseline={{ value: v.baseline[kind], label: 'random' }} tokenLabels={false} size={360} scale="sequential" min={0} />
            <Bars title="Top virtual heads" subtitle="V-composition: a later head reading an earlier head's output through its values" items={v.virtualHeads.map((x) => ({ label: `${x.from} → ${x.to}`, value: x.score }))} valueLabel="V-composition score" />
          </>
        )}
        {v && v.terms && (
          <>
            <Bars title="Term importance on the prompt" subtitle="path expansion: the rise in loss when one term alone is removed (direct path, single heads, virtual heads)" items={v.terms.map((t) => ({ label: t.name, value: t.lossIncrease }))} valueLabel="loss increase (nats)" />
          </>
        )}
      </Status>
    </section>
  );
}
