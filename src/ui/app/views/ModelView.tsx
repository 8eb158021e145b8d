import { TrainingCurves, trainingCurves, type MetricsLine } from '../../lib/trainingCurves.js';
import { Explain, type ViewProps } from './common.js';

const SHOWN = ['model_name', 'n_layers', 'n_heads', 'd_model', 'd_head', 'd_mlp', 'd_vocab', 'n_ctx', 'act_fn', 'normalization_type', 'attn_only', 'positional_embedding_type', 'tokenizer_name'];

/** The model's config and parameter count, and its training curves when metrics.jsonl came with it. */
export function ModelView({ info, metrics }: ViewProps) {
  const curves = metrics ? trainingCurves(metrics as MetricsLine[]) : undefined;
  const rows = SHOWN.filter((k) => k in info.config).map((k) => [k, String(info.config[k])]);
  return (
    <section>
      <h2>Model</h2>
      <table class="app-table"><tbody>
        {rows.map(([k, v]) => <tr><th>{k}</th><td>{v}</td></tr>)}
        <tr><th>parameters</th><td>{info.params.toLocaleString('en')}</td></tr>
        <tr><th>engine</th><td>onnxruntime-web ({info.backend})</td></tr>
      </tbody></table>
      {curves ? <div class="app-charts"><TrainingCurves curves={curves} /></div> : <Explain>No training metrics came with this model (a run directory's metrics.jsonl shows its loss and head scores over training here).</Explain>}
    </section>
  );
}
