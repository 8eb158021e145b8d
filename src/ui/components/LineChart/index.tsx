import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { Figure } from '../../lib/Figure.js';
import { toCSV } from '../../lib/export.js';
import { seriesColor } from '../../lib/palette.js';
import { FONT } from '../../lib/styles.js';

export interface LineSeries {
  label: string;
  /** One value per x `[i]`; null where the series has no value (e.g. validation loss between evaluations). */
  values: readonly (number | null)[];
  color?: string;
  dash?: boolean;
}

export interface LineChartProps {
  /** The x values `[i]`, increasing (e.g. training steps). */
  x: readonly number[];
  series: readonly LineSeries[];
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** Logarithmic y axis (e.g. learning rates spanning decades). */
  logY?: boolean;
  /** asinh x axis: log-like for steps spanning decades, while step 0 still has a place. */
  logX?: boolean;
  /** Dashed vertical markers at these x values (stage boundaries); their pixel columns land in `data-marker-px`. */
  markers?: readonly number[];
  /**
   * Shaded x ranges [from, to] (the flat stretch around a stage boundary), pale red under the curves; their pixel
   * columns land in `data-span-px` as "from-to" pairs.
   */
  spans?: readonly (readonly [number, number])[];
  /** A shaded band between two series, by index into `series` (upper, lower): a ± std band. */
  band?: readonly [number, number];
  /** Draw each point (default: uPlot's choice, by density). */
  points?: boolean;
  width?: number;
  height?: number;
}

export const MARKER_COLOR = '#d62728';

function toData(p: LineChartProps): uPlot.AlignedData {
  return [Float64Array.from(p.x), ...p.series.map((s) => p.x.map((_, i) => s.values[i] ?? null))] as uPlot.AlignedData;
}

/**
 * Curves over a shared x (training curves: loss, validation loss, learning rate, in-context-learning score,
 * per-head scores) drawn by uPlot, with a legend that shows the values under the cursor. New props re-draw in
 * place, so a live run appends points by passing longer arrays. Curves over training add an asinh step axis,
 * a ± band and stage markers.
 */
export function LineChart(p: LineChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const markers = p.markers ?? [];
  const spans = p.spans ?? [];
  const shape = `${p.series.map((s) => s.label).join('\u0000')}|${p.logY ? 'log' : 'lin'}|${p.logX}|${p.width ?? 600}x${p.height ?? 260}|${p.xLabel}|${p.yLabel}|${markers.join(',')}|${spans.join(';')}|${p.band?.join(',')}|${p.points}`;

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const axis = { font: `11px ${FONT}`, labelFont: `11px ${FONT}`, stroke: '#555', grid: { stroke: '#eee', width: 1 }, ticks: { stroke: '#ddd', width: 1 } };
    const opts: uPlot.Options = {
      width: p.width ?? 600, height: p.height ?? 260,
      scales: {
        x: { time: false, ...(p.logX ? { distr: 4 as const, asinh: 1, range: (_u: uPlot, lo: number, hi: number): uPlot.Range.MinMax => [lo, hi] } : {}) },
        y: p.logY ? { distr: 3 } : {},
      },
      axes: [{
        ...axis, label: p.xLabel ?? 'step',
        // asinh splits can reach below the first step (-1 before step 0): no label outside the data.
        ...(p.logX ? { values: (u: uPlot, splits: number[]) => splits.map((v) => (v === null || v === undefined || v < (u.scales.x!.min ?? -Infinity) - 1e-9 ? '' : v.toLocaleString('en-US'))) } : {}),
      }, {
        ...axis, label: p.yLabel ?? '', size: 60,
        values: (_u: uPlot, splits: number[]) => splits.map((v) => (v === null || v === undefined ? '' : String(Number(v.toPrecision(3))))),
      }],
      series: [
        { label: p.xLabel ?? 'step', value: (_u: uPlot, v: number | null) => (v === null || v === undefined ? '—' : String(v)) },
        ...p.series.map((s, i) => ({
          label: s.label, stroke: s.color ?? seriesColor(i), width: 1.5, spanGaps: true,
          ...(p.points === undefined ? {} : { points: { show: p.points, size: 4 } }),
          ...(s.dash ? { dash: [5, 4] } : {}),
          value: (_u: uPlot, v: number | null) => (v === null || v === undefined ? '—' : Number(v.toPrecision(4)).toString()),
        })),
      ],
      ...(p.band ? { bands: [{ series: [p.band[0] + 1, p.band[1] + 1] as [number, number], fill: 'rgba(78,121,167,0.15)' }] } : {}),
      cursor: { drag: { x: true, y: false } },
      legend: { live: true },
      hooks: {
        ...(spans.length > 0 ? { drawClear: [(u: uPlot) => drawSpans(u, spans, el)] } : {}),
        ...(markers.length > 0 ? { draw: [(u: uPlot) => drawMarkers(u, markers, el)] } : {}),
      },
    };
    plot.current = new uPlot(opts, toData(p), el);
    // Re-created only when the series or the size change; data changes go through setData below.
    return () => { plot.current?.destroy(); plot.current = null; };
  }, [shape]);

  useEffect(() => {
    plot.current?.setData(toData(p));
  }, [p.x, p.series]);

  return (
    <Figure title={p.title} name={p.title ?? 'chart'} exports={{
      json: () => ({ x: p.x, series: p.series.map((s) => ({ label: s.label, values: s.values })) }),
      csv: () => toCSV([p.xLabel ?? 'step', ...p.series.map((s) => s.label)], p.x.map((x, i) => [x, ...p.series.map((s) => s.values[i] ?? null)])),
      png: () => {
        const src = host.current?.querySelector('canvas');
        if (!src) return null;
        const c = document.createElement('canvas');
        c.width = src.width;
        c.height = src.height;
        const ctx = c.getContext('2d')!;
        ctx.fillStyle = '#fff';
        ctx.fillRect(0, 0, c.width, c.height);
        ctx.drawImage(src, 0, 0);
        return c;
      },
    }}>
      <div class="cs-chart" ref={host} data-points={p.x.length} {...(p.markers ? { 'data-markers': markers.join(',') } : {})}
        {...(p.spans ? { 'data-spans': spans.map((r) => r.join('-')).join(',') } : {})} />
    </Figure>
  );
}

/** Pale red rectangles over the plot's height between each span's ends; the pixel columns go to `data-span-px`. */
function drawSpans(u: uPlot, spans: readonly (readonly [number, number])[], el: HTMLElement): void {
  const ctx = u.ctx;
  const px: string[] = [];
  ctx.save();
  ctx.fillStyle = 'rgba(214,39,40,0.10)';
  for (const [a, b] of spans) {
    const x0 = u.valToPos(a, 'x', true);
    const x1 = u.valToPos(b, 'x', true);
    px.push(`${(x0 / uPlot.pxRatio).toFixed(1)}-${(x1 / uPlot.pxRatio).toFixed(1)}`);
    ctx.fillRect(x0, u.bbox.top, Math.max(x1 - x0, 1), u.bbox.height);
  }
  ctx.restore();
  el.dataset['spanPx'] = px.join(',');
}

/** Dashed red vertical lines at `markers`, each centred on its pixel column; the columns go to `data-marker-px`. */
function drawMarkers(u: uPlot, markers: readonly number[], el: HTMLElement): void {
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
    ctx.moveTo(x + 0.5, u.bbox.top);
    ctx.lineTo(x + 0.5, u.bbox.top + u.bbox.height);
    ctx.stroke();
  }
  ctx.restore();
  el.dataset['markerPx'] = px.map((v) => v.toFixed(1)).join(',');
}

export default LineChart;
