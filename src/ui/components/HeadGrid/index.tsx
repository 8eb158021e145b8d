import { useState } from 'preact/hooks';
import { Heatmap } from '../Heatmap/index.js';
import type { ScaleKind } from '../../lib/color.js';

export interface HeadMetric {
  /** e.g. "induction", "previous token", "copying". */
  name: string;
  /** Scores `[layer][head]`. */
  scores: readonly (readonly number[])[];
  /** Default sequential from 0 to 1; use diverging with min -1 for copying scores. */
  scale?: ScaleKind;
  min?: number;
  max?: number;
}

export interface HeadRef { layer: number; head: number }

export interface HeadGridProps {
  /** One or more scores per head; with several, buttons pick which is shown. */
  metrics: readonly HeadMetric[];
  title?: string;
  /** The head outlined as selected. */
  selected?: HeadRef | null;
  /** Largest side in CSS px (default 300). */
  size?: number;
  onHeadClick?: (head: HeadRef & { metric: string; value: number }) => void;
}

/** A layer x head grid of scores (induction, previous-token, duplicate-token, copying); clicking a cell reports the head. */
export function HeadGrid(p: HeadGridProps) {
  const [k, setK] = useState(0);
  const m = p.metrics[Math.min(k, p.metrics.length - 1)];
  if (!m) return <div class="cs-root cs-note">no heads</div>;
  const layers = m.scores.length;
  const heads = m.scores[0]?.length ?? 0;
  return (
    <div class="cs-root cs-head-grid">
      {p.metrics.length > 1 && (
        <div class="cs-controls">
          {p.metrics.map((x, i) => (
            <button key={x.name} type="button" class="cs-btn" aria-pressed={i === k} onClick={() => setK(i)}>{x.name}</button>
          ))}
        </div>
      )}
      <Heatmap values={m.scores} title={p.title ?? `${m.name} scores`} name={`${m.name}-scores`}
        rowLabels={Array.from({ length: layers }, (_, l) => `L${l}`)} colLabels={Array.from({ length: heads }, (_, h) => `H${h}`)}
        rowTitle="layer" colTitle="head" tokenLabels={false} showValues
        scale={m.scale ?? 'sequential'} min={m.min ?? (m.scale === 'diverging' ? -1 : 0)} max={m.max ?? 1}
        size={p.size ?? 300} cellSize={Math.max(22, Math.min(44, Math.floor((p.size ?? 300) / Math.max(layers, heads, 1))))}
        legendLabel={m.name}
        selected={p.selected ? { row: p.selected.layer, col: p.selected.head } : null}
        tooltipExtra={(c) => <div class="cs-tt-head">L{c.row}H{c.col}</div>}
        onCellClick={(c) => p.onHeadClick?.({ layer: c.row, head: c.col, metric: m.name, value: c.value })} />
    </div>
  );
}

export default HeadGrid;
