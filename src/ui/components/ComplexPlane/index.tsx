import { useRef, useState } from 'preact/hooks';
import { Figure } from '../../lib/Figure.js';
import { toCSV } from '../../lib/export.js';
import { formatValue } from '../../lib/format.js';
import { seriesColor } from '../../lib/palette.js';
import { FONT } from '../../lib/styles.js';

export interface PointGroup {
  /** e.g. "L0H1". */
  label: string;
  /** Real and imaginary parts `[i]`. */
  re: readonly number[];
  im: readonly number[];
  /** Shown beside the label, e.g. "copying 0.93". */
  note?: string;
  color?: string;
}

export interface ComplexPlaneProps {
  groups: readonly PointGroup[];
  title?: string;
  subtitle?: string;
  /**
   * Divide each group by its largest magnitude so that every point lies in the unit disc (default true): the
   * eigenvalues of an OV circuit differ in scale between heads, their directions are what matter.
   */
  normalize?: boolean;
  /** Side in CSS px (default 280). */
  size?: number;
}

/**
 * Points in the complex plane with the unit circle and axes: OV circuit eigenvalues, one colour per head. Mostly
 * positive real eigenvalues mean the head copies its input token to its output.
 */
export function ComplexPlane(p: ComplexPlaneProps) {
  const svg = useRef<SVGSVGElement>(null);
  const [hover, setHover] = useState<{ g: number; i: number } | null>(null);
  const [only, setOnly] = useState<number | null>(null);
  const S = p.size ?? 280;
  const pad = 14;
  const norm = p.normalize !== false;
  const scaleOf = (g: PointGroup) => {
    if (!norm) return 1;
    let m = 0;
    g.re.forEach((r, i) => { m = Math.max(m, Math.hypot(r, g.im[i] ?? 0)); });
    return m || 1;
  };
  let extentR = 1;
  if (!norm) for (const g of p.groups) g.re.forEach((r, i) => { extentR = Math.max(extentR, Math.abs(r), Math.abs(g.im[i] ?? 0)); });
  const R = (S / 2 - pad) / (extentR * 1.05);
  const cx = S / 2;
  const cy = S / 2;
  const scales = p.groups.map(scaleOf);
  const hp = hover ? p.groups[hover.g] : null;
  return (
    <Figure title={p.title} subtitle={p.subtitle} name={p.title ?? 'eigenvalues'} exports={{
      json: () => ({ groups: p.groups }),
      csv: () => toCSV(['group', 're', 'im'], p.groups.flatMap((g) => g.re.map((r, i) => [g.label, r, g.im[i] ?? null]))),
      svg: () => svg.current,
    }}>
      <div style={{ display: 'flex', gap: 12, alignItems: 'flex-start' }}>
        <div style={{ position: 'relative' }}>
          <svg ref={svg} class="cs-complex" width={S} height={S} viewBox={`0 0 ${S} ${S}`} font-family={FONT} font-size="10">
            <rect x="0" y="0" width={S} height={S} fill="#fff" />
            <line x1={pad / 2} x2={S - pad / 2} y1={cy} y2={cy} stroke="#bbb" />
            <line y1={pad / 2} y2={S - pad / 2} x1={cx} x2={cx} stroke="#bbb" />
            <circle class="cs-unit-circle" cx={cx} cy={cy} r={R} fill="none" stroke="#999" stroke-dasharray="3 3" />
            <text x={S - pad} y={cy - 4} text-anchor="end" fill="#777">Re</text>
            <text x={cx + 4} y={pad} fill="#777">Im</text>
            <text x={cx + R + 2} y={cy + 12} fill="#999">{norm ? '1' : formatValue(1)}</text>
            {p.groups.map((g, gi) => (only === null || only === gi) && g.re.map((r, i) => (
              <circle key={`${gi}-${i}`} class="cs-point" data-group={gi} data-index={i}
                cx={cx + (r / scales[gi]!) * R} cy={cy - ((g.im[i] ?? 0) / scales[gi]!) * R} r={hover?.g === gi && hover.i === i ? 5 : 3.2}
                fill={g.color ?? seriesColor(gi)} fill-opacity="0.75" stroke="#fff" stroke-width="0.5"
                onMouseEnter={() => setHover({ g: gi, i })} onMouseLeave={() => setHover(null)}>
                <title>{`${g.label}: ${formatValue(r)} ${(g.im[i] ?? 0) < 0 ? '-' : '+'} ${formatValue(Math.abs(g.im[i] ?? 0))}i`}</title>
              </circle>
            )))}
          </svg>
          {hp && hover && (
            <div class="cs-tooltip" style={{ left: 6, top: S - 44 }}>
              <b>{hp.label}</b> λ = <span class="cs-tt-value">{formatValue(hp.re[hover.i]!)} {(hp.im[hover.i] ?? 0) < 0 ? '−' : '+'} {formatValue(Math.abs(hp.im[hover.i] ?? 0))}i</span>
              <div class="cs-note">|λ| = {formatValue(Math.hypot(hp.re[hover.i]!, hp.im[hover.i] ?? 0))}</div>
            </div>
          )}
        </div>
        <div class="cs-legend-list" style={{ fontSize: 12 }}>
          {p.groups.map((g, gi) => (
            <div key={gi} class="cs-legend-item" data-group={gi} style={{ cursor: 'pointer', opacity: only === null || only === gi ? 1 : 0.45, whiteSpace: 'nowrap' }}
              onClick={() => setOnly(only === gi ? null : gi)}>
              <span style={{ display: 'inline-block', width: 9, height: 9, borderRadius: 5, background: g.color ?? seriesColor(gi), marginRight: 5 }} />
              {g.label}{g.note && <span class="cs-note"> {g.note}</span>}
            </div>
          ))}
          {norm && <div class="cs-note" style={{ marginTop: 6, maxWidth: 150 }}>each head scaled by its largest |λ|; click a head to show it alone</div>}
        </div>
      </div>
    </Figure>
  );
}

export default ComplexPlane;
