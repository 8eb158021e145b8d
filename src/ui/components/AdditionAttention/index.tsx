import { Heatmap } from '../Heatmap/index.js';
import { Figure } from '../../lib/Figure.js';
import { matrixCSV } from '../../lib/export.js';

export interface AdditionAttentionProps {
  /** Answer digits in prediction order `[rows]`, e.g. `A3 A2 A1 A0` (A_i: place value 10^i). */
  rowLabels: readonly string[];
  /** Operand digits in sequence order `[cols]`, e.g. `D2 D1 D0 D'2 D'1 D'0`. */
  colLabels: readonly string[];
  /** Per head `[head][row][col]`: mean attention from the position predicting the row's digit to the column's. */
  table: readonly (readonly (readonly number[])[])[];
  /** The layer the heads are in (default 0), for the panel titles. */
  layer?: number;
  /** Number of problems averaged over, for the subtitle. */
  problems?: number;
  title?: string;
  /** Side of each head's heatmap in CSS px (default 220). */
  size?: number;
}

/**
 * Where each head looks while adding (Quirke and Barez 2023's digit streams): per head, the attention from the
 * position that predicts each answer digit to each operand digit, on one 0-1 scale. The analysis is
 * `digitAttention` (src/analysis/addition/attention.ts); its `rows`, `columns` and `table` are these props.
 */
export function AdditionAttention(p: AdditionAttentionProps) {
  const L = p.layer ?? 0;
  const rows = p.rowLabels.length;
  const cols = p.colLabels.length;
  return (
    <Figure title={p.title ?? 'Addition: attention from each answer digit to the operand digits'}
      subtitle={`per head of layer ${L}, mean over ${p.problems ?? '?'} problems; rows: the position predicting each answer digit`}
      name="addition-attention" exports={{
        json: () => ({ layer: L, problems: p.problems ?? null, rowLabels: p.rowLabels, colLabels: p.colLabels, table: p.table }),
        csv: () => p.table.map((m, h) => matrixCSV((i, j) => m[i]?.[j] ?? Number.NaN, rows, cols, [...p.rowLabels], [...p.colLabels], `L${L}H${h}: answer \\ operand`)).join(''),
      }}>
      <div class="cs-figures" style={{ display: 'flex', gap: 16, flexWrap: 'wrap' }}>
        {p.table.map((m, h) => (
          <div class="cs-addition-head" key={h}>
            <Heatmap values={m as number[][]} rowLabels={p.rowLabels} colLabels={p.colLabels} rowTitle="answer digit" colTitle="operand digit"
              title={`L${L}H${h}`} name={`addition-attention-L${L}H${h}`} scale="sequential" min={0} max={1} size={p.size ?? 220}
              tokenLabels={false} legendLabel="attention" />
          </div>
        ))}
      </div>
    </Figure>
  );
}

export default AdditionAttention;
