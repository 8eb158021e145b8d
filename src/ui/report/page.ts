// The report as one self-contained HTML file: the UI bundle and the data inlined, nothing fetched.
import { FONT } from '../lib/styles.js';
import type { ReportData } from './types.js';

/** JSON safe inside a <script> element. */
export function inlineJSON(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** An inline script's text, safe inside a <script> element. */
export function inlineScript(code: string): string {
  return code.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

const escapeHTML = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

const PAGE_CSS = `
html { background: #fff; }
body { margin: 0; padding: 24px 32px 64px; font-family: ${FONT}; color: #222; }
.cs-report { max-width: 1240px; margin: 0 auto; }
.cs-report h1 { font-size: 22px; margin: 0 0 4px; font-weight: 600; }
.cs-report h2 { font-size: 17px; font-weight: 600; margin: 36px 0 6px; padding-top: 10px; border-top: 1px solid #e6e6e6; }
.cs-report .cs-intro { color: #555; max-width: 820px; margin: 0 0 12px; }
.cs-nav { display: flex; flex-wrap: wrap; gap: 14px; margin: 12px 0 0; position: sticky; top: 0; background: #fff; padding: 6px 0; z-index: 20; border-bottom: 1px solid #eee; }
.cs-nav a { color: #2f5d8a; text-decoration: none; font-size: 13px; }
.cs-nav a:hover { text-decoration: underline; }
.cs-figures { display: flex; flex-wrap: wrap; gap: 8px 24px; align-items: flex-start; }
.cs-facts td:first-child { color: #666; }
.cs-numbers { margin: 8px 0 12px; }
.cs-run { margin: 8px 0 14px; font-size: 12px; }
.cs-run code { font-size: 11px; }
@media print {
  body { padding: 0; }
  .cs-nav, .cs-download-all, .cs-controls button, .cs-btn { display: none !important; }
  .cs-report h2 { break-before: auto; break-after: avoid; }
  .cs-section { break-inside: auto; }
  .cs-figure, .cs-table { break-inside: avoid; }
  details.cs-run { display: none; }
}
`;

/** The report page: `bundle` is the UI bundle (scripts/build-ui.mjs); the data is inlined as JSON. */
export function renderReportHTML(data: ReportData, bundle: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="circuitscope">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:">
<title>${escapeHTML(data.title)}: circuitscope report</title>
<link rel="icon" href="data:,">
<style>${PAGE_CSS}</style>
</head>
<body>
<div id="report"><p style="color:#888">Loading the report… (it needs JavaScript)</p></div>
<script type="application/json" id="report-data">${inlineJSON({ component: 'Report', props: { data } })}</script>
<script>${inlineScript(bundle)}</script>
<script>circuitscopeUI.mountFromJSON('report-data', document.getElementById('report'));</script>
</body>
</html>
`;
}
