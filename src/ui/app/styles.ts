import uplotCss from 'uplot/dist/uPlot.min.css';
import { ensureStyles } from '../lib/styles.js';

const CSS = `
body { margin: 0; background: #fafafa; }
.app { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: #222; min-height: 100vh; }
.app-header { display: flex; align-items: center; gap: 18px; padding: 8px 16px; background: #fff; border-bottom: 1px solid #e2e2e2; position: sticky; top: 0; z-index: 5; }
.app-brand { font-weight: 600; letter-spacing: .02em; }
.app-header nav { display: flex; gap: 2px; flex-wrap: wrap; }
.app-header nav a { padding: 4px 9px; border-radius: 4px; color: #444; text-decoration: none; font-size: 14px; }
.app-header nav a[aria-current=page] { background: #eef2f8; color: #1a3c6e; font-weight: 600; }
.app-model { margin-left: auto; display: flex; gap: 8px; align-items: center; font-size: 13px; }
.app-prompt { padding: 8px 16px; display: flex; gap: 8px; align-items: center; font-size: 13px; }
.app-prompt input { width: min(720px, 70vw); font: inherit; padding: 4px 6px; }
.app main { padding: 4px 16px 32px; }
.app h2 { font-size: 18px; font-weight: 600; margin: 12px 0 4px; display: flex; gap: 16px; align-items: baseline; }
.app h3 { font-size: 14px; font-weight: 600; margin: 16px 0 4px; }
.app-explain { color: #555; font-size: 13px; max-width: 860px; line-height: 1.45; }
.app-error { color: #a11; font-size: 13px; }
.app-busy, .app-status { color: #666; font-size: 13px; }
.app-picker { font-size: 13px; display: flex; gap: 8px; align-items: center; font-weight: normal; }
.app-row { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
.app-table { border-collapse: collapse; font-size: 13px; }
.app-table th { text-align: left; font-weight: 500; color: #555; padding: 2px 16px 2px 0; }
.app-charts { display: flex; flex-wrap: wrap; gap: 12px; margin-top: 12px; }
.app-bars { border-collapse: collapse; font-size: 12px; }
.app-bars th { text-align: right; font-weight: normal; padding: 1px 8px; font-family: ui-monospace, Menlo, Consolas, monospace; white-space: pre; }
.app-bar-cell { width: 260px; }
.app-bar { display: inline-block; height: 10px; background: #3b6fb6; vertical-align: middle; }
.app-bar-neg { background: #c0504d; }
.app-num { font-variant-numeric: tabular-nums; padding-left: 8px; color: #444; }
.app-headbuttons { display: flex; flex-direction: column; gap: 4px; margin: 6px 0; }
.app-result { font-size: 14px; max-width: 1000px; line-height: 1.5; }
.app-fields { display: flex; flex-wrap: wrap; gap: 8px 14px; align-items: center; font-size: 13px; margin: 8px 0; }
.app-fields input { font: inherit; padding: 4px 6px; width: 9em; }
.app-fields input.app-wide { width: min(520px, 60vw); }
.app-section { border-top: 1px solid #e2e2e2; margin-top: 18px; padding-top: 4px; }
.app-section h3 { font-size: 16px; }
.app-claim { font-size: 14px; max-width: 900px; line-height: 1.45; margin: 4px 0 8px; font-style: italic; }
.app-note { font-size: 13px; color: #555; }
.app-claims { font-size: 13px; padding-left: 18px; max-width: 1000px; }
.app-claims li { margin: 4px 0; }
.app-holds { color: #1c6b2f; font-weight: 600; }
.app-fails { color: #a11; font-weight: 600; }
.app-measured { color: #555; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; }
`;

let added = false;

/** The components' styles and the app's own, once. */
export function appStyles(): void {
  ensureStyles();
  if (added) return;
  added = true;
  const style = document.createElement('style');
  style.setAttribute('data-circuitscope-app', '');
  style.textContent = uplotCss + CSS;
  document.head.appendChild(style);
}
