// What a report shows: plain JSON computed from a model (src/ui/report/compute.ts) and rendered by Report.tsx.
import type { Bar } from '../components/Bars/index.js';
import type { PointGroup } from '../components/ComplexPlane/index.js';
import type { TopkItem } from '../components/TopkTokens/index.js';
import type { Row } from '../components/DataTable/index.js';
import type { HeadMetric } from '../components/HeadGrid/index.js';
import type { TokenPrediction } from '../components/TokenLogProbs/index.js';
import type { TrainingCurvesData } from '../lib/trainingCurves.js';
import type { ReportDevelopment } from './development.js';
import type { ReportAddition } from './addition.js';

export const REPORT_SCHEMA = 'circuitscope.report/1';

export interface ReportModel {
  name: string;
  n_layers: number;
  n_heads: number;
  d_model: number;
  d_head: number;
  d_mlp: number | null;
  d_vocab: number;
  n_ctx: number;
  attn_only: boolean;
  positional_embedding_type: string;
  normalization_type: string | null;
  /** Number of parameters (every weight tensor's size). */
  params: number;
  tokenizer: boolean;
  /** TransformerLens's weight processing was applied. */
  processed: boolean;
}

/** A run's training curves (the report's Model section). */
export type ReportTraining = TrainingCurvesData;

export interface ReportData {
  schema: typeof REPORT_SCHEMA;
  title: string;
  /** Where the model came from (the directory's name). */
  source: string;
  generated: string;
  model: ReportModel;
  /** run.json of a training run, as key/value lines. */
  run?: { key: string; value: string }[];
  training?: ReportTraining;
  /** Progress over training: `analyze --over-training` and `llc` JSON given to `report --over-training/--llc`. */
  development?: ReportDevelopment;
  /** How an addition model adds: `reproduce --suite addition --json` given to `report --addition`. */
  addition?: ReportAddition;
  prompt?: {
    text: string | null;
    /** Where the prompt came from: the user's text or ids, or the default (a sentence twice; random ids twice). */
    origin: 'text' | 'ids' | 'default-text' | 'default-ids';
    tokens: string[];
    ids: number[];
    predictions: TokenPrediction[];
    /** Every head's pattern, `[layer * n_heads + head][dest][src]`. */
    attention: number[][][];
    headLabels: string[];
  };
  heads?: HeadMetric[];
  circuits?: {
    /** The tokens the QK/OV heatmaps are restricted to (the prompt's distinct tokens). */
    tokens: string[];
    heads: { label: string; layer: number; head: number; qk: number[][]; ov: number[][]; positional?: number[][] }[];
  };
  eigenvalues?: PointGroup[];
  /** Per head, the tokens its OV circuit copies most: the largest diagonal entries of W_E W_OV W_U. */
  copyingTokens?: TopkItem[];
  /** For models with MLPs: the most active neurons of each layer on the prompt. */
  neurons?: { activations: number[][][]; neuronIds: number[][] };
  /** Zero-layer models: the model's and the corpus's bigram log-probabilities over the most frequent tokens. */
  bigramTables?: { tokens: string[]; model: number[][]; corpus: number[][] };
  skipTrigrams?: Row[];
  composition?: {
    labels: string[];
    q: number[][]; k: number[][]; v: number[][];
    baseline: { q: number; k: number; v: number };
    top: Row[];
    virtualHeads: Row[];
  };
  /**
   * Path-expansion terms and the rise in loss when each alone is removed; `byOrder` (when the analysis has it): the
   * loss of the direct path alone and what adding every single head, then every virtual head, lowers it by.
   */
  termImportance?: { loss: number; expansionLoss: number; terms: Bar[]; byOrder?: { direct: number; reductions: Bar[] } };
  logitLens?: { layers: string[]; tokens: string[]; correctLogProb: number[][]; top: string[][] };
  attribution?: { position: number; token: string; components: Bar[] };
  bigram?: { tokens: string[]; pearson: number; spearman: number; kl: number; pairs: number; top: Row[] };
  inContextLearning?: { score: number; early: number; late: number };
  inductionLossGap?: number;
  /**
   * The induction circuit by edge attribution patching (first-half corruption, the answer's log-probability): the
   * graph's nodes, the top edges by |score| (of `edgeCount`), and the faithfulness curve.
   */
  circuit?: {
    method: string;
    task: string;
    metric: string;
    clean: number;
    corrupt: number;
    edgeCount: number;
    nodes: string[];
    edges: { from: string; to: string; score: number; kept: boolean }[];
    faithfulness: { edges: number; recovered: number }[];
  };
  lossByPosition?: number[];
  /** The versioned analysis JSON (`circuitscope analyze --json`) the figures come from. */
  analysis: unknown;
}
