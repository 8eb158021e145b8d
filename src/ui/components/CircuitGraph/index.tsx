import { useMemo, useRef, useState } from 'preact/hooks';
import { Figure } from '../../lib/Figure.js';
import { makeScale, textColorOn } from '../../lib/color.js';
import { toCSV } from '../../lib/export.js';
import { formatValue } from '../../lib/format.js';
import { FONT } from '../../lib/styles.js';
import { layoutGraph, PORT_AT, rankByScore, type GraphEdge } from './layout.js';

export type { GraphEdge } from './layout.js';

export interface CircuitGraphProps {
  /** Node names as `discover --json` prints them: `embed`, `L{l}H{h}`, `L{l}H{h}.q/.k/.v`, `mlp{l}`, `logits`. */
  nodes: readonly string[];
  /** Every scored edge, writer to reader: `{ from: "L0H1", to: "L1H0.k", score, kept }`. */
  edges: readonly GraphEdge[];
  /** Attribution patching's per-writer scores, shown as the writers' fill. */
  nodeScores?: readonly { node: string; score: number }[];
  /** Edges drawn at first, by |score| (default: the kept edges that score other than 0, at most 60; 20 when none is kept). */
  top?: number;
  /** Draw pruned edges among the top ones, faint and dashed (default true); false draws kept edges only. */
  showPruned?: boolean;
  title?: string;
  subtitle?: string;
  /** Widest the drawing may be, in CSS px (default 960): wide layers shrink their heads to fit. */
  maxWidth?: number;
}

/** Most edges the top-N control offers: beyond a few hundred a drawing shows nothing a table would not. */
const MAX_TOP = 500;

type Hover = { kind: 'edge'; edge: GraphEdge; rank: number; x: number; y: number } | { kind: 'node'; node: string; x: number; y: number };

/**
 * A circuit as a layered drawing: embed at the top, each layer's heads in a row (their q, k and v inputs as ports
 * on the top edge), MLPs, the logits at the bottom. The top N edges by |score| are drawn, width by |score|, red
 * positive and blue negative; kept edges solid, pruned ones faint and dashed. Hover an edge or a node for its name
 * and score.
 */
export function CircuitGraph(p: CircuitGraphProps) {
  const svg = useRef<SVGSVGElement>(null);
  const wrap = useRef<HTMLDivElement>(null);
  const keptCount = useMemo(() => p.edges.filter((e) => e.kept).length, [p.edges]);
  const [pruned, setPruned] = useState(p.showPruned !== false);
  const pool = useMemo(() => rankByScore(pruned ? p.edges : p.edges.filter((e) => e.kept)), [p.edges, pruned]);
  const maxTop = Math.max(1, Math.min(MAX_TOP, pool.length));
  // Kept edges that score exactly 0 (a ranking's top k padded with ties at zero) are not drawn by default.
  const keptLive = useMemo(() => p.edges.filter((e) => e.kept && e.score !== 0).length, [p.edges]);
  const defaultTop = p.top ?? (keptLive > 0 ? Math.min(keptLive, 60) : 20);
  const [top, setTop] = useState<number | null>(null);
  const n = Math.max(0, Math.min(top ?? defaultTop, pool.length, MAX_TOP));
  const [hover, setHover] = useState<Hover | null>(null);
  const layout = useMemo(() => layoutGraph([...p.nodes, ...p.edges.flatMap((e) => [e.from, e.to])], p.maxWidth ?? 960), [p.nodes, p.edges, p.maxWidth]);
  const shown = pool.slice(0, n);
  /** Controls and legend wrap to the drawing's width (a small circuit's figure stays narrow beside others). */
  const textWidth = Math.max(layout.width, 460);
  const drawable = shown.filter((e) => layout.out(e.from) && layout.in(e.to));
  const maxAbs = Math.max(1e-12, ...drawable.map((e) => Math.abs(e.score)));
  const scale = makeScale('diverging', -maxAbs, maxAbs);
  // Colour by sign, never washed out to white: the weakest drawn edge still shows its sign.
  const color = (s: number) => (s === 0 ? '#999' : scale.css(Math.sign(s) * maxAbs * (0.6 + 0.4 * Math.abs(s) / maxAbs)));
  const widthOf = (s: number) => 0.8 + 5.2 * (Math.abs(s) / maxAbs);
  const touched = new Set<string>();
  for (const e of drawable) { touched.add(e.from); touched.add(e.to); touched.add(e.to.split('.')[0]!); }
  const nodeScore = new Map((p.nodeScores ?? []).map((x) => [x.node, x.score]));
  const nodeScale = makeScale('diverging', -Math.max(1e-12, ...[...nodeScore.values()].map(Math.abs)), Math.max(1e-12, ...[...nodeScore.values()].map(Math.abs)));
  const focus = hover?.kind === 'node' ? hover.node : null;
  const inFocus = (e: GraphEdge) => focus === null || e.from === focus || e.to === focus || e.to.startsWith(`${focus}.`);
  const at = (ev: MouseEvent) => {
    const r = wrap.current!.getBoundingClientRect();
    return { x: ev.clientX - r.left, y: ev.clientY - r.top };
  };
  // A bare ranking (no edge marked kept) is drawn solid: there is no circuit to set pruned edges apart from.
  const isKept = (e: GraphEdge) => e.kept || keptCount === 0;
  // Weakest first, so the strongest edges lie on top.
  const order = drawable.map((e, i) => ({ e, i })).reverse();
  return (
    <Figure title={p.title} subtitle={p.subtitle} name={p.title ?? 'circuit'} exports={{
      json: () => ({ nodes: p.nodes, edges: shown }),
      csv: () => toCSV(['from', 'to', 'score', 'kept'], rankByScore(p.edges).map((e) => [e.from, e.to, e.score, e.kept ? 'true' : 'false'])),
      svg: () => svg.current,
    }}>
      <div class="cs-controls" style={{ maxWidth: textWidth }}>
        <label>top <input type="range" class="cs-top-range" min={1} max={maxTop} value={Math.max(1, n)}
          onInput={(e) => setTop(Number((e.currentTarget as HTMLInputElement).value))} /></label>
        <input type="number" class="cs-top" min={1} max={maxTop} value={n} style={{ width: 56 }}
          onChange={(e) => { const v = Math.round(Number((e.currentTarget as HTMLInputElement).value)); if (v >= 1) setTop(Math.min(v, maxTop)); }} />
        <span>edges by |score|</span>
        <label><input type="checkbox" class="cs-show-pruned" checked={pruned} onChange={(e) => setPruned((e.currentTarget as HTMLInputElement).checked)} /> pruned edges (faint)</label>
        <span class="cs-note cs-graph-summary">showing {drawable.length} of {p.edges.length} edges ({keptCount > 0 ? `${keptCount} kept` : 'none marked kept'}){shown.length > drawable.length ? `; ${shown.length - drawable.length} name nodes this drawing does not know` : ''}</span>
      </div>
      <div ref={wrap} style={{ position: 'relative' }} onMouseLeave={() => setHover(null)}>
        <svg ref={svg} class="cs-circuit" width={layout.width} height={layout.height} viewBox={`0 0 ${layout.width} ${layout.height}`} font-family={FONT} font-size="10">
          <rect x="0" y="0" width={layout.width} height={layout.height} fill="#fff" />
          {layout.rows.map((r) => <text x="4" y={r.y + 3} fill="#999" font-size="10">{r.label}</text>)}
          {layout.boxes.map((b) => {
            const live = touched.has(b.name);
            const s = nodeScore.get(b.name);
            /** Text readable on a node filled by its score. */
            const ink = s !== undefined ? textColorOn(nodeScale, s) : null;
            const fill = s !== undefined ? nodeScale.css(s) : live ? '#f4f6f9' : '#fcfcfc';
            return (
              <g class="cs-node" data-node={b.name} data-live={live ? 'true' : 'false'} style={{ cursor: 'default' }}
                onMouseEnter={(ev) => setHover({ kind: 'node', node: b.name, ...at(ev) })}>
                <rect x={b.x} y={b.y} width={b.w} height={b.h} rx="4" fill={fill} stroke={live ? '#555' : '#ddd'} stroke-width={live ? 1.2 : 1} />
                <text x={b.x + b.w / 2} y={b.y + b.h - (b.kind === 'head' ? 5 : 7)} text-anchor="middle" fill={ink ?? (live ? '#222' : '#bbb')}
                  font-size={b.kind === 'head' && b.w < 44 ? 8 : 10} font-weight={live ? 600 : 400}>{b.name}</text>
                {b.kind === 'head' && (['q', 'k', 'v'] as const).map((s2) => {
                  const port = touched.has(`${b.name}.${s2}`);
                  const x = b.x + b.w * PORT_AT[s2];
                  return (
                    <g class="cs-port" data-port={`${b.name}.${s2}`}>
                      <circle cx={x} cy={b.y} r={port ? 3 : 2} fill={port ? '#333' : '#fff'} stroke={port ? '#333' : '#ccc'} />
                      <text x={x} y={b.y + 10} text-anchor="middle" font-size="8" fill={ink ?? (port ? '#333' : '#c4c4c4')}>{s2}</text>
                    </g>
                  );
                })}
              </g>
            );
          })}
          {order.map(({ e, i }) => {
            // Edges sharing a lane sit side by side: a small offset by rank.
            const d = layout.route(e.from, e.to, ((i % 5) - 2) * 1.6)!;
            const on = hover?.kind === 'edge' && hover.edge === e;
            const dim = !inFocus(e);
            return (
              <g class="cs-edge-g">
                <path class="cs-edge" data-edge={`${e.from}->${e.to}`} data-kept={e.kept ? 'true' : 'false'} data-score={e.score} d={d} fill="none"
                  stroke={color(e.score)} stroke-width={widthOf(e.score) + (on ? 1.5 : 0)} stroke-dasharray={isKept(e) ? undefined : '4 3'}
                  stroke-opacity={dim ? 0.08 : isKept(e) ? 0.9 : 0.35} stroke-linecap="round" pointer-events="none" />
                <path d={d} fill="none" stroke="transparent" stroke-width={Math.max(8, widthOf(e.score) + 4)} class="cs-edge-hit"
                  onMouseEnter={(ev) => setHover({ kind: 'edge', edge: e, rank: i + 1, ...at(ev) })}
                  onMouseMove={(ev) => setHover({ kind: 'edge', edge: e, rank: i + 1, ...at(ev) })} />
              </g>
            );
          })}
        </svg>
        {hover && (
          <div class="cs-tooltip cs-graph-tooltip" style={{ left: Math.min(hover.x + 12, layout.width - 220), top: hover.y + 14 }}>
            {hover.kind === 'edge' ? (
              <>
                <b>{hover.edge.from} → {hover.edge.to}</b> score <span class="cs-tt-value">{formatValue(hover.edge.score)}</span>
                <div class="cs-note">#{hover.rank} by |score|{keptCount > 0 ? (hover.edge.kept ? ', kept' : ', pruned') : ''}</div>
              </>
            ) : (
              <>
                <b>{hover.node}</b>{nodeScore.has(hover.node) && <> score <span class="cs-tt-value">{formatValue(nodeScore.get(hover.node)!)}</span></>}
                <div class="cs-note">drawn edges: {drawable.filter((e) => e.from === hover.node).length} out, {drawable.filter((e) => e.to === hover.node || e.to.startsWith(`${hover.node}.`)).length} in</div>
              </>
            )}
          </div>
        )}
      </div>
      <div class="cs-legend cs-graph-legend" style={{ maxWidth: textWidth, flexWrap: 'wrap' }}>
        <svg width="150" height="12"><line x1="2" x2="40" y1="6" y2="6" stroke={color(maxAbs)} stroke-width="3" /><text x="46" y="10" font-size="11" fill="#555">positive score</text></svg>
        <svg width="150" height="12"><line x1="2" x2="40" y1="6" y2="6" stroke={color(-maxAbs)} stroke-width="3" /><text x="46" y="10" font-size="11" fill="#555">negative score</text></svg>
        <svg width="130" height="12"><line x1="2" x2="40" y1="6" y2="6" stroke="#888" stroke-width="2" stroke-dasharray="4 3" stroke-opacity="0.6" /><text x="46" y="10" font-size="11" fill="#555">pruned</text></svg>
        <span>width: |score| (largest drawn {formatValue(maxAbs)})</span>
      </div>
    </Figure>
  );
}

export default CircuitGraph;
