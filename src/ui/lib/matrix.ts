/** A matrix as nested rows, or flat row-major data with its shape (e.g. a Float32Array from the engine). */
export type MatrixInput = readonly (readonly number[])[] | { rows: number; cols: number; data: ArrayLike<number> };

export interface Matrix {
  rows: number;
  cols: number;
  get(i: number, j: number): number;
}

/** A uniform view of a matrix input; ragged rows read as NaN past their end. */
export function toMatrix(m: MatrixInput): Matrix {
  if (Array.isArray(m)) {
    const rowsArr = m as readonly (readonly number[])[];
    let cols = 0;
    for (const r of rowsArr) cols = Math.max(cols, r.length);
    return { rows: rowsArr.length, cols, get: (i, j) => rowsArr[i]![j] ?? Number.NaN };
  }
  const f = m as { rows: number; cols: number; data: ArrayLike<number> };
  if (f.data.length < f.rows * f.cols) throw new Error(`matrix: ${f.data.length} values for ${f.rows} x ${f.cols}`);
  return { rows: f.rows, cols: f.cols, get: (i, j) => f.data[i * f.cols + j]! };
}

/** All values of a matrix as nested arrays (for JSON export). */
export function matrixRows(m: Matrix): number[][] {
  return Array.from({ length: m.rows }, (_, i) => Array.from({ length: m.cols }, (_, j) => m.get(i, j)));
}

/** The finite min and max of a matrix. */
export function matrixExtent(m: Matrix): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < m.rows; i++) {
    for (let j = 0; j < m.cols; j++) {
      const v = m.get(i, j);
      if (!Number.isFinite(v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return lo === Infinity ? [0, 0] : [lo, hi];
}
