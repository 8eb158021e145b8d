import { useRef, useState } from 'preact/hooks';
import { TrainingCurves, trainingCurves, type MetricsLine } from '../../lib/trainingCurves.js';
import { startTraining, type TrainingJob } from '../../../browser/training.js';
import { getPreset, PRESETS } from '../../../train/presets.js';
import type { MetricsRecord } from '../../../train/trainer.js';
import { Explain } from './common.js';

export interface TrainViewProps {
  /** Called with the run's files when it ends or when a checkpoint is loaded: the app then shows that model. */
  onModel: (files: Record<string, Uint8Array>, metrics: MetricsRecord[]) => void;
}

/** Trains a preset in a Web Worker in this tab, with live curves; the result opens in every view. */
export function TrainView({ onModel }: TrainViewProps) {
  const [preset, setPreset] = useState('attn-only-2l');
  const [steps, setSteps] = useState(String(getPreset('attn-only-2l').train.steps));
  const [state, setState] = useState<'idle' | 'running' | 'paused' | 'done'>('idle');
  const [note, setNote] = useState('');
  const [metrics, setMetrics] = useState<MetricsRecord[]>([]);
  const [last, setLast] = useState<{ step: number; loss: number; tokensPerS: number } | null>(null);
  const job = useRef<TrainingJob | null>(null);

  const start = () => {
    const p = getPreset(preset);
    const n = Number(steps);
    if (!Number.isInteger(n) || n < 1) { setNote(`steps: expected a whole number of steps, got "${steps}"`); return; }
    p.train.steps = n;
    p.train.evalEvery = Math.min(p.train.evalEvery, Math.max(1, Math.floor(n / 4)));
    p.train.logEvery = Math.min(p.train.logEvery, Math.max(1, Math.floor(n / 20)));
    const j = startTraining({ preset: p }, { workerUrl: new URL('./circuitscope-worker.js', location.href) });
    job.current = j;
    setMetrics([]);
    setState('running');
    j.onEvent((e) => {
      if (e.type === 'note') setNote(e.message);
      if (e.type === 'ready') setNote(`training on onnxruntime-web (${e.backend}, ${e.threads} thread${e.threads > 1 ? 's' : ''})`);
      if (e.type === 'step') setLast({ step: e.step, loss: e.loss, tokensPerS: e.tokensPerS });
      if (e.type === 'metrics') setMetrics([...j.metrics]);
      if (e.type === 'error') { setNote(e.message); setState('idle'); }
      if (e.type === 'done') { setState('done'); setNote(`finished: ${e.outcome.status}`); onModel(e.files, [...j.metrics]); }
    });
  };
  const curves = trainingCurves(metrics as MetricsLine[]);
  return (
    <section>
      <h2>Train</h2>
      <Explain>Train one of the framework's toy models here, in a Web Worker in this tab (no server computes anything). Every view shows the model when the run ends, or now with "open the model so far".</Explain>
      <p class="app-picker">
        <label>preset <select name="preset" value={preset} disabled={state === 'running' || state === 'paused'} onChange={(e) => { const v = (e.target as HTMLSelectElement).value; setPreset(v); setSteps(String(getPreset(v).train.steps)); }}>
          {Object.keys(PRESETS).filter((n) => !PRESETS[n]!.data.task).map((n) => <option value={n}>{n}</option>)}
        </select></label>
        <label>steps <input name="steps" size={6} value={steps} disabled={state === 'running' || state === 'paused'} onInput={(e) => setSteps((e.target as HTMLInputElement).value)} /></label>
        {(state === 'idle' || state === 'done') && <button type="button" class="cs-btn" onClick={start}>train</button>}
        {state === 'running' && <button type="button" class="cs-btn" onClick={() => { void job.current?.pause().then(() => setState('paused')); }}>pause</button>}
        {state === 'paused' && <button type="button" class="cs-btn" onClick={() => { job.current?.resume(); setState('running'); }}>resume</button>}
        {(state === 'running' || state === 'paused') && <button type="button" class="cs-btn" onClick={() => job.current?.stop()}>stop</button>}
        {(state === 'running' || state === 'paused') && <button type="button" class="cs-btn" onClick={() => { void job.current?.checkpoint().then((f) => onModel(f, [...(job.current?.metrics ?? [])])); }}>open the model so far</button>}
      </p>
      <p class="app-status" data-testid="train-status">{note}{last ? ` · step ${last.step}, loss ${last.loss.toFixed(3)}, ${Math.round(last.tokensPerS).toLocaleString('en')} tokens/s` : ''}</p>
      {curves && <div class="app-charts"><TrainingCurves curves={curves} compact /></div>}
    </section>
  );
}
