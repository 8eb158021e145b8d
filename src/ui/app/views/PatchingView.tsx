import { Heatmap } from '../../components/index.js';
import { displayToken } from '../../lib/format.js';
import { Explain, Fields, Status, useRequest, type ViewProps } from './common.js';

/** Activation patching from a clean prompt into a corrupted one: layer x position (resid_pre) and layer x head (z). */
export function PatchingView({ engine, info, route, go }: ViewProps) {
  const x = route.extra;
  const key = `${x.clean ?? ''}|${x.corrupt ?? ''}|${x.answer ?? ''}|${x.wrong ?? ''}`;
  const L = Number(info.config['n_layers']);
  const r = useRequest(() => (L > 0 ? engine.request({
    type: 'patch', ...(x.clean ? { clean: x.clean } : {}), ...(x.corrupt ? { corrupt: x.corrupt } : {}),
    ...(x.answer ? { answer: x.answer } : {}), ...(x.wrong ? { wrong: x.wrong } : {}),
  }) : Promise.resolve(null)), key);
  const v = r.value;
  if (L === 0) return <section><h2>Patching</h2><Explain>This model has no layers to patch.</Explain></section>;
  const ids = !info.hasTokenizer;
  return (
    <section>
      <h2>Activation patching</h2>
      <Explain>Run the corrupted prompt, copy one activation from the clean run into it, and measure how much of the clean
        run's answer comes back. Both prompts must have the same number of tokens. The answer defaults to the clean run's top
        prediction at the last position and the wrong answer to the corrupted run's.</Explain>
      <Fields button="patch" onSubmit={(f) => go({ extra: { ...route.extra, clean: f['clean']!, corrupt: f['corrupt']!, answer: f['answer']!, wrong: f['wrong']! } })} fields={[
        { name: 'clean', label: 'clean', value: x.clean ?? v?.clean ?? '', placeholder: ids ? 'token ids' : 'text', wide: true },
        { name: 'corrupt', label: 'corrupted', value: x.corrupt ?? v?.corrupt ?? '', placeholder: ids ? 'token ids' : 'text', wide: true },
        { name: 'answer', label: 'answer', value: x.answer ?? '', placeholder: v ? displayToken(v.answer) : (ids ? 'id' : 'token') },
        { name: 'wrong', label: 'wrong answer', value: x.wrong ?? '', placeholder: v ? displayToken(v.wrong) : (ids ? 'id' : 'token') },
      ]} />
      <Status {...r}>{v && (
        <>
          <p class="app-result" data-testid="patch-metric">Metric: <b>logit({displayToken(v.answer)}) − logit({displayToken(v.wrong)})</b> at the last position. Clean run <b>{v.cleanValue.toFixed(3)}</b>, corrupted
            run <b>{v.corruptValue.toFixed(3)}</b>; each cell shows (patched − corrupted) / (clean − corrupted): <b>1</b> restores the clean run, <b>0</b> changes nothing.
            {v.differ.length > 0 && <> The prompts differ at position{v.differ.length > 1 ? 's' : ''} {v.differ.join(', ')}.</>}</p>
          {v.cleanValue === v.corruptValue
            ? <p class="app-error" role="alert">The clean and corrupted runs give the same metric: there is nothing to restore. Pick prompts or answers that differ.</p>
            : Math.abs(v.cleanValue - v.corruptValue) < 0.1 && <p class="app-note" data-testid="patch-caution">The two runs differ by only {Math.abs(v.cleanValue - v.corruptValue).toFixed(3)} on this metric, so the normalised values below are noisy; prompts whose answers differ more give a clearer picture.</p>}
          <div class="app-row">
            <Heatmap values={v.byPosition} rowLabels={v.layers.map((h) => h.replace(/^blocks\.(\d+)\.hook_resid_pre$/, 'L$1 resid_pre'))}
              colLabels={v.tokens.map((t, i) => (v.differ.includes(i) ? `${t}→${v.corruptTokens[i]}` : t))}
              rowTitle="layer" colTitle="position (clean token)" title="Patching the residual stream (resid_pre)"
              subtitle="per layer and position" scale="diverging" min={-1} max={1} center={0} tokenLabels="cols" cellSize={Math.max(10, Math.min(28, Math.floor(900 / v.tokens.length)))} legendLabel="restored fraction" name="patching-resid-pre" />
            <Heatmap values={v.byHead} rowLabels={v.layers.map((_, l) => `L${l}`)} colLabels={v.headLabels[0]!.map((_, h) => `H${h}`)}
              rowTitle="layer" colTitle="head (z, every position)" title="Patching each head's output (z)" subtitle="per layer and head"
              scale="diverging" min={-1} max={1} center={0} tokenLabels={false} size={300} showValues={true} legendLabel="restored fraction" name="patching-z"
              onCellClick={(c) => go({ view: 'attention', layer: c.row, head: c.col, prompt: v.clean })} />
          </div>
        </>
      )}</Status>
    </section>
  );
}
