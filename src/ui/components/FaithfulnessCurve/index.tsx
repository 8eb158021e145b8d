import { LineChart, type LineSeries } from '../LineChart/index.js';

/** One point of a faithfulness curve, as `discover --json` prints it. */
export interface FaithfulnessPoint {
  /** Edges kept (the top ones by |score|; every other edge ablated). */
  edges: number;
  /** (metric - ablated) / (clean - ablated): the share of the clean run's metric recovered. */
  recovered: number;
  metric?: number;
}

export interface FaithfulnessCurveProps {
  /** One curve per method (or run). */
  curves?: readonly { label: string; points: readonly FaithfulnessPoint[] }[];
  /** A single curve as `discover --json` prints it (`faithfulness`), labelled by `method`. */
  faithfulness?: readonly FaithfulnessPoint[];
  method?: string;
  title?: string;
  width?: number;
  height?: number;
}

/**
 * Faithfulness, as auto-circuit measures it: the share of the clean run's metric recovered when only the top k
 * edges are kept, against k, one curve per method, with the clean run (1) dashed. Drag to zoom into the first
 * edges. A LineChart underneath: legend values under the cursor, JSON/CSV/PNG export.
 */
export function FaithfulnessCurve(p: FaithfulnessCurveProps) {
  const curves = p.curves ?? (p.faithfulness ? [{ label: p.method ?? 'ranking', points: p.faithfulness }] : []);
  const x = [...new Set(curves.flatMap((c) => c.points.map((q) => q.edges)))].sort((a, b) => a - b);
  const series: LineSeries[] = curves.map((c) => {
    const at = new Map(c.points.map((q) => [q.edges, q.recovered]));
    return { label: c.label, values: x.map((k) => at.get(k) ?? null) };
  });
  series.push({ label: 'clean run', values: x.map(() => 1), dash: true, color: '#999' });
  return (
    <LineChart x={x} series={series} title={p.title ?? 'Faithfulness: clean metric recovered by the top edges'}
      xLabel="edges kept" yLabel="recovered" width={p.width ?? 560} height={p.height ?? 260} />
  );
}

export default FaithfulnessCurve;
