import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { Figure, Legend } from '../../lib/Figure.js';
import { makeScale, textColorOn, type ColorScale, type ScaleKind } from '../../lib/color.js';
import { displayToken, formatValue } from '../../lib/format.js';
import { matrixCSV } from '../../lib/export.js';
import { matrixExtent, matrixRows, toMatrix, type Matrix, type MatrixInput } from '../../lib/matrix.js';
import { FONT, MONO } from '../../lib/styles.js';

export interface HeatmapCell { row: number; col: number; value: number }

export interface HeatmapProps {
  /** The matrix: `number[][]` as `[row][col]`, or `{ rows, cols, data }` row-major. NaN cells are left blank. */
  values: MatrixInput;
  rowLabels?: readonly string[];
  colLabels?: readonly string[];
  /** Axis titles, e.g. "destination" and "source". */
  rowTitle?: string;
  colTitle?: string;
  title?: string;
  subtitle?: string;
  /** Colour scale; default diverging (centred at `center`, 0) when values have both signs, else sequential. */
  scale?: ScaleKind;
  min?: number;
  max?: number;
  center?: number;
  /** A value marked on the legend (e.g. the random baseline of composition scores). */
  baseline?: { value: number; label?: string };
  /** Largest side of the cell area in CSS pixels (default 420). */
  size?: number;
  /** Fixed cell size in CSS pixels (overrides `size`). */
  cellSize?: number;
  /** Write each value in its cell when cells are large enough (default: when there are at most 400 cells). */
  showValues?: boolean;
  /** Show the axis labels (default true). */
  labels?: boolean;
  /** Show the colour legend (default true). */
  legend?: boolean;
  legendLabel?: string;
  /** Labels are tokens: spaces shown as ·, newlines as ↵ (default true: both axes; or only 'rows' / 'cols'). */
  tokenLabels?: boolean | 'rows' | 'cols';
  /** Soft outline around one row / one column (driven from outside, e.g. a hovered token). */
  highlightRow?: number | null;
  highlightCol?: number | null;
  /** A strongly outlined cell. */
  selected?: { row: number; col: number } | null;
  onCellClick?: (cell: HeatmapCell) => void;
  onCellHover?: (cell: HeatmapCell | null) => void;
  /** No title bar or export buttons (small multiples). */
  bare?: boolean;
  /** Drag a rectangle to zoom into it, double-click to zoom out (default: true unless bare). */
  zoom?: boolean;
  /** Download file name stem. */
  name?: string;
  /** Extra lines for the tooltip of a cell. */
  tooltipExtra?: (cell: HeatmapCell) => ComponentChildren;
}

const LABEL_PX = 11;

interface Layout { cell: number; W: number; H: number; left: number; top: number; bottom: number; stride: number; colStride: number }

function labelWidth(labels: readonly string[] | undefined): number {
  if (!labels || labels.length === 0) return 0;
  let n = 0;
  for (const l of labels) n = Math.max(n, l.length);
  return Math.min(120, n * 6.8 + 8);
}

function layout(m: Matrix, p: HeatmapProps, rows: readonly string[] | undefined, cols: readonly string[] | undefined): Layout {
  const n = Math.max(m.rows, m.cols, 1);
  let cell = p.cellSize ?? Math.min(32, (p.size ?? 420) / n);
  if (cell >= 2) cell = Math.floor(cell);
  const W = m.cols * cell;
  const H = m.rows * cell;
  const show = p.labels !== false;
  const left = show ? labelWidth(rows) + (p.rowTitle ? 16 : 0) : 0;
  const bottom = show ? labelWidth(cols) + (p.colTitle ? 16 : 0) : 0;
  const stride = Math.max(1, Math.ceil((LABEL_PX + 1) / cell));
  return { cell, W, H, left, top: 2, bottom, stride, colStride: stride };
}

/**
 * Colours the matrix into the canvas with ImageData: one pixel per cell, or, when the matrix has more cells than the
 * display has device pixels, one pixel per block of cells showing the block's most extreme value (so a sharp
 * stripe in a 1,024 x 1,024 pattern survives at 100 px, and the browser composites a small canvas).
 */
function drawCells(canvas: HTMLCanvasElement, m: Matrix, scale: ColorScale, displayW: number, displayH: number): void {
  const ratio = typeof devicePixelRatio === 'number' && devicePixelRatio > 0 ? devicePixelRatio : 1;
  const tw = Math.max(1, Math.min(m.cols, Math.ceil(displayW * ratio)));
  const th = Math.max(1, Math.min(m.rows, Math.ceil(displayH * ratio)));
  canvas.width = tw;
  canvas.height = th;
  const ctx = canvas.getContext('2d');
  if (!ctx || m.rows === 0 || m.cols === 0) return;
  const img = ctx.createImageData(tw, th);
  const px = img.data;
  const lut = scale.lut;
  const lo = scale.min;
  const k = 255 / (scale.max - scale.min);
  const center = scale.kind === 'diverging' ? scale.center : -Infinity;
  const put = (o: number, v: number) => {
    let t = Math.round((v - lo) * k);
    t = t < 0 ? 0 : t > 255 ? 255 : t;
    const q = t * 4;
    px[o] = lut[q]!;
    px[o + 1] = lut[q + 1]!;
    px[o + 2] = lut[q + 2]!;
    px[o + 3] = 255;
  };
  if (tw === m.cols && th === m.rows) {
    let o = 0;
    for (let i = 0; i < m.rows; i++) {
      for (let j = 0; j < m.cols; j++, o += 4) {
        const v = m.get(i, j);
        if (v === v) put(o, v); // NaN stays transparent
      }
    }
  } else {
    // Block extremes: per target row, scan its source rows once and keep, per target column, the value farthest
    // from the centre (diverging) or the largest (sequential).
    const best = new Float64Array(tw);
    const colOf = new Int32Array(m.cols);
    for (let j = 0; j < m.cols; j++) colOf[j] = Math.min(tw - 1, Math.floor((j * tw) / m.cols));
    for (let y = 0; y < th; y++) {
      best.fill(Number.NaN);
      const r0 = Math.floor((y * m.rows) / th);
      const r1 = Math.max(r0 + 1, Math.floor(((y + 1) * m.rows) / th));
      for (let i = r0; i < r1; i++) {
        for (let j = 0; j < m.cols; j++) {
          const v = m.get(i, j);
          if (v !== v) continue;
          const x = colOf[j]!;
          const b = best[x]!;
          if (b !== b || (center === -Infinity ? v > b : Math.abs(v - center) > Math.abs(b - center))) best[x] = v;
        }
      }
      for (let x = 0; x < tw; x++) { const v = best[x]!; if (v === v) put((y * tw + x) * 4, v); }
    }
  }
  ctx.putImageData(img, 0, 0);
}

/** A PNG of the figure: cells, labels, titles and legend on one canvas. */
function pictureOf(cells: HTMLCanvasElement, m: Matrix, L: Layout, p: HeatmapProps, scale: ColorScale,
  rows: readonly string[] | undefined, cols: readonly string[] | undefined): HTMLCanvasElement {
  const ratio = 2;
  const head = p.title ? 24 : 4;
  const width = L.left + L.W + 24;
  const height = head + L.top + L.H + L.bottom + 40;
  const c = document.createElement('canvas');
  c.width = Math.ceil(width * ratio);
  c.height = Math.ceil(height * ratio);
  const ctx = c.getContext('2d')!;
  ctx.scale(ratio, ratio);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = '#222';
  if (p.title) {
    ctx.font = `600 13px ${FONT}`;
    ctx.fillText(p.title, 4, 16);
  }
  const y0 = head + L.top;
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(cells, L.left, y0, L.W, L.H);
  ctx.font = `${LABEL_PX}px ${MONO}`;
  ctx.fillStyle = '#444';
  if (p.labels !== false) {
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    if (rows) for (let i = 0; i < m.rows; i += L.stride) ctx.fillText(rows[i] ?? '', L.left - 4, y0 + (i + 0.5) * L.cell);
    if (cols) {
      for (let j = 0; j < m.cols; j += L.colStride) {
        ctx.save();
        ctx.translate(L.left + (j + 0.5) * L.cell, y0 + L.H + 4);
        ctx.rotate(-Math.PI / 2);
        ctx.fillText(cols[j] ?? '', 0, 0);
        ctx.restore();
      }
    }
    ctx.font = `${LABEL_PX}px ${FONT}`;
    ctx.fillStyle = '#777';
    ctx.textAlign = 'center';
    if (p.colTitle) ctx.fillText(p.colTitle, L.left + L.W / 2, y0 + L.H + L.bottom - 6);
    if (p.rowTitle) {
      ctx.save();
      ctx.translate(8, y0 + L.H / 2);
      ctx.rotate(-Math.PI / 2);
      ctx.fillText(p.rowTitle, 0, 0);
      ctx.restore();
    }
  }
  // legend
  const ly = y0 + L.H + L.bottom + 12;
  ctx.textAlign = 'left';
  ctx.fillStyle = '#555';
  ctx.fillText(formatValue(scale.min), L.left, ly + 5);
  const bx = L.left + 48;
  for (let k = 0; k < 160; k++) {
    ctx.fillStyle = scale.css(scale.min + ((k + 0.5) / 160) * (scale.max - scale.min));
    ctx.fillRect(bx + k, ly, 1, 10);
  }
  ctx.fillStyle = '#555';
  ctx.fillText(formatValue(scale.max), bx + 166, ly + 5);
  if (p.baseline) {
    const x = bx + scale.position(p.baseline.value) * 160;
    ctx.fillStyle = '#222';
    ctx.fillRect(x - 1, ly - 3, 2, 16);
  }
  return c;
}

/**
 * A matrix as a heatmap on a canvas (one pixel per cell, or per block of cells when there are more cells than pixels), with token labels, a colour
 * legend, a hover tooltip and click callbacks. 1,024 x 1,024 draws in a few milliseconds.
 */
export function Heatmap(p: HeatmapProps) {
  const full = useMemo(() => toMatrix(p.values), [p.values]);
  const [zoom, setZoom] = useState<{ r0: number; c0: number; rows: number; cols: number } | null>(null);
  useEffect(() => setZoom(null), [full]);
  const m: Matrix = useMemo(() => (zoom ? { rows: zoom.rows, cols: zoom.cols, get: (i: number, j: number) => full.get(i + zoom.r0, j + zoom.c0) } : full), [full, zoom]);
  const r0 = zoom?.r0 ?? 0;
  const c0 = zoom?.c0 ?? 0;
  const zoomable = p.zoom ?? !p.bare;
  const tokRows = p.tokenLabels === undefined || p.tokenLabels === true || p.tokenLabels === 'rows';
  const tokCols = p.tokenLabels === undefined || p.tokenLabels === true || p.tokenLabels === 'cols';
  const rowsAll = useMemo(() => (p.rowLabels ? p.rowLabels.map((s) => (tokRows ? displayToken(s) : s)) : undefined), [p.rowLabels, tokRows]);
  const colsAll = useMemo(() => (p.colLabels ? p.colLabels.map((s) => (tokCols ? displayToken(s) : s)) : undefined), [p.colLabels, tokCols]);
  const rows = zoom && rowsAll ? rowsAll.slice(zoom.r0, zoom.r0 + zoom.rows) : rowsAll;
  const cols = zoom && colsAll ? colsAll.slice(zoom.c0, zoom.c0 + zoom.cols) : colsAll;
  const scale = useMemo(() => {
    // The data's range only when the scale needs it (a 1,024 x 1,024 pass saved when min, max and kind are given).
    const [lo, hi] = p.min !== undefined && p.max !== undefined && p.scale ? [p.min, p.max] : matrixExtent(full);
    const kind = p.scale ?? (lo < 0 && hi > 0 ? 'diverging' : 'sequential');
    return makeScale(kind, p.min ?? lo, p.max ?? hi, p.center ?? 0);
  }, [full, p.scale, p.min, p.max, p.center]);
  const L = layout(m, p, rows, cols);
  const canvas = useRef<HTMLCanvasElement>(null);
  const [hover, setHover] = useState<HeatmapCell | null>(null);
  const drag = useRef<{ a: HeatmapCell; moved: boolean } | null>(null);
  const suppressClick = useRef(false);
  const [sel, setSel] = useState<{ a: HeatmapCell; b: HeatmapCell } | null>(null);

  useEffect(() => {
    if (canvas.current) drawCells(canvas.current, m, scale, L.W, L.H);
  }, [m, scale, L.W, L.H]);

  const cellAt = (e: MouseEvent): HeatmapCell | null => {
    const c = canvas.current;
    if (!c) return null;
    const r = c.getBoundingClientRect();
    const col = Math.floor(((e.clientX - r.left) / r.width) * m.cols);
    const row = Math.floor(((e.clientY - r.top) / r.height) * m.rows);
    if (row < 0 || col < 0 || row >= m.rows || col >= m.cols) return null;
    return { row: row + r0, col: col + c0, value: m.get(row, col) };
  };
  const onDown = (e: MouseEvent) => {
    if (!zoomable || e.button !== 0) return;
    const c = cellAt(e);
    if (c) { drag.current = { a: c, moved: false }; e.preventDefault(); }
  };
  const onUp = (e: MouseEvent) => {
    const d = drag.current;
    drag.current = null;
    setSel(null);
    const c = cellAt(e);
    if (!d || !d.moved || !c) return;
    suppressClick.current = true;
    const rows0 = Math.min(d.a.row, c.row);
    const cols0 = Math.min(d.a.col, c.col);
    setZoom({ r0: rows0, c0: cols0, rows: Math.abs(d.a.row - c.row) + 1, cols: Math.abs(d.a.col - c.col) + 1 });
    setHover(null);
  };
  const onMove = (e: MouseEvent) => {
    const c = cellAt(e);
    const d = drag.current;
    if (d && c && (e.buttons & 1)) {
      if (c.row !== d.a.row || c.col !== d.a.col) d.moved = true;
      if (d.moved) setSel({ a: d.a, b: c });
    }
    if (c?.row !== hover?.row || c?.col !== hover?.col) {
      setHover(c);
      p.onCellHover?.(c);
    }
  };
  const onLeave = () => { setHover(null); p.onCellHover?.(null); };
  const onClick = (e: MouseEvent) => {
    if (suppressClick.current) { suppressClick.current = false; return; }
    const c = cellAt(e);
    if (c) p.onCellClick?.(c);
  };

  const show = p.labels !== false;
  const cell = L.cell;
  const x0 = L.left;
  const y0 = L.top;
  const width = L.left + L.W + 4;
  const height = L.top + L.H + L.bottom;
  const showValues = (p.showValues ?? m.rows * m.cols <= 400) && cell >= 22;

  // Outlines in the full matrix's coordinates (nothing when outside the zoomed view).
  const box = (row: number | null, col: number | null, cls: string, key: string, rowSpan = 1, colSpan = 1) => {
    const r = row === null ? null : row - r0;
    const c = col === null ? null : col - c0;
    if ((r !== null && (r < 0 || r >= m.rows)) || (c !== null && (c < 0 || c >= m.cols))) return null;
    return (
      <div key={key} class={cls} style={{
        left: x0 + (c ?? 0) * cell - 1, top: y0 + (r ?? 0) * cell - 1,
        width: (c === null ? L.W : cell * colSpan) + 2, height: (r === null ? L.H : cell * rowSpan) + 2,
      }} />
    );
  };

  const tooltip = hover && (
    <div class="cs-tooltip" data-row={hover.row} data-col={hover.col} style={{
      left: Math.min(x0 + (hover.col - c0 + 1) * cell + 10, Math.max(0, width - 60)),
      top: y0 + (hover.row - r0) * cell + cell + 6,
    }}>
      <div>
        <span class="cs-tt-axis">{p.rowTitle ?? 'row'}</span>{' '}
        <span class="cs-tt-token cs-tt-row">{rowsAll?.[hover.row] ?? hover.row}</span>
        {p.rowTitle || p.rowLabels ? <span class="cs-note"> ({hover.row})</span> : null}
      </div>
      <div>
        <span class="cs-tt-axis">{p.colTitle ?? 'column'}</span>{' '}
        <span class="cs-tt-token cs-tt-col">{colsAll?.[hover.col] ?? hover.col}</span>
        {p.colTitle || p.colLabels ? <span class="cs-note"> ({hover.col})</span> : null}
      </div>
      <div>value <span class="cs-tt-value">{formatValue(hover.value)}</span>
        {p.baseline && p.baseline.value !== 0 && <span class="cs-note"> ({formatValue(hover.value / p.baseline.value)}× {p.baseline.label ?? 'baseline'})</span>}
      </div>
      {p.tooltipExtra?.(hover)}
    </div>
  );

  const body = (
    <div class="cs-heatmap" style={{ width, height }} onMouseLeave={onLeave}>
      <canvas ref={canvas} class="cs-cells" style={{ left: x0, top: y0, width: L.W, height: L.H }}
        onMouseMove={onMove} onClick={onClick} onMouseDown={onDown} onMouseUp={onUp}
        onDblClick={() => { if (zoomable) setZoom(null); }} />
      {showValues && Array.from({ length: m.rows }, (_, i) => Array.from({ length: m.cols }, (_, j) => {
        const v = m.get(i, j);
        return Number.isNaN(v) ? null : (
          <div key={`v${i},${j}`} class="cs-cell-text" style={{ left: x0 + j * cell, top: y0 + i * cell + cell / 2 - 6, width: cell, color: textColorOn(scale, v) }}>
            {Math.abs(v) >= 10 ? v.toFixed(0) : v.toFixed(cell >= 30 ? 2 : 1)}
          </div>
        );
      }))}
      {p.highlightRow != null && box(p.highlightRow, null, 'cs-highlight cs-soft', 'hr')}
      {p.highlightCol != null && box(null, p.highlightCol, 'cs-highlight cs-soft', 'hc')}
      {sel && box(Math.min(sel.a.row, sel.b.row), Math.min(sel.a.col, sel.b.col), 'cs-highlight cs-zoom-sel', 'zs',
        Math.abs(sel.a.row - sel.b.row) + 1, Math.abs(sel.a.col - sel.b.col) + 1)}
      {p.selected && box(p.selected.row, p.selected.col, 'cs-highlight', 'sel')}
      {hover && box(hover.row, hover.col, 'cs-highlight', 'hov')}
      {show && rows && rows.map((s, i) => (i % L.stride === 0 ? (
        <div key={`r${i + r0}`} class="cs-axis-label" data-axis="row" data-index={i + r0} title={s}
          style={{ left: p.rowTitle ? 16 : 0, width: L.left - (p.rowTitle ? 20 : 4), textAlign: 'right', top: y0 + (i + 0.5) * cell - 7, height: 14, lineHeight: '14px' }}>{s}</div>
      ) : null))}
      {show && cols && cols.map((s, j) => (j % L.colStride === 0 ? (
        <div key={`c${j + c0}`} class="cs-axis-label" data-axis="col" data-index={j + c0} title={s}
          style={{ left: x0 + (j + 0.5) * cell - 7, top: y0 + L.H + 4, width: 14, height: L.bottom - (p.colTitle ? 20 : 4), lineHeight: '14px', writingMode: 'vertical-rl', transform: 'rotate(180deg)', textAlign: 'end' }}>{s}</div>
      ) : null))}
      {show && p.rowTitle && <div class="cs-axis-title cs-row-title" style={{ left: 0, top: y0, width: 14, height: L.H, writingMode: 'vertical-rl', transform: 'rotate(180deg)', textAlign: 'center', overflow: 'hidden' }}>{p.rowTitle}</div>}
      {show && p.colTitle && <div class="cs-axis-title" style={{ left: x0, width: L.W, textAlign: 'center', top: height - 14 }}>{p.colTitle}</div>}
      {tooltip}
    </div>
  );
  if (p.bare) return body;
  return (
    <Figure title={p.title} subtitle={p.subtitle} name={p.name} exports={{
      json: () => ({ title: p.title, rowLabels: p.rowLabels, colLabels: p.colLabels, values: matrixRows(full), baseline: p.baseline }),
      csv: () => matrixCSV(full.get, full.rows, full.cols, p.rowLabels, p.colLabels, `${p.rowTitle ?? 'row'} \\ ${p.colTitle ?? 'column'}`),
      png: () => (canvas.current ? pictureOf(canvas.current, m, L, p, scale, rows, cols) : null),
    }}>
      {body}
      {zoom && (
        <div class="cs-controls">
          <span class="cs-note cs-zoom-note">rows {zoom.r0}–{zoom.r0 + zoom.rows - 1}, columns {zoom.c0}–{zoom.c0 + zoom.cols - 1}</span>
          <button type="button" class="cs-btn cs-zoom-reset" onClick={() => setZoom(null)}>zoom out</button>
        </div>
      )}
      {p.legend !== false && <Legend scale={scale} label={p.legendLabel} mark={p.baseline ? { value: p.baseline.value, label: p.baseline.label ?? 'baseline' } : undefined} />}
    </Figure>
  );
}

export default Heatmap;
