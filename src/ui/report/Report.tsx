import { useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import { AttentionHeads } from '../components/AttentionHeads/index.js';
import { Bars } from '../components/Bars/index.js';
import { ComplexPlane } from '../components/ComplexPlane/index.js';
import { DataTable } from '../components/DataTable/index.js';
import { HeadGrid, type HeadRef } from '../components/HeadGrid/index.js';
import { Heatmap } from '../components/Heatmap/index.js';
import { LineChart } from '../components/LineChart/index.js';
import { TrainingCurves } from '../lib/trainingCurves.js';
import { TokenLogProbs } from '../components/TokenLogProbs/index.js';
import { TopkTokens } from '../components/TopkTokens/index.js';
import { TextNeuronActivations } from '../components/TextNeuronActivations/index.js';
import { BigramCompare } from '../components/BigramCompare/index.js';
import { CircuitGraph } from '../components/CircuitGraph/index.js';
import { FaithfulnessCurve } from '../components/FaithfulnessCurve/index.js';
import { DevelopmentCurves } from '../components/DevelopmentCurves/index.js';
import { AdditionAttention } from '../components/AdditionAttention/index.js';
import { downloadText } from '../lib/export.js';
import { displayToken, formatValue } from '../lib/format.js';
import { ensureStyles } from '../lib/styles.js';
import type { ReportData } from './types.js';

export interface ReportProps {
  data: ReportData;
}

function Section({ id, title, intro, children }: { id: string; title: string; intro?: ComponentChildren; children: ComponentChildren }) {
  return (
    <section id={id} class="cs-section">
      <h2>{title}</h2>
      {intro && <p class="cs-intro">{intro}</p>}
      {children}
    </section>
  );
}

/** Flat head index -> label, for composition matrices. */
const flatLabel = (i: number, H: number) => `L${Math.floor(i / H)}H${i % H}`;

function compositionBlock(m: number[][], L: number, H: number): { values: number[][]; rows: string[]; cols: string[] } {
  const rows: number[] = [];
  const cols: number[] = [];
  for (let i = 0; i < L * H; i++) {
    if (Math.floor(i / H) < L - 1) rows.push(i);
    if (Math.floor(i / H) >= 1) cols.push(i);
  }
  return {
    values: rows.map((a) => cols.map((b) => (Math.floor(a / H) < Math.floor(b / H) ? m[a]?.[b] ?? Number.NaN : Number.NaN))),
    rows: rows.map((i) => flatLabel(i, H)), cols: cols.map((i) => flatLabel(i, H)),
  };
}

/** The report page: every section that applies to the model, from the data alone (no model in the page). */
export function Report({ data }: ReportProps) {
  ensureStyles();
  const m = data.model;
  const [circuitHead, setCircuitHead] = useState(data.circuits?.heads.findIndex((h) => h.layer === 0) ?? 0);
  const [selected, setSelected] = useState<HeadRef | null>(null);
  const sections: { id: string; title: string }[] = [];
  const add = (id: string, title: string, on: unknown) => { if (on) sections.push({ id, title }); };
  add('model', 'Model', true);
  add('development', 'Development', data.development);
  add('addition', 'Addition', data.addition);
  add('prompt', 'Prompt', data.prompt);
  add('attention', 'Attention', data.prompt && m.n_layers > 0);
  add('heads', 'Heads', data.heads);
  add('circuits', 'Circuits', data.circuits || data.eigenvalues || data.skipTrigrams);
  add('composition', 'Composition', data.composition || data.termImportance);
  add('circuit', 'Induction circuit', data.circuit);
  add('attribution', 'Logit lens & attribution', data.logitLens || data.attribution);
  add('neurons', 'Neurons', data.neurons && data.prompt);
  add('bigram', 'Bigrams', data.bigram);
  const ch = data.circuits?.heads[circuitHead];
  const t = data.training;
  const facts: [string, string][] = [
    ['layers', String(m.n_layers)], ['heads per layer', String(m.n_heads)], ['d_model', String(m.d_model)], ['d_head', String(m.d_head)],
    ['MLP', m.attn_only ? 'none (attention only)' : String(m.d_mlp)], ['vocabulary', `${m.d_vocab}${m.tokenizer ? '' : ' (no tokenizer: tokens shown as #id)'}`],
    ['context', String(m.n_ctx)], ['positional embedding', m.positional_embedding_type], ['normalization', m.normalization_type ?? 'none'],
    ['parameters', m.params.toLocaleString('en-US')], ['weights', m.processed ? 'processed (LayerNorm folded, centred)' : 'as stored'],
  ];
  return (
    <div class="cs-root cs-report">
      <header>
        <h1>{data.title}</h1>
        <div class="cs-note">{data.source} · generated {data.generated.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')} by circuitscope ·{' '}
          <button type="button" class="cs-btn cs-download-all" onClick={() => downloadText('report-data.json', JSON.stringify(data), 'application/json')}>all data (JSON)</button>
        </div>
        <nav class="cs-nav">{sections.map((s) => <a key={s.id} href={`#${s.id}`}>{s.title}</a>)}</nav>
      </header>

      <Section id="model" title="Model">
        <table class="cs-table cs-facts"><tbody>{facts.map(([k, v]) => <tr key={k}><td>{k}</td><td>{v}</td></tr>)}</tbody></table>
        {data.run && (
          <details class="cs-run"><summary>training run (run.json)</summary>
            <table class="cs-table"><tbody>{data.run.map((r) => <tr key={r.key}><td>{r.key}</td><td><code>{r.value.length > 200 ? `${r.value.slice(0, 200)}…` : r.value}</code></td></tr>)}</tbody></table>
          </details>
        )}
        {t ? (
          <div class="cs-figures">
            <TrainingCurves curves={t} width={520} />
          </div>
        ) : <p class="cs-note">No training curves: the directory has no metrics.jsonl.</p>}
      </Section>

      {data.development && (
        <Section id="development" title="Development" intro="Progress over the run's checkpoints: the local learning coefficient (LLC, an estimate of the model's effective complexity) with its spread over SGLD chains, the loss and the head scores against the step. Dashed red lines mark stage boundaries, where the smoothed LLC curve turns; the essential-dynamics panel shows the outputs' path in their first principal components with those checkpoints ringed.">
          <DevelopmentCurves {...(data.development.overTraining ? { overTraining: data.development.overTraining } : {})} {...(data.development.llc ? { llc: data.development.llc } : {})} width={720} />
        </Section>
      )}
      {data.addition && (
        <Section id="addition" title="Addition" intro="How the model adds (Quirke and Barez 2023): per head, the attention from the position that predicts each answer digit A_i to each operand digit. Base add reads D_i and D'_i; make carry reads the pair below. Then the claims of reproduce --suite addition with the number measured behind each.">
          <AdditionAttention rowLabels={data.addition.rowLabels} colLabels={data.addition.colLabels} table={data.addition.table} layer={data.addition.layer}
            {...(data.addition.problems !== null ? { problems: data.addition.problems } : {})} />
          {data.addition.claims.length > 0 && (
            <ul class="cs-addition-claims">
              {data.addition.claims.map((c) => <li>{c.holds ? 'holds' : 'fails'}: {c.claim} <span class="cs-note">(measured: {c.measured})</span></li>)}
            </ul>
          )}
        </Section>
      )}

      {data.prompt && (
        <Section id="prompt" title="Prompt" intro={<>The prompt{data.prompt.origin === 'default-ids' ? ' (random token ids, then the same again: an induction probe)' : data.prompt.origin === 'default-text' ? ' (a sentence said twice: the second time, induction heads can predict it)' : ''}, each token coloured by the loss of predicting the next one. Hover a token for the model's top predictions.</>}>
          <TokenLogProbs tokens={data.prompt.tokens} predictions={data.prompt.predictions} />
        </Section>
      )}

      {data.prompt && m.n_layers > 0 && (
        <Section id="attention" title="Attention" intro="Every head's pattern on the prompt. Hover a token to see where it attends in every head (or, with “attended by”, what attends to it); click a head for detail.">
          <AttentionHeads tokens={data.prompt.tokens} attention={data.prompt.attention} headLabels={data.prompt.headLabels} miniSize={Math.max(90, Math.min(140, 900 / Math.max(1, m.n_heads) - 20))} />
        </Section>
      )}

      {data.heads && (
        <Section id="heads" title="Heads" intro="Detector scores on a probe of random tokens repeated (induction: attention to the token after the earlier copy; previous token; duplicate token), and copying scores of the OV circuits. Click a head to see its circuits.">
          <HeadGrid metrics={data.heads} selected={selected} onHeadClick={(h) => {
            setSelected(h);
            const i = data.circuits?.heads.findIndex((c) => c.layer === h.layer && c.head === h.head) ?? -1;
            if (i >= 0) { setCircuitHead(i); document.getElementById('circuits')?.scrollIntoView(); }
          }} />
          <div class="cs-numbers">
            {data.inductionLossGap !== undefined && <div>induction loss gap (first half − repeated half of the probe): <b class="cs-num-value">{formatValue(data.inductionLossGap)}</b> nats</div>}
            {data.inContextLearning && <div>in-context-learning score (loss at token {data.inContextLearning.late} − at {data.inContextLearning.early}): <b class="cs-num-value">{formatValue(data.inContextLearning.score)}</b> nats</div>}
          </div>
          {data.lossByPosition && <LineChart title="Loss by position on the probe" x={data.lossByPosition.map((_, i) => i)} xLabel="position" yLabel="nats" series={[{ label: 'loss', values: data.lossByPosition }]} width={520} height={200} />}
        </Section>
      )}

      {(data.circuits || data.eigenvalues || data.skipTrigrams) && (
        <Section id="circuits" title="Circuits" intro="Full QK (W_E W_QK W_Eᵀ: which source token each destination token attends to) and OV (W_E W_OV W_U: what attending to a token does to the logits) circuits, restricted to the prompt's tokens.">
          {data.circuits && ch && (
            <>
              <div class="cs-controls">
                <label>head <select class="cs-head-picker" value={String(circuitHead)} onChange={(e) => setCircuitHead(Number((e.currentTarget as HTMLSelectElement).value))}>
                  {data.circuits.heads.map((h, i) => <option key={h.label} value={String(i)}>{h.label}</option>)}
                </select></label>
                <span class="cs-note">{data.circuits.tokens.length} tokens{ch.layer > 0 ? ' (the direct path only: layer ' + ch.layer + ' heads also read earlier heads’ outputs)' : ''}</span>
              </div>
              <div class="cs-figures">
                <Heatmap title={`${ch.label} QK circuit`} name={`${ch.label}-qk`} values={ch.qk} rowLabels={data.circuits.tokens} colLabels={data.circuits.tokens}
                  rowTitle="destination token" colTitle="source token" size={400} showValues={false} />
                <Heatmap title={`${ch.label} OV circuit`} name={`${ch.label}-ov`} values={ch.ov} rowLabels={data.circuits.tokens} colLabels={data.circuits.tokens}
                  rowTitle="attended token" colTitle="output logit" size={400} showValues={false} />
                {ch.positional && (
                  <Heatmap title={`${ch.label} positional QK circuit`} name={`${ch.label}-positional-qk`} values={ch.positional}
                    rowLabels={ch.positional.map((_, i) => String(i))} colLabels={ch.positional.map((_, i) => String(i))} tokenLabels={false}
                    rowTitle="destination position" colTitle="source position" size={400} showValues={false} />
                )}
              </div>
            </>
          )}
          {data.copyingTokens && <TopkTokens title="What each head copies" subtitle="the largest diagonal entries of its OV circuit W_E W_OV W_U (direct path)" items={data.copyingTokens} valueLabel="OV diagonal" />}
          {data.eigenvalues && <ComplexPlane title="OV circuit eigenvalues" subtitle="positive real: the head copies" groups={data.eigenvalues} />}
          {data.skipTrigrams && (
            <DataTable title="Skip-trigrams (layer 0)" subtitle="source … destination → output, ranked by QK × OV" rows={data.skipTrigrams} sort={{ key: 'score', desc: true }}
              columns={[{ key: 'head', label: 'head' }, { key: 'src', label: 'source', kind: 'token' }, { key: 'dest', label: 'destination', kind: 'token' },
                { key: 'out', label: 'output', kind: 'token' }, { key: 'qk', label: 'QK', kind: 'number' }, { key: 'ov', label: 'OV', kind: 'number' }, { key: 'score', label: 'score', kind: 'number' }]} />
          )}
        </Section>
      )}

      {(data.composition || data.termImportance) && (
        <Section id="composition" title="Composition" intro="How much each later head reads an earlier head's output through its queries (Q), keys (K) or values (V), relative to random heads of the same shapes (the marked baseline); the path-expansion terms' importance.">
          {data.composition && (
            <>
              <div class="cs-figures">
                {(['q', 'k', 'v'] as const).map((kind) => {
                  const b = compositionBlock(data.composition![kind], m.n_layers, m.n_heads);
                  return <Heatmap key={kind} title={`${kind.toUpperCase()}-composition`} name={`${kind}-composition`} values={b.values} rowLabels={b.rows} colLabels={b.cols}
                    rowTitle="earlier head" colTitle="later head" tokenLabels={false} scale="sequential" min={0}
                    baseline={{ value: data.composition!.baseline[kind], label: 'random' }} size={260} />;
                })}
              </div>
              <div class="cs-figures">
                <DataTable title="Strongest compositions" rows={data.composition.top} pageSize={10}
                  columns={[{ key: 'kind', label: 'kind' }, { key: 'from', label: 'from' }, { key: 'to', label: 'to' }, { key: 'score', label: 'score', kind: 'number' }]} />
                <DataTable title="Top virtual heads (V-composition)" rows={data.composition.virtualHeads} pageSize={10}
                  columns={[{ key: 'virtual', label: 'virtual head' }, { key: 'score', label: 'score', kind: 'number' }]} />
              </div>
            </>
          )}
          {data.termImportance && (
            <Bars title="Term importance" subtitle={`loss ${formatValue(data.termImportance.loss)} nats; rise when each term alone is removed`} items={data.termImportance.terms}
              sort="desc" limit={24} valueLabel="loss increase (nats)" />
          )}
          {data.termImportance?.byOrder && (
            <Bars title="Term importance by order" subtitle={`the paper's marginal loss reduction: the direct path alone has loss ${formatValue(data.termImportance.byOrder.direct)} nats; adding every single head, then every virtual head, lowers it by`}
              items={data.termImportance.byOrder.reductions} sort="none" valueLabel="loss reduction (nats)" />
          )}
        </Section>
      )}

      {data.circuit && (
        <Section id="circuit" title="Induction circuit" intro={<>Edge attribution patching on repeated random tokens whose first copy is re-drawn in the corrupted run (so the earlier copy an induction head reads from is gone): each edge's estimated effect on the answer's {data.circuit.metric === 'logprob' ? 'log-probability' : data.circuit.metric}, clean run {formatValue(data.circuit.clean)}, every edge ablated {formatValue(data.circuit.corrupt)}. The top {data.circuit.edges.length} of {data.circuit.edgeCount} edges; in a model with induction heads, the previous-token head's edges into their keys (k) rank high.</>}>
          <div class="cs-figures">
            <CircuitGraph nodes={data.circuit.nodes} edges={data.circuit.edges} title={`The circuit (${data.circuit.method})`} />
            <FaithfulnessCurve faithfulness={data.circuit.faithfulness} method={data.circuit.method} title="Faithfulness: clean metric recovered by the top k edges" width={480} />
          </div>
        </Section>
      )}

      {(data.logitLens || data.attribution) && (
        <Section id="attribution" title="Logit lens & direct logit attribution" intro="The logit lens reads each layer's residual stream through the unembedding: the log-probability of the actual next token at each position. Direct logit attribution splits the last position's top logit by component.">
          <div class="cs-figures">
            {data.logitLens && (
              <Heatmap title="Logit lens" subtitle="log-prob of the next token" values={data.logitLens.correctLogProb} rowLabels={data.logitLens.layers} colLabels={data.logitLens.tokens}
                rowTitle="layer" colTitle="position (token)" scale="sequential" size={520} tokenLabels="cols"
                tooltipExtra={(c) => <div>top prediction <span class="cs-tt-token cs-lens-top">{displayToken(data.logitLens!.top[c.row]?.[c.col] ?? '')}</span></div>} />
            )}
            {data.attribution && (
              <Bars title="Direct logit attribution" subtitle={`to ${JSON.stringify(data.attribution.token)}, the top prediction at the last position`} items={data.attribution.components}
                sort="abs" valueLabel="logit contribution" />
            )}
          </div>
        </Section>
      )}

      {data.neurons && data.prompt && (
        <Section id="neurons" title="Neurons" intro="The prompt coloured by one MLP neuron's activation (the 32 most active neurons of each layer on this prompt); pick a layer and a neuron.">
          <TextNeuronActivations tokens={data.prompt.tokens} activations={data.neurons.activations} neuronIds={data.neurons.neuronIds} />
        </Section>
      )}

      {data.bigram && (
        <Section id="bigram" title="Bigrams" intro="A zero-layer model can only learn bigram statistics: its next-token log-probabilities against the text's.">
          <div class="cs-numbers">Pearson <b class="cs-num-value">{formatValue(data.bigram.pearson)}</b>, Spearman {formatValue(data.bigram.spearman)} over {data.bigram.pairs} pairs; KL {formatValue(data.bigram.kl)} nats</div>
          {data.bigramTables && <BigramCompare tokens={data.bigramTables.tokens} model={data.bigramTables.model} corpus={data.bigramTables.corpus} />}
          <DataTable title="Top predictions" rows={data.bigram.top}
            columns={[{ key: 'token', label: 'token', kind: 'token' }, { key: 'next1', label: '1st', kind: 'token' }, { key: 'lp1', label: 'log-prob', kind: 'number' },
              { key: 'next2', label: '2nd', kind: 'token' }, { key: 'lp2', label: 'log-prob', kind: 'number' }, { key: 'next3', label: '3rd', kind: 'token' }, { key: 'lp3', label: 'log-prob', kind: 'number' }]} />
        </Section>
      )}
    </div>
  );
}

export default Report;
