import { trainRun, type TrainRunTarget } from '../io/trainRun.js';
import type { RunDir } from '../io/runDir.js';
import type { TrainOutcome } from '../train/trainer.js';
import { Progress } from './progress.js';

/**
 * Trains (or resumes) a run with the terminal's progress bar (`--json`: a metrics JSON object per line on stdout
 * instead), Ctrl-C saving a checkpoint (twice: quit without saving). The exit code: 0 done, 1 diverged, 130
 * stopped. Shared by `train` and `reproduce`.
 */
export async function trainInTerminal(target: TrainRunTarget, o: { json: boolean; quietResult?: boolean }): Promise<{ code: number; run: RunDir; outcome: TrainOutcome }> {
  const json = o.json;
  let progress: Progress | null = null;
  const ctrl = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    progress?.note('stopping: saving a checkpoint (Ctrl-C again to quit without saving)');
    ctrl.abort();
  };
  // A loss far above where it started has diverged even while it stays finite (--lr 1e9 reaches 5e15).
  let first: number | undefined;
  let warned = false;
  const exploded = (loss: number) => first !== undefined && loss > Math.max(2 * first, first + 5);
  const watch = (s: number, loss: number) => {
    first ??= loss;
    if (!warned && exploded(loss)) {
      warned = true;
      const msg = `warning: the loss has risen from ${first.toFixed(3)} to ${loss.toPrecision(3)} by step ${s}: training is diverging (learning rate too high?)`;
      if (progress) progress.note(msg);
      else process.stderr.write(`${msg}\n`);
    }
  };
  let result;
  try {
    result = await trainRun(target, {
      signal: ctrl.signal,
      progress: {
        start: (preset) => { progress = Progress.for(json, preset.train.steps); },
        training: () => { process.on('SIGINT', onSigint); },
        note: (m) => progress?.note(m),
        step: (s, loss, tps, started) => {
          watch(s, loss);
          progress?.step(s, loss, tps, started);
        },
        metrics: (r) => { if (json) console.log(JSON.stringify(r)); },
      },
    });
  } finally {
    process.off('SIGINT', onSigint);
  }
  const { run } = result;
  let { outcome } = result;
  if (outcome.status === 'done' && exploded(outcome.finalLoss)) {
    outcome = {
      ...outcome, status: 'diverged',
      message: `${outcome.message}, but the loss diverged: ${outcome.finalLoss.toPrecision(3)} at the end against ${first!.toFixed(3)} at the start, so these weights are not a trained model; train again with a lower --lr`,
    };
  }
  if (outcome.status === 'diverged' && (json || o.quietResult)) process.stderr.write(`circuitscope: training diverged: ${outcome.message}\n`);
  if (!json && o.quietResult) (progress as Progress | null)?.note(outcome.message);
  if (!json && !o.quietResult) console.log(`${outcome.status}: ${outcome.message}; run in ${run.dir}`);
  return { code: outcome.status === 'diverged' ? 1 : outcome.status === 'stopped' ? 130 : 0, run, outcome };
}
