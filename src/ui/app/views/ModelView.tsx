import { LineChart } from '../../components/index.js';
import { Explain, type ViewProps } from './common.js';

const SHOWN = ['model_name', 'n_layers', 'n_heads', 'd_model', 'd_head', 'd_mlp', 'd_vocab', 'n_ctx', 'act_fn', 'normalization_type', 'attn_only', 'positional_embedding_type', 'tokenizer_name'];

/** The model's config and parameter count, and its training curves when metrics.jsonl came with it. */
export function ModelView({ info, metrics }: ViewProps) {
  const rows = SHOWN.filter((k) => k in info.config).map((k) => [k, String(info.config[k])]);
  return (
    <section>
      <h2>Model</h2>
      <table class="app-table"><tbody>
        {rows.map(([k, v]) => <tr><th>{k}</th><td>{v}</td></tr>)}
        <tr><th>parameters</th><td>{info.params.toLocaleString('en')}</td></tr>
        <tr><th>engine</th><td>onnxruntime-web ({info.backend})</td></tr>
      </tbody></table>
      {metrics && metrics.length > 0 ? <Curves metrics={metrics} /> : <Explain>No training metrics came with this model (a run directory's metrics.jsonl shows its loss and head scores over training here).</Explain>}
    </section>
  );
}

function Curves({ metrics }: { metrics: Record<string, unknown>[] }) {
  const num = (r: Record<string, unknown>, k: string) => (typeof r[k] === 'number' ? (r[k] as number) : null);
  const steps = metrics.map((r) => Number(r['step']));
  const loss = [{ label: 'loss', values: metrics.map((r) => num(r, 'loss')) }, { label: 'validation loss', values: metrics.map((r) => num(r, 'val_loss')) }];
  // Every head's score over training (metrics.jsonl's induction_scores etc., [layer][head] at the steps that probed).
  const headSeries = (key: string) => {
    const first = metrics.find((r) => Array.isArray(r[key]))?.[key] as number[][] | undefined;
    if (!first) return [];
    return first.flatMap((row, l) => row.map((_, h) => ({
      label: `L${l}H${h}`, values: metrics.map((r) => (r[key] as number[][] | undefined)?.[l]?.[h] ?? null),
    })));
  };
  const icl = metrics.map((r) => num(r, 'icl_score'));
  const induction = headSeries('induction_scores');
  const previous = headSeries('previous_token_scores');
  return (
    <div class="app-charts">
      <LineChart title="Loss" x={steps} series={loss} xLabel="step" yLabel="nats" />
      <LineChart title="Learning rate" x={steps} series={[{ label: 'lr', values: metrics.map((r) => num(r, 'lr')) }]} xLabel="step" />
      {icl.some((v) => v !== null) && <LineChart title="In-context learning score (loss late in the context minus early)" x={steps} series={[{ label: 'ICL score', values: icl }]} xLabel="step" />}
      {induction.length > 0 && <LineChart title="Induction score of every head: the phase change" x={steps} series={induction} xLabel="step" />}
      {previous.length > 0 && <LineChart title="Previous-token score of every head" x={steps} series={previous} xLabel="step" />}
    </div>
  );
}
