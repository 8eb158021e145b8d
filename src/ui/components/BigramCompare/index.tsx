import { useMemo, useState } from 'preact/hooks';
import { Heatmap } from '../Heatmap/index.js';
import { Figure } from '../../lib/Figure.js';
import { matrixCSV } from '../../lib/export.js';
import { formatValue } from '../../lib/format.js';

export interface BigramCompareProps {
  /** The compared tokens `[k]` (rows: the current token; columns: the next token). */
  tokens: readonly string[];
  /** The model's next-token log-probabilities `[current][next]`. */
  model: readonly (readonly number[])[];
  /** The corpus's bigram log-probabilities `[current][next]`; NaN for pairs never seen. */
  corpus: readonly (readonly number[])[];
  title?: string;
  /** Side of each heatmap in CSS px (default 360). */
  size?: number;
}

/** Pearson correlation over the pairs where both are finite. */
export function pearson(a: readonly (readonly number[])[], b: readonly (readonly number[])[]): { r: number; n: number } {
  const xs: number[] = [];
  const ys: number[] = [];
  a.forEach((row, i) => row.forEach((x, j) => { const y = b[i]?.[j]; if (Number.isFinite(x) && y !== undefined && Number.isFinite(y)) { xs.push(x); ys.push(y); } }));
  const n = xs.length;
  if (n < 2) return { r: Number.NaN, n };
  const mx = xs.reduce((s, v) => s + v, 0) / n;
  const my = ys.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) { sxy += (xs[i]! - mx) * (ys[i]! - my); sxx += (xs[i]! - mx) ** 2; syy += (ys[i]! - my) ** 2; }
  return { r: sxy / Math.sqrt(sxx * syy), n };
}

/**
 * A zero-layer model's bigram table beside the corpus's, on one colour scale, with their correlation; hovering a
 * cell in one outlines the same pair in the other.
 */
export function BigramCompare(p: BigramCompareProps) {
  const [cell, setCell] = useState<{ row: number; col: number } | null>(null);
  const { r, n } = useMemo(() => pearson(p.model, p.corpus), [p.model, p.corpus]);
  const [lo, hi] = useMemo(() => {
    let a = Infinity;
    let b = -Infinity;
    for (const m of [p.model, p.corpus]) for (const row of m) for (const v of row) if (Number.isFinite(v)) { a = Math.min(a, v); b = Math.max(b, v); }
    return a === Infinity ? [0, 1] : [a, b];
  }, [p.model, p.corpus]);
  const common = { rowLabels: p.tokens, colLabels: p.tokens, rowTitle: 'current token', colTitle: 'next token', scale: 'sequential' as const,
    min: lo, max: hi, size: p.size ?? 360, showValues: false, legendLabel: 'log-prob', selected: cell,
    onCellHover: (c: { row: number; col: number } | null) => setCell(c ? { row: c.row, col: c.col } : null) };
  return (
    <Figure title={p.title ?? 'Bigram statistics: model and corpus'} subtitle={`Pearson r = ${formatValue(r)} over ${n} pairs seen in the corpus`} name="bigrams" exports={{
      json: () => ({ tokens: p.tokens, model: p.model, corpus: p.corpus, pearson: r, pairs: n }),
      csv: () => matrixCSV((i, j) => p.model[i]?.[j] ?? Number.NaN, p.tokens.length, p.tokens.length, p.tokens, p.tokens, 'model: current \\ next')
        + matrixCSV((i, j) => p.corpus[i]?.[j] ?? Number.NaN, p.tokens.length, p.tokens.length, p.tokens, p.tokens, 'corpus: current \\ next'),
    }}>
      <div class="cs-figures" style={{ display: 'flex', gap: 16, flexWrap: 'wrap' }}>
        <div class="cs-bigram-model"><Heatmap {...common} values={p.model} title="model" name="bigram-model" /></div>
        <div class="cs-bigram-corpus"><Heatmap {...common} values={p.corpus} title="corpus" name="bigram-corpus" /></div>
      </div>
    </Figure>
  );
}

export default BigramCompare;
