import type { Matrix } from './matrix.js';

/** One selected entry of a matrix: its position and value. */
export interface MatrixEntry {
  readonly row: number;
  readonly col: number;
  readonly value: number;
}

/**
 * Which entries count as "top": the largest values, the smallest (most negative) values, or the largest |values|.
 */
export type TopKOrder = 'largest' | 'smallest' | 'magnitude';

/**
 * Keeps the k best of a stream of (key, position) pairs in O(k) memory and O(log k) per accepted pair: a binary
 * min-heap whose root is the worst kept pair. Ties in key go to the earlier position (smaller flat index), so the
 * selection does not depend on how the stream was blocked. NaN keys are never kept.
 */
export class TopKSelector {
  private readonly keys: Float64Array;
  private readonly flat: Float64Array; // row * cols + col, exact in float64 up to 2^53
  private readonly values: Float64Array;
  private size = 0;

  constructor(readonly k: number, readonly cols: number) {
    if (!Number.isInteger(k) || k < 0) throw new Error(`TopKSelector: k must be a non-negative integer, got ${k}`);
    this.keys = new Float64Array(k);
    this.flat = new Float64Array(k);
    this.values = new Float64Array(k);
  }

  /** The key a new pair must beat to be kept (−∞ until k pairs are held). */
  get threshold(): number {
    return this.size < this.k ? -Infinity : this.keys[0]!;
  }

  /**
   * Offers every entry of a row-major block whose first row is `row0`, ranked by `order`. The threshold test
   * is inlined so the common case (rejected) costs one comparison.
   */
  offerBlock(block: Float64Array, rows: number, row0: number, order: TopKOrder): void {
    const n = this.cols;
    if (this.k === 0) return;
    let t = this.threshold;
    for (let i = 0; i < rows; i++) {
      const base = (row0 + i) * n;
      const o = i * n;
      for (let j = 0; j < n; j++) {
        const v = block[o + j]!;
        const key = order === 'largest' ? v : order === 'smallest' ? -v : Math.abs(v);
        // Later positions never win ties, so a key equal to the threshold is rejected; NaN fails too.
        if (key > t || (key === -Infinity && this.size < this.k)) {
          this.push(key, base + j, v);
          t = this.threshold;
        }
      }
    }
  }

  /** The kept entries, best first: key descending, then row-major position ascending. */
  result(): MatrixEntry[] {
    const idx = Array.from({ length: this.size }, (_, i) => i);
    idx.sort((a, b) => this.keys[b]! - this.keys[a]! || this.flat[a]! - this.flat[b]!);
    return idx.map((i) => {
      const f = this.flat[i]!;
      const row = Math.floor(f / this.cols);
      const col = f - row * this.cols;
      return { row, col, value: this.values[i]! };
    });
  }

  /** True when pair a is worse than pair b: lower key, or equal key at a later position. */
  private worse(a: number, b: number): boolean {
    const ka = this.keys[a]!;
    const kb = this.keys[b]!;
    return ka < kb || (ka === kb && this.flat[a]! > this.flat[b]!);
  }

  private push(key: number, flat: number, value: number): void {
    if (this.size < this.k) {
      let i = this.size++;
      this.keys[i] = key;
      this.flat[i] = flat;
      this.values[i] = value;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!this.worse(i, p)) break;
        this.swap(i, p);
        i = p;
      }
      return;
    }
    this.keys[0] = key;
    this.flat[0] = flat;
    this.values[0] = value;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let w = i;
      if (l < this.size && this.worse(l, w)) w = l;
      if (r < this.size && this.worse(r, w)) w = r;
      if (w === i) break;
      this.swap(i, w);
      i = w;
    }
  }

  private swap(a: number, b: number): void {
    const k = this.keys[a]!;
    this.keys[a] = this.keys[b]!;
    this.keys[b] = k;
    const f = this.flat[a]!;
    this.flat[a] = this.flat[b]!;
    this.flat[b] = f;
    const v = this.values[a]!;
    this.values[a] = this.values[b]!;
    this.values[b] = v;
  }
}

/**
 * The k top entries of a dense matrix under `order` (default: largest values), best first; ties go to the
 * earlier row-major position. NaN entries are skipped. Returns min(k, number of non-NaN entries) entries.
 */
export function topKEntries(a: Matrix, k: number, order: TopKOrder = 'largest'): MatrixEntry[] {
  const sel = new TopKSelector(Math.min(k, a.rows * a.cols), a.cols);
  sel.offerBlock(a.data, a.rows, 0, order);
  return sel.result();
}
