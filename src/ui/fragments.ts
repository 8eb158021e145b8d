// Self-contained HTML fragments of the views, for notebooks and reports (like CircuitsVis's Python functions, but
// bundled: the component code and the data are inlined, nothing is fetched, no CDN). Each function returns a
// string of HTML that renders the view wherever it is inserted and scripts run.
//
// The fragments need the UI bundle's code: in Node, `await installUiBundle()` (src/io/uiBundle.ts) once, or pass
// `{ bundle }` to each call.
import type { AttentionHeadsProps } from './components/AttentionHeads/index.js';
import type { AttentionPatternProps } from './components/AttentionPattern/index.js';
import type { BarsProps } from './components/Bars/index.js';
import type { ColoredTokensProps } from './components/ColoredTokens/index.js';
import type { ColoredTokensMultiProps } from './components/ColoredTokensMulti/index.js';
import type { ComplexPlaneProps } from './components/ComplexPlane/index.js';
import type { DataTableProps } from './components/DataTable/index.js';
import type { HeadGridProps } from './components/HeadGrid/index.js';
import type { HeatmapProps } from './components/Heatmap/index.js';
import type { LineChartProps } from './components/LineChart/index.js';
import type { TokenLogProbsProps } from './components/TokenLogProbs/index.js';
import { inlineJSON, inlineScript } from './report/page.js';

let installed: string | null = null;

/** Sets the UI bundle's code used by every fragment (see src/io/uiBundle.ts). */
export function setUiBundle(code: string): void {
  installed = code;
}

export interface FragmentOptions {
  /** The UI bundle's code (default: the one given to setUiBundle). */
  bundle?: string;
  /** The element id (default: a fresh one). */
  id?: string;
}

let counter = 0;

/** Drops callbacks (functions cannot cross into a fragment) so that only data is inlined. */
type DataProps<P> = { [K in keyof P as P[K] extends ((...args: never[]) => unknown) | undefined ? (undefined extends P[K] ? never : K) : K]: P[K] };

/**
 * A fragment rendering component `name` with `props`: a div, the data as a JSON script element, and a module
 * script holding the bundle (evaluated once per page, however many fragments it holds) and the mount call.
 */
export function fragment(name: string, props: object, opts: FragmentOptions = {}): string {
  const bundle = opts.bundle ?? installed;
  if (!bundle) throw new Error('circuitscope fragments: no UI bundle; call setUiBundle(code) (in Node: await installUiBundle() from src/io/uiBundle.ts) or pass { bundle }');
  const id = opts.id ?? `cs-${Date.now().toString(36)}-${(counter++).toString(36)}`;
  if (!/^[A-Za-z][\w-]*$/.test(id)) throw new Error(`circuitscope fragments: bad element id ${JSON.stringify(id)}`);
  return `<div class="circuitscope-fragment" id="${id}"></div>
<script type="application/json" id="${id}-data">${inlineJSON({ component: name, props })}</script>
<script type="module">
if (!globalThis.circuitscopeUI) {
${inlineScript(bundle)}
}
globalThis.circuitscopeUI.mountFromJSON(${JSON.stringify(`${id}-data`)}, document.getElementById(${JSON.stringify(id)}));
</script>
`;
}

export const heatmap = (props: DataProps<HeatmapProps>, opts?: FragmentOptions) => fragment('Heatmap', props, opts);
export const attentionHeads = (props: DataProps<AttentionHeadsProps>, opts?: FragmentOptions) => fragment('AttentionHeads', props, opts);
export const attentionPattern = (props: DataProps<AttentionPatternProps>, opts?: FragmentOptions) => fragment('AttentionPattern', props, opts);
export const coloredTokens = (props: DataProps<ColoredTokensProps>, opts?: FragmentOptions) => fragment('ColoredTokens', props, opts);
export const coloredTokensMulti = (props: DataProps<ColoredTokensMultiProps>, opts?: FragmentOptions) => fragment('ColoredTokensMulti', props, opts);
export const tokenLogProbs = (props: DataProps<TokenLogProbsProps>, opts?: FragmentOptions) => fragment('TokenLogProbs', props, opts);
export const headGrid = (props: DataProps<HeadGridProps>, opts?: FragmentOptions) => fragment('HeadGrid', props, opts);
export const lineChart = (props: DataProps<LineChartProps>, opts?: FragmentOptions) => fragment('LineChart', props, opts);
export const bars = (props: DataProps<BarsProps>, opts?: FragmentOptions) => fragment('Bars', props, opts);
export const complexPlane = (props: DataProps<ComplexPlaneProps>, opts?: FragmentOptions) => fragment('ComplexPlane', props, opts);
export const dataTable = (props: DataProps<DataTableProps>, opts?: FragmentOptions) => fragment('DataTable', props, opts);

/** A whole HTML page around fragments (for a file that opens from disk). */
export function page(title: string, ...fragments: string[]): string {
  const t = title.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${t}</title><link rel="icon" href="data:,"></head>
<body style="margin: 24px">${fragments.join('\n')}</body></html>\n`;
}
