import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { Figure } from '../../lib/Figure.js';
import { toCSV } from '../../lib/export.js';
import { seriesColor } from '../../lib/palette.js';
import { FONT } from '../../lib/styles.js';
import type { LineSeries } from '../LineChart/index.js';

export interface StepChartProps {
  x: readonly number[];
  series: readonly LineSeries[];
  /** Vertical markers (stage boundaries) at these x values. */
  markers?: readonly number[];
  /** A shaded band between two series, by index into `series` (upper, lower). */
  band?: readonly [number, number];
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** asinh x axis: log-like for steps spanning decades, and step 0 still has a place. */
  logX?: boolean;
  logY?: boolean;
  width?: number;
  height?: number;
}

export const MARKER_COLOR = '#d62728';

function toData(p: StepChartProps): uPlot.AlignedData {
  return [Float64Array.from(p.x), ...p.series.map((s) => p.x.map((_, i) => s.values[i] ?? null))] as uPlot.AlignedData;
}

/**
 * LineChart's uPlot chart with what curves over training need: an asinh (log-like) step axis, a shaded ± band and
 * dashed vertical markers at stage boundaries. The markers' pixel columns are left in `data-marker-px`.
 */
export function StepChart(p: StepChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const markers = p.markers ?? [];
  const shape = `${p.series.map((s) => s.label).join('\u0000')}|${p.logX}|${p.logY}|${p.width ?? 600}x${p.height ?? 220}|${p.yLabel}|${markers.join(',')}|${p.band?.join(',')}`;

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const axis = { font: `11px ${FONT}`, labelFont: `11px ${FONT}`, stroke: '#555', grid: { stroke: '#eee', width: 1 }, ticks: { stroke: '#ddd', width: 1 } };
    const fmt = (v: number | null) => (v === null || v === undefined ? '—' : Number(v.toPrecision(4)).toString());
    const opts: uPlot.Options = {
      width: p.width ?? 600, height: p.height ?? 220,
      scales: { x: { time: false, range: (_u: uPlot, lo: number, hi: number): uPlot.Range.MinMax => [lo, hi], ...(p.logX ? { distr: 4, asinh: 1 } : {}) }, y: p.logY ? { distr: 3 } : {} },
      axes: [{
        ...axis, label: p.xLabel ?? 'step',
        // asinh splits can reach below the first step (-1 before step 0): no label outside the data.
        values: (u: uPlot, splits: number[]) => splits.map((v) => (v === null || v === undefined || v < (u.scales.x!.min ?? -Infinity) - 1e-9 ? '' : v.toLocaleString('en-US'))),
      }, {
        ...axis, label: p.yLabel ?? '', size: 60,
        values: (_u: uPlot, splits: number[]) => splits.map((v) => (v === null || v === undefined ? '' : String(Number(v.toPrecision(3))))),
      }],
      series: [
        { label: p.xLabel ?? 'step', value: (_u: uPlot, v: number | null) => fmt(v) },
        ...p.series.map((s, i) => ({
          label: s.label, stroke: s.color ?? seriesColor(i), width: 1.5, spanGaps: true,
          points: { show: p.x.length <= 40, size: 4 },
          ...(s.dash ? { dash: [5, 4] } : {}),
          value: (_u: uPlot, v: number | null) => fmt(v),
        })),
      ],
      ...(p.band ? { bands: [{ series: [p.band[0] + 1, p.band[1] + 1] as [number, number], fill: 'rgba(78,121,167,0.15)' }] } : {}),
      cursor: { drag: { x: true, y: false } },
      legend: { live: true },
      hooks: {
        draw: [(u: uPlot) => {
          const ctx = u.ctx;
          const px: number[] = [];
          ctx.save();
          ctx.strokeStyle = MARKER_COLOR;
          ctx.lineWidth = 2 * uPlot.pxRatio;
          ctx.setLineDash([6 * uPlot.pxRatio, 4 * uPlot.pxRatio]);
          for (const m of markers) {
            const x = Math.round(u.valToPos(m, 'x', true));
            px.push(x / uPlot.pxRatio);
            ctx.beginPath();
            // Centred on the pixel column x (not its edge), so the column is fully red.
            ctx.moveTo(x + 0.5, u.bbox.top);
            ctx.lineTo(x + 0.5, u.bbox.top + u.bbox.height);
            ctx.stroke();
          }
          ctx.restore();
          el.dataset.markerPx = px.map((v) => v.toFixed(1)).join(',');
        }],
      },
    };
    const plot = new uPlot(opts, toData(p), el);
    return () => { plot.destroy(); };
  }, [shape, p.x, p.series]);

  return (
    <Figure title={p.title} name={p.title ?? 'chart'} exports={{
      json: () => ({ x: p.x, markers, series: p.series.map((s) => ({ label: s.label, values: s.values })) }),
      csv: () => toCSV([p.xLabel ?? 'step', ...p.series.map((s) => s.label)], p.x.map((x, i) => [x, ...p.series.map((s) => s.values[i] ?? null)])),
      png: () => host.current?.querySelector('canvas') ?? null,
    }}>
      <div class="cs-chart" ref={host} data-points={p.x.length} data-markers={markers.join(',')} />
    </Figure>
  );
}
