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
