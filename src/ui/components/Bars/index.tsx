import { useRef, useState } from 'preact/hooks';
import { Figure } from '../../lib/Figure.js';
import { toCSV } from '../../lib/export.js';
import { formatValue } from '../../lib/format.js';
import { FONT, MONO } from '../../lib/styles.js';

export interface Bar {
  label: string;
  value: number;
}

export interface BarsProps {
  /** One bar per item, in the order given (unless `sort`). */
  items: readonly Bar[];
  title?: string;
  subtitle?: string;
  /** What the values are (axis caption), e.g. "loss increase (nats)". */
  valueLabel?: string;
  /** 'abs': largest magnitude first; 'desc': largest first; default: as given. */
  sort?: 'abs' | 'desc' | 'none';
  /** Show at most this many bars (after sorting). */
  limit?: number;
  /** Width of the bar area in px (default 360). */
  width?: number;
  onBarClick?: (bar: Bar & { index: number }) => void;
}

const ROW = 20;

/** Horizontal bars from a zero line (term importance, direct logit attribution): positive red, negative blue. */
export function Bars(p: BarsProps) {
  const svg = useRef<SVGSVGElement>(null);
  const [hover, setHover] = useState<number | null>(null);
  let items = p.items.map((b, index) => ({ ...b, index }));
  if (p.sort === 'abs') items.sort((a, b) => Math.abs(b.value) - Math.abs(a.value));
  else if (p.sort === 'desc') items.sort((a, b) => b.value - a.value);
  if (p.limit) items = items.slice(0, p.limit);
  const labelW = Math.min(180, Math.max(40, ...items.map((b) => b.label.length * 7 + 10)));
  const W = p.width ?? 360;
  const lo = Math.min(0, ...items.map((b) => b.value));
  const hi = Math.max(0, ...items.map((b) => b.value));
  const span = hi - lo || 1;
  const valueW = 56;
  const x = (v: number) => labelW + ((v - lo) / span) * W;
  const height = items.length * ROW + 28;
  const width = labelW + W + valueW;
  return (
    <Figure title={p.title} subtitle={p.subtitle} name={p.title ?? 'bars'} exports={{
      json: () => ({ items: p.items }),
      csv: () => toCSV(['label', p.valueLabel ?? 'value'], p.items.map((b) => [b.label, b.value])),
      svg: () => svg.current,
    }}>
      <svg ref={svg} class="cs-bars" width={width} height={height} viewBox={`0 0 ${width} ${height}`} font-family={FONT} font-size="11">
        <rect x="0" y="0" width={width} height={height} fill="#fff" />
        {items.map((b, r) => {
          const y = r * ROW + 4;
          const x0 = x(Math.min(0, b.value));
          const w = Math.abs(x(b.value) - x(0));
          return (
            <g key={b.index} class="cs-bar" data-label={b.label} data-value={b.value} style={{ cursor: p.onBarClick ? 'pointer' : 'default' }}
              onMouseEnter={() => setHover(r)} onMouseLeave={() => setHover(null)} onClick={() => p.onBarClick?.(b)}>
              <rect x="0" y={y - 2} width={width} height={ROW} fill={hover === r ? '#f3f3f3' : 'transparent'} />
              <text x={labelW - 6} y={y + 11} text-anchor="end" font-family={MONO} fill="#333">{b.label}</text>
              <rect class="cs-bar-rect" x={x0} y={y} width={Math.max(0.5, w)} height={ROW - 6} fill={b.value >= 0 ? '#d6795e' : '#6798c6'} />
              <text x={labelW + W + 4} y={y + 11} fill="#444">{formatValue(b.value)}</text>
              <title>{`${b.label}: ${formatValue(b.value)}`}</title>
            </g>
          );
        })}
        <line x1={x(0)} x2={x(0)} y1="0" y2={items.length * ROW + 4} stroke="#888" stroke-width="1" />
        <text x={labelW + W / 2} y={height - 6} text-anchor="middle" fill="#777">{p.valueLabel ?? ''}</text>
      </svg>
    </Figure>
  );
}

export default Bars;
