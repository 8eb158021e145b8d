import type { ComponentChildren } from 'preact';
import { download, downloadCanvasPNG, downloadText, fileStem, svgText } from './export.js';
import { ensureStyles } from './styles.js';
import type { ColorScale } from './color.js';
import { formatValue } from './format.js';

/** What a figure can export; each is called when its button is pressed. */
export interface Exports {
  json?: () => unknown;
  csv?: () => string;
  png?: () => HTMLCanvasElement | null;
  svg?: () => SVGSVGElement | null;
}

export interface FigureProps {
  title?: string;
  subtitle?: string;
  /** File name stem for downloads (default: from the title). */
  name?: string;
  exports?: Exports;
  /** Hide the export buttons (small multiples inside another figure). */
  bare?: boolean;
  children?: ComponentChildren;
  class?: string;
}

/** A titled figure with export buttons: data as JSON / CSV, picture as PNG / SVG. */
export function Figure({ title, subtitle, name, exports, bare, children, class: cls }: FigureProps) {
  ensureStyles();
  const stem = fileStem(name ?? title, 'figure');
  const ex = exports ?? {};
  return (
    <div class={`cs-root cs-figure ${cls ?? ''}`} data-figure={title ?? ''}>
      {(title || subtitle || (!bare && exports)) && (
        <div class="cs-figure-head">
          {title && <span class="cs-title">{title}</span>}
          {subtitle && <span class="cs-subtitle">{subtitle}</span>}
          {!bare && exports && (
            <span class="cs-export" role="group" aria-label="export">
              {ex.json && <button type="button" title="data as JSON" onClick={() => downloadText(`${stem}.json`, JSON.stringify(ex.json!()), 'application/json')}>JSON</button>}
              {ex.csv && <button type="button" title="data as CSV" onClick={() => downloadText(`${stem}.csv`, ex.csv!(), 'text/csv')}>CSV</button>}
              {ex.png && <button type="button" title="picture as PNG" onClick={() => { const c = ex.png!(); if (c) downloadCanvasPNG(`${stem}.png`, c); }}>PNG</button>}
              {ex.svg && <button type="button" title="picture as SVG" onClick={() => { const s = ex.svg!(); if (s) download(`${stem}.svg`, new Blob([svgText(s)], { type: 'image/svg+xml' })); }}>SVG</button>}
            </span>
          )}
        </div>
      )}
      {children}
    </div>
  );
}

export interface LegendProps {
  scale: ColorScale;
  label?: string;
  /** A marked value on the bar (e.g. a random baseline). */
  mark?: { value: number; label: string };
}

/** A colour bar with its range (and the centre of a diverging scale). */
export function Legend({ scale, label, mark }: LegendProps) {
  return (
    <div class="cs-legend">
      {label && <span>{label}</span>}
      <span class="cs-legend-min">{formatValue(scale.min)}</span>
      <span class="cs-legend-bar" style={{ background: scale.gradient() }}>
        {mark && (
          <span class="cs-legend-mark" style={{ left: `${scale.position(mark.value) * 100}%` }} title={`${mark.label} ${formatValue(mark.value)}`}>
            <span class="cs-legend-mark-label">{mark.label}</span>
          </span>
        )}
      </span>
      <span class="cs-legend-max">{formatValue(scale.max)}</span>
    </div>
  );
}
