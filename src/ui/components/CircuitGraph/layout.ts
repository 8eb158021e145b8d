// Where CircuitGraph puts each node: one row per layer, top to bottom (embed, each layer's heads, its MLP, logits),
// heads left to right with their q/k/v inputs as ports on the top edge. Pure geometry, no DOM.

/** An edge as `circuitscope discover --json` prints it. */
export interface GraphEdge {
  from: string;
  to: string;
  score: number;
  /** In the circuit (ACDC's verdict, or a ranking method's top edges). */
  kept: boolean;
}

export interface Box {
  /** The writer's name (`embed`, `L1H0`, `mlp0`) or `logits`. */
  name: string;
  kind: 'embed' | 'head' | 'mlp' | 'logits';
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Point {
  x: number;
  y: number;
}

export interface Layout {
  width: number;
  height: number;
  layers: number;
  heads: number;
  boxes: Box[];
  /** Row labels at the left margin. */
  rows: { label: string; y: number }[];
  /** Where an edge leaves a writer (bottom centre of its box). */
  out(writer: string): Point | null;
  /** Where an edge enters a reader: a head's q/k/v port, the top centre of an MLP or the logits. */
  in(reader: string): Point | null;
  /**
   * The edge as an SVG path, or null when a node is unknown. Between adjacent rows, an S-curve; an edge that skips
   * rows runs down a lane between two heads' columns (clear of every box), `jitter` px off its centre.
   */
  route(from: string, to: string, jitter?: number): string | null;
}

const HEAD = /^L(\d+)H(\d+)$/;
const PORT = /^L(\d+)H(\d+)\.([qkv])$/;
const MLP = /^mlp(\d+)$/;
/** A port's place along the top edge of its head's box. */
export const PORT_AT: Record<'q' | 'k' | 'v', number> = { q: 0.25, k: 0.5, v: 0.75 };

/** The model's shape read off the node names: layers, heads per layer, whether it has MLPs. */
export function graphShape(names: Iterable<string>): { layers: number; heads: number; mlps: boolean } {
  let layers = 0;
  let heads = 0;
  let mlps = false;
  for (const n of names) {
    const m = HEAD.exec(n) ?? PORT.exec(n);
    if (m) {
      layers = Math.max(layers, Number(m[1]) + 1);
      heads = Math.max(heads, Number(m[2]) + 1);
      continue;
    }
    const p = MLP.exec(n);
    if (p) {
      mlps = true;
      layers = Math.max(layers, Number(p[1]) + 1);
    }
  }
  return { layers, heads, mlps };
}

/**
 * Lays out a head-level graph to fit `maxWidth` (heads shrink, down to 30 px, for wide layers). Rows: embed, then
 * per layer its heads and (when the model has them) its MLP, then the logits.
 */
export function layoutGraph(names: Iterable<string>, maxWidth = 960): Layout {
  const { layers, heads, mlps } = graphShape(names);
  const left = 58;
  const right = 12;
  const pitch = Math.max(30, Math.min(78, Math.floor((maxWidth - left - right) / Math.max(1, heads))));
  const bw = Math.round(pitch * 0.78);
  const bh = 30;
  const sh = 22;
  const gap = layers > 6 ? 34 : 48;
  const rowWidth = Math.max(heads * pitch, 160);
  const width = left + rowWidth + right;
  const cx = left + rowWidth / 2;
  const boxes: Box[] = [];
  const rows: Layout['rows'] = [];
  let y = 8;
  const single = (name: string, kind: Box['kind'], label: string) => {
    boxes.push({ name, kind, x: cx - 40, y, w: 80, h: sh });
    rows.push({ label, y: y + sh / 2 });
    y += sh + gap;
  };
  single('embed', 'embed', 'embed');
  for (let l = 0; l < layers; l++) {
    for (let h = 0; h < heads; h++) boxes.push({ name: `L${l}H${h}`, kind: 'head', x: left + h * pitch + (pitch - bw) / 2, y, w: bw, h: bh });
    rows.push({ label: `layer ${l}`, y: y + bh / 2 });
    y += bh + gap;
    if (mlps) single(`mlp${l}`, 'mlp', `mlp ${l}`);
  }
  single('logits', 'logits', 'logits');
  const height = y - gap + 8;
  const byName = new Map(boxes.map((b) => [b.name, b]));
  // Lanes: the gaps between head columns (and either side of the row).
  const lanes = Array.from({ length: heads + 1 }, (_, j) => left + j * pitch);
  const singles = boxes.filter((b) => b.kind !== 'head');
  const out = (writer: string): Point | null => {
    const b = byName.get(writer);
    return b && b.kind !== 'logits' ? { x: b.x + b.w / 2, y: b.y + b.h } : null;
  };
  const inAt = (reader: string): Point | null => {
    const p = PORT.exec(reader);
    if (p) {
      const b = byName.get(`L${p[1]}H${p[2]}`);
      return b ? { x: b.x + b.w * PORT_AT[p[3] as 'q' | 'k' | 'v'], y: b.y } : null;
    }
    const b = byName.get(reader);
    return b && (b.kind === 'mlp' || b.kind === 'logits') ? { x: b.x + b.w / 2, y: b.y } : null;
  };
  return {
    width, height, layers, heads, boxes, rows, out, in: inAt,
    route(from, to, jitter = 0) {
      const a = out(from);
      const b = inAt(to);
      if (!a || !b) return null;
      if (b.y - a.y <= gap + 1) return edgePath(a, b);
      // A lane clear of the single boxes (embed, MLPs) the edge passes, nearest the straight line.
      const passed = singles.filter((s) => s.y > a.y && s.y + s.h < b.y);
      const free = lanes.filter((x) => passed.every((s) => x < s.x - 4 || x > s.x + s.w + 4));
      const mid = (a.x + b.x) / 2;
      const lane = (free.length ? free : lanes).reduce((best, x) => (Math.abs(x - mid) < Math.abs(best - mid) ? x : best)) + jitter;
      const y1 = a.y + gap / 2;
      const y2 = b.y - gap / 2;
      const f = (v: number) => v.toFixed(1);
      return `M${f(a.x)},${f(a.y)} C${f(a.x)},${f(a.y + gap / 4)} ${f(lane)},${f(y1 - gap / 4)} ${f(lane)},${f(y1)} L${f(lane)},${f(y2)} C${f(lane)},${f(y2 + gap / 4)} ${f(b.x)},${f(b.y - gap / 4)} ${f(b.x)},${f(b.y)}`;
    },
  };
}

/** An edge as an SVG path: an S-curve from the writer's bottom to the reader's top. */
export function edgePath(a: Point, b: Point): string {
  const dy = Math.max(12, (b.y - a.y) * 0.5);
  return `M${a.x.toFixed(1)},${a.y.toFixed(1)} C${a.x.toFixed(1)},${(a.y + dy).toFixed(1)} ${b.x.toFixed(1)},${(b.y - dy).toFixed(1)} ${b.x.toFixed(1)},${b.y.toFixed(1)}`;
}

/** Edges by decreasing |score|, ties in the given order (the order `rankEdges` uses). */
export function rankByScore<E extends { score: number }>(edges: readonly E[]): E[] {
  return edges.map((e, i) => ({ e, i })).sort((a, b) => Math.abs(b.e.score) - Math.abs(a.e.score) || a.i - b.i).map((x) => x.e);
}
