// The views' stylesheet, injected once into the document. A calm style: the system font stack (nothing fetched),
// neutral greys, one accent.

export const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
export const MONO = 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace';

export const CSS = `
.cs-root { font-family: ${FONT}; font-size: 13px; color: #222; line-height: 1.35; }
.cs-figure { display: inline-block; vertical-align: top; margin: 0 16px 16px 0; position: relative; max-width: 100%; }
.cs-figure-head { display: flex; align-items: baseline; gap: 8px; margin-bottom: 6px; min-height: 20px; }
.cs-title { font-weight: 600; font-size: 13px; }
.cs-subtitle { color: #666; font-size: 12px; }
.cs-export { margin-left: auto; display: flex; gap: 2px; opacity: 0.55; transition: opacity .15s; }
.cs-figure:hover .cs-export, .cs-export:focus-within { opacity: 1; }
.cs-export button, .cs-btn { font: inherit; font-size: 11px; color: #444; background: #fff; border: 1px solid #d4d4d4;
  border-radius: 3px; padding: 1px 6px; cursor: pointer; }
.cs-export button:hover, .cs-btn:hover { background: #f0f0f0; }
.cs-btn[aria-pressed="true"] { background: #e6eef7; border-color: #8aa9c8; }
.cs-heatmap { position: relative; }
.cs-heatmap canvas.cs-cells { image-rendering: pixelated; display: block; position: absolute; cursor: crosshair;
  background: #fbfbfb; outline: 1px solid #e2e2e2; }
.cs-axis-label { position: absolute; font-size: 11px; color: #444; white-space: pre; overflow: hidden;
  font-family: ${MONO}; }
.cs-axis-title { position: absolute; font-size: 11px; color: #777; white-space: nowrap; }
.cs-highlight { position: absolute; pointer-events: none; border: 1.5px solid #222; box-sizing: border-box; }
.cs-highlight.cs-zoom-sel { border: 1px dashed #222; background: rgba(60, 110, 170, 0.12); }
.cs-highlight.cs-soft { border: 1px solid rgba(30, 30, 30, 0.55); background: rgba(255, 255, 255, 0.08); }
.cs-cell-text { position: absolute; pointer-events: none; font-size: 10px; text-align: center; font-variant-numeric: tabular-nums; }
.cs-tooltip { position: absolute; pointer-events: none; z-index: 10; background: rgba(255,255,255,0.97); color: #222;
  border: 1px solid #ccc; border-radius: 4px; padding: 5px 8px; font-size: 12px; box-shadow: 0 2px 8px rgba(0,0,0,.12);
  white-space: nowrap; }
.cs-tooltip .cs-tt-value { font-weight: 600; font-variant-numeric: tabular-nums; }
.cs-tooltip .cs-tt-token { font-family: ${MONO}; background: #f2f2f2; border-radius: 2px; padding: 0 3px; }
.cs-tooltip table { border-collapse: collapse; }
.cs-tooltip td { padding: 1px 6px 1px 0; font-variant-numeric: tabular-nums; }
.cs-legend { display: flex; align-items: center; gap: 6px; font-size: 11px; color: #555; margin-top: 6px; }
.cs-legend-bar { position: relative; width: 160px; height: 10px; border: 1px solid #ddd; }
.cs-legend-mark { position: absolute; top: -3px; bottom: -3px; width: 0; border-left: 2px solid #222; }
.cs-legend-mark-label { position: absolute; top: 12px; transform: translateX(-50%); font-size: 10px; color: #222; white-space: nowrap; }
.cs-tokens { font-family: ${MONO}; font-size: 13px; line-height: 1.9; white-space: pre-wrap; word-break: break-word; max-width: 900px; }
.cs-token { border-radius: 2px; padding: 1px 0; cursor: default; border-bottom: 1px solid transparent; }
.cs-token:hover, .cs-token.cs-active { outline: 1.5px solid #222; }
.cs-token.cs-pinned { outline: 2px solid #b03a2e; }
.cs-strip { display: flex; flex-wrap: wrap; gap: 2px; font-family: ${MONO}; font-size: 12px; margin: 4px 0 10px; max-width: 900px; }
.cs-strip .cs-token { padding: 1px 3px; border: 1px solid #e4e4e4; }
.cs-grid { display: flex; flex-wrap: wrap; gap: 12px; }
.cs-mini { cursor: pointer; }
.cs-mini-title { font-size: 11px; color: #444; margin-bottom: 2px; font-weight: 600; }
.cs-mini.cs-selected .cs-mini-title { color: #b03a2e; }
.cs-controls { display: flex; gap: 10px; align-items: center; flex-wrap: wrap; font-size: 12px; color: #444; margin: 4px 0 8px; }
.cs-controls select, .cs-controls input { font: inherit; font-size: 12px; padding: 1px 4px; }
.cs-table { border-collapse: collapse; font-size: 12px; }
.cs-table th { text-align: left; font-weight: 600; border-bottom: 1px solid #ccc; padding: 3px 10px 3px 0; cursor: pointer; user-select: none; white-space: nowrap; }
.cs-table td { border-bottom: 1px solid #eee; padding: 2px 10px 2px 0; font-variant-numeric: tabular-nums; }
.cs-table td.cs-num { text-align: right; }
.cs-table .cs-tok { font-family: ${MONO}; background: #f4f4f4; border-radius: 2px; padding: 0 3px; }
.cs-note { color: #666; font-size: 12px; }
.cs-chart .u-legend { font-size: 11px; }
.cs-chart .u-title { font-size: 12px; font-weight: 600; }
@media print {
  .cs-export, .cs-controls input[type=search] { display: none !important; }
  .cs-figure { break-inside: avoid; }
  .cs-tooltip { display: none !important; }
}
`;

let injected = false;

/** Adds the stylesheet to the document once (and uPlot's, given by the bundle). */
export function ensureStyles(extra = ''): void {
  if (injected || typeof document === 'undefined') return;
  injected = true;
  const style = document.createElement('style');
  style.setAttribute('data-circuitscope', '');
  style.textContent = CSS + extra;
  document.head.appendChild(style);
}
