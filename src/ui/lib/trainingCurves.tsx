// A run's training curves from its metrics.jsonl records, and the figures that show them: shared by the report,
// the app's Model view and the Train view (live).
import { LineChart } from '../components/LineChart/index.js';

/** One line of metrics.jsonl (the fields the curves read). */
export interface MetricsLine {
  step: number;
  loss?: number;
  val_loss?: number;
  lr?: number;
  icl_score?: number;
  induction_scores?: number[][];
  previous_token_scores?: number[][];
  [key: string]: unknown;
}

/** Every curve of a run, one value per metrics record (null where a record lacks it). */
export interface TrainingCurvesData {
  steps: number[];
  loss: (number | null)[];
  valLoss: (number | null)[];
  lr: (number | null)[];
  icl: (number | null)[];
  /** Every head's detector scores over training: `{ label: 'L1H0', values: [step] }`. */
  induction: { label: string; values: (number | null)[] }[];
  previousToken: { label: string; values: (number | null)[] }[];
  /** The step a loss-ended curriculum ended at (`curriculum_ended`), marked on the loss and induction charts. */
  curriculumEnded: number | null;
  /**
   * Where the probes read fewer positions than the model's context (`probe_context`, a sequence-length warm-up):
   * how many, and the last step they did. Marked on the in-context-learning chart.
   */
  shortContext: { tokens: number; until: number } | null;
  /**
   * Where the training loss ranged over fewer ids than the vocabulary (`loss_vocabulary`: a curriculum on a few
   * ids of a BPE): how many, and the last step it did. Said in the loss chart's title, since the loss jumps there.
   */
  lossVocabulary: { ids: number; until: number } | null;
}

/** The curves of metrics.jsonl's records, or undefined when there are none. */
export function trainingCurves(metrics: readonly MetricsLine[]): TrainingCurvesData | undefined {
  if (metrics.length === 0) return undefined;
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  const heads = (key: 'induction_scores' | 'previous_token_scores') => {
    const first = metrics.find((m) => Array.isArray(m[key]))?.[key];
    if (!first) return [];
    return first.flatMap((row, l) => row.map((_, h) => ({
      label: `L${l}H${h}`, values: metrics.map((m) => num(m[key]?.[l]?.[h])),
    })));
  };
  return {
    steps: metrics.map((m) => m.step), loss: metrics.map((m) => num(m.loss)), valLoss: metrics.map((m) => num(m.val_loss)),
    lr: metrics.map((m) => num(m.lr)), icl: metrics.map((m) => num(m.icl_score)),
    induction: heads('induction_scores'), previousToken: heads('previous_token_scores'),
    curriculumEnded: metrics.map((m) => num(m['curriculum_ended'])).find((v) => v !== null) ?? null,
    shortContext: lastWith(metrics, 'probe_context', (tokens, until) => ({ tokens, until })),
    lossVocabulary: lastWith(metrics, 'loss_vocabulary', (ids, until) => ({ ids, until })),
  };
}

/** The last record holding a number under `key`: that number and its step. */
function lastWith<T>(metrics: readonly MetricsLine[], key: string, make: (value: number, step: number) => T): T | null {
  for (let i = metrics.length - 1; i >= 0; i--) {
    const c = metrics[i]![key];
    if (typeof c === 'number') return make(c, metrics[i]!.step);
  }
  return null;
}

export interface TrainingCurvesProps {
  curves: TrainingCurvesData;
  /** Each chart's width in CSS px (default: LineChart's). */
  width?: number;
  /** Only the loss and the induction scores (the Train view's live figures). */
  compact?: boolean;
}

/** Loss and validation loss, learning rate, the ICL score and every head's induction and previous-token score. */
export function TrainingCurves({ curves: t, width, compact }: TrainingCurvesProps) {
  const w = width === undefined ? {} : { width };
  const ended = t.curriculumEnded;
  const mark = ended === null ? {} : { markers: [ended] };
  const endedNote = ended === null ? null : `dashed: the curriculum ended at step ${ended}`;
  const few = t.lossVocabulary;
  const inParens = (notes: (string | null)[]) => {
    const kept = notes.filter((x) => x !== null);
    return kept.length > 0 ? ` (${kept.join('; ')})` : '';
  };
  const note = inParens([endedNote]);
  const lossNote = inParens([endedNote, few ? `the training loss over ${few.ids} ids up to step ${few.until}` : null]);
  const short = t.shortContext;
  return (
    <>
      <LineChart title={`Loss${lossNote}`} {...mark} x={t.steps} xLabel="step" yLabel="nats" series={[{ label: 'loss', values: t.loss }, { label: 'validation loss', values: t.valLoss, dash: true }]} {...w} />
      {!compact && <LineChart title="Learning rate" x={t.steps} xLabel="step" series={[{ label: 'lr', values: t.lr }]} {...w} />}
      {!compact && t.icl.some((v) => v !== null) && (
        <LineChart title={`In-context learning score (loss late in the context minus early${short ? `; on the first ${short.tokens} tokens, the length trained, up to step ${short.until} (dashed)` : ''})`}
          {...(short ? { markers: [short.until] } : {})} x={t.steps} xLabel="step" yLabel="nats" series={[{ label: 'ICL score', values: t.icl }]} {...w} />
      )}
      {t.induction.length > 0 && <LineChart title={`Induction score of every head: the phase change${note}`} {...mark} x={t.steps} xLabel="step" series={t.induction} {...w} />}
      {!compact && t.previousToken.length > 0 && <LineChart title="Previous-token score of every head" x={t.steps} xLabel="step" series={t.previousToken} {...w} />}
    </>
  );
}
