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
  width?: number;
  height?: number;
}

function toData(p: LineChartProps): uPlot.AlignedData {
  return [Float64Array.from(p.x), ...p.series.map((s) => p.x.map((_, i) => s.values[i] ?? null))] as uPlot.AlignedData;
}

/**
 * Curves over a shared x (training curves: loss, validation loss, learning rate, in-context-learning score,
 * per-head scores) drawn by uPlot, with a legend that shows the values under the cursor. New props re-draw in
 * place, so a live run appends points by passing longer arrays.
 */
export function LineChart(p: LineChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = `${p.series.map((s) => s.label).join('\u0000')}|${p.logY ? 'log' : 'lin'}|${p.width ?? 600}x${p.height ?? 260}|${p.xLabel}|${p.yLabel}`;

  useEffect(() => {
    if (!host.current) return;
    const axis = { font: `11px ${FONT}`, labelFont: `11px ${FONT}`, stroke: '#555', grid: { stroke: '#eee', width: 1 }, ticks: { stroke: '#ddd', width: 1 } };
    const opts: uPlot.Options = {
      width: p.width ?? 600, height: p.height ?? 260,
      scales: { x: { time: false }, y: p.logY ? { distr: 3 } : {} },
      axes: [{ ...axis, label: p.xLabel ?? 'step' }, {
        ...axis, label: p.yLabel ?? '', size: 60,
        values: (_u: uPlot, splits: number[]) => splits.map((v) => (v === null || v === undefined ? '' : String(Number(v.toPrecision(3))))),
      }],
      series: [
        { label: p.xLabel ?? 'step' },
        ...p.series.map((s, i) => ({
          label: s.label, stroke: s.color ?? seriesColor(i), width: 1.5, spanGaps: true,
          ...(s.dash ? { dash: [5, 4] } : {}),
          value: (_u: uPlot, v: number | null) => (v === null || v === undefined ? '—' : Number(v.toPrecision(4)).toString()),
        })),
      ],
      cursor: { drag: { x: true, y: false } },
      legend: { live: true },
    };
    plot.current = new uPlot(opts, toData(p), host.current);
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
      <div class="cs-chart" ref={host} data-points={p.x.length} />
    </Figure>
  );
}

export default LineChart;
