import { useEffect, useState } from 'preact/hooks';
import { Bars, CircuitGraph, DataTable, FaithfulnessCurve, LineChart } from '../../components/index.js';
import type { DiscoveryView } from '../../../analysis/views/index.js';
import { displayToken, formatValue } from '../../lib/format.js';
import { Explain, useRequest, type ViewProps } from './common.js';

const METHODS = ['attribution', 'eap', 'eap-ig', 'acdc'] as const;
type Method = (typeof METHODS)[number];
const METHOD_NAMES: Record<Method, string> = {
  attribution: 'attribution patching (nodes)', eap: 'edge attribution patching (EAP)', 'eap-ig': 'EAP-IG', acdc: 'ACDC',
};
const EXAMPLE = '{ "metric": "logit_diff", "prompts": [{ "clean": [5, 9, 2, 5, 9], "corrupt": [5, 7, 2, 5, 7], "answer": 2, "wrong": 3, "position": -1 }] }';

const CORRUPTIONS = ['resample', 'first-half', 'second-half'] as const;
type Corruption = (typeof CORRUPTIONS)[number];
const CORRUPTION_NAMES: Record<Corruption, string> = {
  resample: 'B + B (another repeated sequence)', 'first-half': 'B + A (the copy read from is gone)', 'second-half': 'A + B (the second copy re-drawn)',
};

/** The app's form style gives inputs a width; radio buttons keep their own. */
const RADIO = { width: 'auto', margin: '0 4px 0 0' };
/** A line break in the form's flex row. */
const BREAK = { flexBasis: '100%', height: 0 };

/** A user's task: pasted, or read from a dropped or chosen .json file (its name names it in errors). */
interface CustomTask { text: string; name: string }

/** Seconds since `busy` turned on, ticking while it stays on. */
function useElapsed(busy: boolean): number {
  const [s, setS] = useState(0);
  useEffect(() => {
    if (!busy) return;
    const t0 = performance.now();
    setS(0);
    const id = setInterval(() => setS((performance.now() - t0) / 1000), 250);
    return () => clearInterval(id);
  }, [busy]);
  return s;
}

/** Circuit discovery on the loaded model: a task and a method, then the circuit, its faithfulness and its top edges. */
export function DiscoverView({ engine, info, route, go }: ViewProps) {
  const x = route.extra;
  const method = (METHODS as readonly string[]).includes(x.method ?? '') ? (x.method as Method) : 'eap';
  const ablation = x.ablation === 'zero' ? 'zero' : 'resample';
  const corruption = (CORRUPTIONS as readonly string[]).includes(x.corruption ?? '') ? (x.corruption as Corruption) : 'resample';
  const [kind, setKind] = useState<'induction' | 'json'>('induction');
  const [draft, setDraft] = useState<CustomTask>({ text: '', name: 'pasted task' });
  /** The task last run: induction, or the custom task as it was when "find the circuit" was pressed. */
  const [task, setTask] = useState<CustomTask | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  /** The form's fields, from the URL (and back to it when the URL changes). */
  const fromRoute = { method, steps: x.steps ?? '', tau: x.tau ?? '', ablation, reference: x.reference ?? '', corruption };
  const [form, setForm] = useState(fromRoute);
  useEffect(() => setForm(fromRoute), [JSON.stringify(fromRoute)]);
  const field = (name: keyof typeof form) => ({
    name, value: form[name],
    onInput: (e: Event) => { const value = (e.currentTarget as HTMLInputElement).value; setForm((f) => ({ ...f, [name]: value })); },
    onChange: (e: Event) => { const value = (e.currentTarget as HTMLInputElement).value; setForm((f) => ({ ...f, [name]: value })); },
  });
  const L = Number(info.config['n_layers']);
  const num = (s: string | undefined) => (s === undefined || s === '' ? undefined : Number(s));
  const key = JSON.stringify([method, x.tau, x.steps, ablation, x.reference, task, corruption]);
  const r = useRequest(() => (L > 0 ? engine.request({
    type: 'discover', method, ablation,
    task: task ? { kind: 'json', text: task.text, name: task.name } : { kind: 'induction', corrupt: corruption },
    ...(method === 'acdc' && x.tau ? { tau: num(x.tau)! } : {}), ...(method === 'eap-ig' && x.steps ? { steps: num(x.steps)! } : {}),
    ...(x.reference ? { reference: x.reference } : {}),
  }).then((view) => ({ key, view })) : Promise.resolve(null)), key);
  const elapsed = useElapsed(r.busy);
  /** Every method's faithfulness curve on this task and ablation, so that methods can be compared. */
  const [curves, setCurves] = useState<Record<string, { label: string; points: DiscoveryView['faithfulness'] }>>({});
  // Until the new request's effect marks it busy, the previous result (for other choices) is not shown.
  const v = r.value?.key === key ? r.value.view : null;
  useEffect(() => {
    if (!v) return;
    const label = `${v.method}${v.method === 'eap-ig' ? ` (${x.steps ?? 30} steps)` : v.method === 'acdc' ? ` (τ ${v.tau}, ${v.metric})` : ''}`;
    setCurves((c) => {
      const scope = `${v.task}|${v.taskInfo.corruption}|${v.ablation}`;
      const kept = Object.fromEntries(Object.entries(c).filter(([k]) => k.startsWith(`${scope}|`)));
      return { ...kept, [`${scope}|${label}`]: { label, points: v.faithfulness } };
    });
  }, [v]);
  if (L === 0) return <section><h2>Circuit discovery</h2><Explain>This model has no layers, so no heads to find a circuit among.</Explain></section>;

  const submit = (e: Event) => {
    e.preventDefault();
    const val = (n: keyof typeof form) => form[n].trim();
    const m = val('method') as Method;
    if (m === 'acdc' && val('tau') !== '' && !(Number(val('tau')) >= 0)) return setFormError(`tau: expected a number >= 0, got "${val('tau')}"`);
    if (m === 'eap-ig' && val('steps') !== '' && !(Number.isInteger(Number(val('steps'))) && Number(val('steps')) >= 1)) return setFormError(`steps: expected a whole number >= 1, got "${val('steps')}"`);
    if (kind === 'json' && !draft.text.trim()) return setFormError('task: paste a task as JSON, or drop a .json file on the box');
    setFormError(null);
    setTask(kind === 'json' ? { ...draft } : null);
    go({ extra: { ...route.extra, method: m, tau: val('tau'), steps: val('steps'), ablation: val('ablation'), reference: val('reference'), corruption: val('corruption') } });
  };
  const readFile = (file: File | undefined) => { if (file) void file.text().then((text) => { setDraft({ text, name: file.name }); setKind('json'); }); };

  return (
    <section>
      <h2>Circuit discovery</h2>
      <Explain>Find the edges between heads (and MLPs) that a behaviour runs through: each head's output feeds the
        query, key and value inputs of every later head, and the logits. Attribution methods score every edge by how
        much patching it from the corrupted prompt would change the metric (EAP: one backward pass; EAP-IG averages
        the gradient along the path from the corrupted to the clean input); ACDC removes edges one at a time while
        the output stays within τ of the clean run's (KL divergence).</Explain>
      <form class="app-fields" data-testid="discover-form" onSubmit={submit}>
        <label><input type="radio" name="task-kind" style={RADIO} checked={kind === 'induction'} onChange={() => setKind('induction')} /> induction (repeated random tokens)</label>
        {kind === 'induction' && <label>corrupted <select {...field('corruption')}>{CORRUPTIONS.map((c) => <option value={c}>{CORRUPTION_NAMES[c]}</option>)}</select></label>}
        <label><input type="radio" name="task-kind" style={RADIO} checked={kind === 'json'} onChange={() => setKind('json')} /> my task (JSON)</label>
        {kind === 'json' && (
          <div style={{ flexBasis: '100%' }}>
            <textarea name="task-json" rows={5} style={{ width: 'min(860px, 90vw)', fontFamily: 'ui-monospace, Menlo, Consolas, monospace', fontSize: 12 }}
              placeholder={`paste a task, or drop a .json file here: ${EXAMPLE}`} value={draft.text}
              onInput={(e) => setDraft({ text: (e.currentTarget as HTMLTextAreaElement).value, name: 'pasted task' })}
              onDragOver={(e) => { e.preventDefault(); e.stopPropagation(); }}
              onDrop={(e) => { e.preventDefault(); e.stopPropagation(); readFile(e.dataTransfer?.files[0]); }} />
            <div class="app-note">{info.hasTokenizer ? 'Prompts may be text and answers single-token strings.' : 'This model has no tokenizer: prompts are token ids, answers ids.'} Metric: logit_diff, logprob, prob or kl.{' '}
              <label class="cs-btn">open a .json file<input type="file" accept=".json,application/json" hidden onChange={(e) => readFile((e.currentTarget as HTMLInputElement).files?.[0])} /></label></div>
          </div>
        )}
        <span style={BREAK} />
        <label>method <select {...field('method')}>{METHODS.map((m) => <option value={m}>{METHOD_NAMES[m]}</option>)}</select></label>
        <label>steps (EAP-IG) <input {...field('steps')} placeholder="30" style={{ width: '4em' }} /></label>
        <label>τ (ACDC) <input {...field('tau')} placeholder="0.01" style={{ width: '5em' }} /></label>
        <label>ablation <select {...field('ablation')}><option value="resample">resample (corrupted run)</option><option value="zero">zero</option></select></label>
        <span style={BREAK} />
        <label>known circuit <input {...field('reference')} placeholder='optional: L0H0->L1H0.k, L1H0->logits (or JSON: a list, or discover --json)' class="app-wide" /></label>
        <button type="submit" class="cs-btn">find the circuit</button>
      </form>
      {formError && <p class="app-error" role="alert">{formError}</p>}
      {r.error && <p class="app-error" role="alert">{r.error}</p>}
      {r.busy && <p class="app-busy" data-testid="discover-busy">running {METHOD_NAMES[method]} on {task ? task.name : 'induction'} in the worker… {elapsed.toFixed(0)} s (other views wait until it finishes)</p>}
      {v && !r.busy && <Result v={v} curves={Object.values(curves)} />}
    </section>
  );
}

function Result({ v, curves }: { v: DiscoveryView; curves: { label: string; points: DiscoveryView['faithfulness'] }[] }) {
  const t = v.taskInfo;
  const ranked = v.edges.map((e, i) => ({ e, i })).sort((a, b) => Math.abs(b.e.score) - Math.abs(a.e.score) || a.i - b.i).map((q) => q.e);
  const kept = v.edges.filter((e) => e.kept).length;
  const read = new Set(t.example.positions);
  const strip = (toks: string[], other: string[]) => toks.map((s, i) => (
    <span style={{ display: 'inline-block', margin: '0 1px', padding: '0 2px', background: s !== other[i] ? '#fbe3d6' : undefined, borderBottom: read.has(i) ? '2px solid #3b6fb6' : undefined }}>{displayToken(s)}</span>));
  return (
    <>
      <p class="app-result" data-testid="discover-summary">
        <b>{METHOD_NAMES[v.method as Method]}</b> on <b>{t.name}</b>{t.corruption && <> (corrupted {CORRUPTION_NAMES[t.corruption]})</>}: {t.prompts} prompt pair{t.prompts > 1 ? 's' : ''} of {t.tokens} tokens, {t.targets} predictions,
        metric <b>{v.metric}</b>, {v.ablation} ablation. Clean run <b>{formatValue(v.clean)}</b>, every edge ablated <b>{formatValue(v.corrupt)}</b>.{' '}
        {v.method === 'acdc' ? <>ACDC kept <b>{kept}</b> of {v.edges.length} edges (τ {v.tau}).</> : <>{v.edges.length} edges scored; the top {kept} are marked kept.</>}
        {v.roc && <> Against the known circuit ({v.reference!.length} edges): ROC AUC <b data-testid="discover-auc">{v.roc.auc.toFixed(3)}</b>.</>}
      </p>
      <div class="app-note" style={{ fontFamily: 'ui-monospace, Menlo, Consolas, monospace', fontSize: 12, lineHeight: 1.8, maxWidth: 1000 }}>
        <div>clean&nbsp;&nbsp;&nbsp; {strip(t.example.clean, t.example.corrupt)}</div>
        <div>corrupted {strip(t.example.corrupt, t.example.clean)}</div>
        <div style={{ fontFamily: 'inherit' }}>(first pair; shaded where the prompts differ, underlined where the metric reads the prediction)</div>
      </div>
      <div class="app-row" style={{ marginTop: 10 }}>
        <CircuitGraph nodes={v.nodes} edges={v.edges} nodeScores={v.nodeScores} title={`The circuit: ${v.method} on ${t.name}`} />
        <FaithfulnessCurve curves={curves} title="Faithfulness: clean metric recovered by the top k edges" />
        {v.roc && (
          <LineChart x={v.roc.fpr} series={[{ label: `${v.method} (AUC ${v.roc.auc.toFixed(3)})`, values: v.roc.tpr }, { label: 'chance', values: v.roc.fpr, dash: true, color: '#999' }]}
            title="ROC against the known circuit" xLabel="false positive rate" yLabel="true positive rate" width={380} height={260} />
        )}
      </div>
      {v.nodeScores && (
        <Bars title="Attribution patching: each writer's score" subtitle="(corrupt − clean) · ∂metric/∂output, the sum of its edges'"
          items={v.nodeScores.map((n) => ({ label: n.node, value: n.score }))} sort="abs" limit={30} valueLabel="estimated change in the metric" />
      )}
      <DataTable title="Top edges" subtitle={`the ${Math.min(200, ranked.length)} largest |score| of ${ranked.length}`}
        columns={[{ key: 'rank', label: '#', kind: 'number' }, { key: 'from', label: 'from' }, { key: 'to', label: 'to' }, { key: 'score', label: 'score', kind: 'number' }, { key: 'kept', label: 'kept' }]}
        rows={ranked.slice(0, 200).map((e, i) => ({ rank: i + 1, from: e.from, to: e.to, score: e.score, kept: e.kept ? 'kept' : '' }))} pageSize={15} />
    </>
  );
}
