// Downloads from a figure: its data as JSON or CSV, its picture as PNG (canvas) or SVG. Everything is made in the
// page (Blob URLs); nothing is fetched.

export type Cell = string | number | null | undefined;

/** One CSV field, quoted when it holds a comma, quote or newline. */
export function csvField(v: Cell): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : v;
  return /[",\n\r]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV text from a header and rows. */
export function toCSV(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  return [header, ...rows].map((r) => r.map(csvField).join(',')).join('\n') + '\n';
}

/** A matrix as CSV: the first column holds the row labels, the header the column labels. */
export function matrixCSV(values: (i: number, j: number) => number, rows: number, cols: number,
  rowLabels?: readonly string[], colLabels?: readonly string[], corner = ''): string {
  const header = [corner, ...Array.from({ length: cols }, (_, j) => colLabels?.[j] ?? String(j))];
  const body = Array.from({ length: rows }, (_, i) => [rowLabels?.[i] ?? String(i), ...Array.from({ length: cols }, (_, j) => values(i, j))]);
  return toCSV(header, body);
}

/** A file name from a title: lower case, dashes. */
export function fileStem(title: string | undefined, fallback: string): string {
  const s = (title ?? '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  return s || fallback;
}

/** Saves a Blob under a file name (a temporary anchor with a blob: URL). */
export function download(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function downloadText(name: string, text: string, type: string): void {
  download(name, new Blob([text], { type }));
}

/** An SVG element as a standalone SVG document (computed styles of text inlined by the caller's markup). */
export function svgText(svg: SVGSVGElement): string {
  const clone = svg.cloneNode(true) as SVGSVGElement;
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  if (!clone.getAttribute('font-family')) clone.setAttribute('font-family', 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif');
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(clone)}\n`;
}

export function downloadCanvasPNG(name: string, canvas: HTMLCanvasElement): void {
  canvas.toBlob((b) => { if (b) download(name, b); }, 'image/png');
}

/**
 * A picture of tokens as running text on a canvas (for PNG export of the token views): each token in a box
 * coloured by `background(i)` (null: none), wrapped at `width` CSS px, with an optional title above.
 */
export function tokensPicture(tokens: readonly string[], background: (i: number) => string | null, opts: {
  title?: string; width?: number; font?: string; textColor?: (i: number) => string;
} = {}): HTMLCanvasElement {
  const ratio = 2;
  const width = opts.width ?? 900;
  const font = opts.font ?? '13px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace';
  const measure = document.createElement('canvas').getContext('2d')!;
  measure.font = font;
  const lineH = 22;
  const top = opts.title ? 28 : 8;
  // Lay out: a newline in a token ends the line after it.
  const boxes: { i: number; x: number; y: number; w: number; text: string }[] = [];
  let x = 8;
  let y = top;
  tokens.forEach((t, i) => {
    const text = t.replace(/\n/g, '↵');
    const w = Math.max(4, measure.measureText(text).width);
    if (x + w > width - 8 && x > 8) { x = 8; y += lineH; }
    boxes.push({ i, x, y, w, text });
    x += w;
    if (t.includes('\n')) { x = 8; y += lineH; }
  });
  const height = y + lineH + 8;
  const { c, ctx } = whiteCanvas(width, height, ratio);
  if (opts.title) {
    ctx.fillStyle = '#222';
    ctx.font = '600 13px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
    ctx.fillText(opts.title, 8, 18);
  }
  ctx.font = font;
  ctx.textBaseline = 'middle';
  for (const b of boxes) {
    const bg = background(b.i);
    if (bg) { ctx.fillStyle = bg; ctx.fillRect(b.x, b.y, b.w, lineH - 4); }
    ctx.fillStyle = opts.textColor?.(b.i) ?? '#222';
    ctx.fillText(b.text, b.x, b.y + (lineH - 4) / 2);
  }
  return c;
}

/** Canvases side by side in a grid, each with a caption above (for PNG export of small multiples). */
export function gridPicture(items: readonly { title: string; canvas: HTMLCanvasElement; width: number; height: number }[], opts: { title?: string; columns?: number } = {}): HTMLCanvasElement {
  const ratio = 2;
  const cols = Math.max(1, opts.columns ?? Math.min(items.length, 6));
  const cw = Math.max(...items.map((it) => it.width), 1) + 16;
  const ch = Math.max(...items.map((it) => it.height), 1) + 22;
  const top = opts.title ? 28 : 6;
  const width = cols * cw + 8;
  const height = top + Math.ceil(items.length / cols) * ch + 8;
  const { c, ctx } = whiteCanvas(width, height, ratio);
  ctx.font = '600 11px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
  ctx.fillStyle = '#222';
  if (opts.title) { ctx.font = '600 13px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif'; ctx.fillText(opts.title, 8, 18); ctx.font = '600 11px system-ui, sans-serif'; }
  ctx.imageSmoothingEnabled = false;
  items.forEach((it, k) => {
    const x = 8 + (k % cols) * cw;
    const y = top + Math.floor(k / cols) * ch;
    ctx.fillStyle = '#444';
    ctx.fillText(it.title, x, y + 11);
    ctx.drawImage(it.canvas, x, y + 16, it.width, it.height);
    ctx.strokeStyle = '#ddd';
    ctx.strokeRect(x - 0.5, y + 15.5, it.width + 1, it.height + 1);
  });
  return c;
}

/** A canvas of `width` x `height` CSS px at `ratio` device pixels each, filled white, its context scaled to CSS px. */
function whiteCanvas(width: number, height: number, ratio: number): { c: HTMLCanvasElement; ctx: CanvasRenderingContext2D } {
  const c = document.createElement('canvas');
  c.width = width * ratio;
  c.height = height * ratio;
  const ctx = c.getContext('2d')!;
  ctx.scale(ratio, ratio);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, height);
  return { c, ctx };
}
