import { Figure } from '../../lib/Figure.js';
import { FONT } from '../../lib/styles.js';

export interface EssentialDynamicsProps {
  /** The checkpoints' steps `[i]`. */
  steps: readonly number[];
  /** `[i][component]`: each checkpoint's coordinates on the principal components. */
  trajectory: readonly (readonly number[])[];
  /** Share of the variance each component explains (axis labels). */
  explainedVarianceRatio?: readonly number[];
  /** Stage boundaries: the checkpoints at these steps are ringed in red. */
  boundaries?: readonly { step: number; kind?: 'max' | 'min' }[];
  /** The components on the axes (default [0, 1]: PC1 against PC2). */
  components?: readonly [number, number];
  title?: string;
  width?: number;
  height?: number;
}

const MARK = '#d62728';

/** Early checkpoints light, late ones dark (a blue ramp). */
function ramp(t: number): string {
  const a = [198, 219, 239], b = [8, 48, 107];
  return `rgb(${a.map((v, i) => Math.round(v + (b[i]! - v) * t)).join(',')})`;
}

/**
 * Essential dynamics (devinterp): the model's outputs on a probe, projected on their first principal components
 * across checkpoints, as a path in the PC plane. Points are labelled by step and shaded early (light) to late
 * (dark); the checkpoints at the LLC's stage boundaries are ringed in red. SVG.
 */
export function EssentialDynamics(p: EssentialDynamicsProps) {
  const [cx, cy] = p.components ?? [0, 1];
  const W = p.width ?? 420, H = p.height ?? 340, pad = 44;
  const pts = p.trajectory.map((r, i) => ({ step: p.steps[i]!, x: r[cx] ?? 0, y: r[cy] ?? 0 }));
  const span = (v: number[]) => { const lo = Math.min(...v), hi = Math.max(...v); return hi > lo ? [lo, hi] : [lo - 1, hi + 1]; };
  const [x0, x1] = span(pts.map((q) => q.x)), [y0, y1] = span(pts.map((q) => q.y));
  const sx = (v: number) => pad + ((v - x0!) / (x1! - x0!)) * (W - 2 * pad);
  const sy = (v: number) => H - pad - ((v - y0!) / (y1! - y0!)) * (H - 2 * pad);
  const bound = new Set((p.boundaries ?? []).map((b) => b.step));
  const every = Math.max(1, Math.ceil(pts.length / 10));
  const labelled = (i: number) => i % every === 0 || i === pts.length - 1 || bound.has(pts[i]!.step);
  const pct = (k: number) => (p.explainedVarianceRatio?.[k] !== undefined ? ` (${(100 * p.explainedVarianceRatio[k]).toFixed(0)}% of variance)` : '');
  return (
    <Figure title={p.title ?? 'Essential dynamics: the outputs\' path in the first principal components'} name="essential-dynamics" exports={{
      json: () => ({ steps: p.steps, trajectory: p.trajectory, boundaries: p.boundaries ?? [] }),
    }}>
      <svg class="cs-essential-dynamics" width={W} height={H} viewBox={`0 0 ${W} ${H}`} style={{ font: `11px ${FONT}` }} data-points={pts.length} data-boundaries={[...bound].join(',')}>
        <rect x={pad} y={pad} width={W - 2 * pad} height={H - 2 * pad} fill="none" stroke="#ddd" />
        <text x={W / 2} y={H - 10} text-anchor="middle" fill="#555">PC{cx + 1}{pct(cx)}</text>
        <text x={12} y={H / 2} text-anchor="middle" fill="#555" transform={`rotate(-90 12 ${H / 2})`}>PC{cy + 1}{pct(cy)}</text>
        <polyline points={pts.map((q) => `${sx(q.x).toFixed(1)},${sy(q.y).toFixed(1)}`).join(' ')} fill="none" stroke="#aaa" stroke-width={1.2} />
        {pts.map((q, i) => (
          <g key={i} class={bound.has(q.step) ? 'cs-ed-point cs-ed-boundary' : 'cs-ed-point'} data-step={q.step}>
            <title>step {q.step}: PC{cx + 1} {q.x.toPrecision(4)}, PC{cy + 1} {q.y.toPrecision(4)}{bound.has(q.step) ? ' (stage boundary)' : ''}</title>
            <circle cx={sx(q.x)} cy={sy(q.y)} r={4} fill={ramp(pts.length > 1 ? i / (pts.length - 1) : 1)} />
            {bound.has(q.step) && <circle cx={sx(q.x)} cy={sy(q.y)} r={8} fill="none" stroke={MARK} stroke-width={2} />}
            {labelled(i) && <text x={sx(q.x) + 9} y={sy(q.y) - 6} fill={bound.has(q.step) ? MARK : '#333'}>{q.step}</text>}
          </g>
        ))}
      </svg>
    </Figure>
  );
}

export default EssentialDynamics;
