import {
  column, dot, eigenvalues as denseEigenvalues, frobeniusInner, matmul, matmulInto, matmulNT, matmulTN, matrix,
  matvec, qr, row, rowBlock, scale as scaleMatrix, svd as denseSvd, toMatrix, transpose, vecmat, TopKSelector,
  type ComplexArray, type Matrix, type MatrixEntry, type MatrixLike, type SVD, type TensorLike2D, type TopKOrder,
} from './index.js';

/** A factor: a `{ rows, cols, data }` matrix or a 2-D `{ shape, data }` tensor, float32 or float64. */
export type FactorInput = MatrixLike | TensorLike2D;

export type { ComplexArray, MatrixEntry, SVD, TopKOrder } from './index.js';

/** Options of {@link FactoredMatrix.topK}. */
export interface TopKOptions {
  /** Rank by largest value (default), smallest (most negative) value, or largest |value|. */
  readonly order?: TopKOrder;
  /** Rows of AB materialised at a time; by default about 2^20 entries (8 MiB) per block. */
  readonly blockRows?: number;
}

/** Entries of AB per row block in topK when not told otherwise. */
const TOPK_BLOCK_ENTRIES = 1 << 20;

/**
 * A matrix M = A B held as its two factors, A m x r and B r x n, TransformerLens's `FactoredMatrix`: the
 * circuits of a head (W_QK = W_Q W_K^T, W_OV = W_V W_O, the full OV circuit W_E W_V W_O W_U) are products of
 * rank r = d_head that would be d_model² or d_vocab² if materialised. Everything here (norms, SVD, eigenvalues,
 * products, top entries) works from the factors and r x r cores; only `AB` builds the m x n product.
 *
 * Strictly 2-D: a batch of heads is an array of FactoredMatrix. Factors of either float precision are accepted;
 * everything is computed in float64. Float64 factors are shared, not copied, so they must not be mutated while
 * the FactoredMatrix (and its cached SVD) is in use.
 */
export class FactoredMatrix {
  /** The left factor, m x r. */
  readonly A: Matrix;
  /** The right factor, r x n. */
  readonly B: Matrix;
  private cachedSvd: SVD | null = null;

  constructor(A: FactorInput, B: FactorInput) {
    this.A = toMatrix(A);
    this.B = toMatrix(B);
    if (this.A.cols !== this.B.rows) {
      throw new Error(
        `FactoredMatrix: factors must match on the inner dimension, got A ${this.A.rows} x ${this.A.cols} and B ${this.B.rows} x ${this.B.cols}`,
      );
    }
  }

  /** m, the number of rows of A B (TransformerLens's `ldim`). */
  get ldim(): number {
    return this.A.rows;
  }

  /** r, the inner dimension (TransformerLens's `mdim`); rank(A B) <= min(m, r, n). */
  get mdim(): number {
    return this.A.cols;
  }

  /** n, the number of columns of A B (TransformerLens's `rdim`). */
  get rdim(): number {
    return this.B.cols;
  }

  /** [m, n], the shape of A B. */
  get shape(): [number, number] {
    return [this.A.rows, this.B.cols];
  }

  /** The product A B (m x n), materialised: m r n multiply-adds and m n floats of memory. */
  get AB(): Matrix {
    return matmul(this.A, this.B);
  }

  /**
   * The reverse product B A (r x r), defined only when A B is square (m = n). It has the non-zero eigenvalues
   * of A B: if B A v = λ v then A B (A v) = λ (A v).
   */
  get BA(): Matrix {
    this.assertSquare('BA');
    return matmul(this.B, this.A);
  }

  /** The transpose (A B)^T = B^T A^T as a FactoredMatrix, factors transposed (r x m and n x r become its A and B). */
  get T(): FactoredMatrix {
    return new FactoredMatrix(transpose(this.B), transpose(this.A));
  }

  /** (s A) B = s (A B), scaling the left factor. */
  scale(s: number): FactoredMatrix {
    return new FactoredMatrix(scaleMatrix(this.A, s), this.B);
  }

  /**
   * The product (A B) X, X n x p dense or factored, kept factored with the smallest inner dimension available.
   * Dense X: (A)(B X) with inner r when r < n, (A B)(X) with inner n when n < r (as TransformerLens); when r = n,
   * whichever costs fewer flops. Factored X = C D (C n x s, D s x p): the core B C (r x s) is formed and folded
   * into the side that keeps inner min(r, s), or (A B)(C D) with inner n when n < min(r, s).
   */
  matmul(other: FactorInput | FactoredMatrix): FactoredMatrix {
    const { A, B } = this;
    const [m, n] = this.shape;
    const r = this.mdim;
    if (other instanceof FactoredMatrix) {
      if (other.ldim !== n) throw new Error(`FactoredMatrix.matmul: shapes ${m} x ${n} and ${other.ldim} x ${other.rdim} do not chain`);
      const s = other.mdim;
      if (n < r && n < s) return new FactoredMatrix(this.AB, other.AB);
      const core = matmul(B, other.A);
      return r <= s ? new FactoredMatrix(A, matmul(core, other.B)) : new FactoredMatrix(matmul(A, core), other.B);
    }
    const X = toMatrix(other);
    if (X.rows !== n) throw new Error(`FactoredMatrix.matmul: shapes ${m} x ${n} and ${X.rows} x ${X.cols} do not chain`);
    // Costs: A (B X) is r n p; (A B) X is m r n. Inner dimensions r and n respectively.
    const keepA = r < n || (r === n && X.cols <= m);
    return keepA ? new FactoredMatrix(A, matmul(B, X)) : new FactoredMatrix(this.AB, X);
  }

  /**
   * The product X (A B), X p x m dense or factored, kept factored with the smallest inner dimension available:
   * (X A)(B) with inner r when r < m, (X)(A B) with inner m when m < r; factored X is `X.matmul(this)`.
   */
  rmatmul(other: FactorInput | FactoredMatrix): FactoredMatrix {
    if (other instanceof FactoredMatrix) return other.matmul(this);
    const [m, n] = this.shape;
    const r = this.mdim;
    const X = toMatrix(other);
    if (X.cols !== m) throw new Error(`FactoredMatrix.rmatmul: shapes ${X.rows} x ${X.cols} and ${m} x ${n} do not chain`);
    // Costs: (X A) B is p m r; X (A B) is m r n. Inner dimensions r and m respectively.
    const keepB = r < m || (r === m && X.rows <= n);
    return keepB ? new FactoredMatrix(matmul(X, this.A), this.B) : new FactoredMatrix(X, this.AB);
  }

  /** The vector (A B) x = A (B x), x of length n: (m + n) r multiply-adds. */
  matvec(x: ArrayLike<number>): Float64Array {
    return matvec(this.A, matvec(this.B, x));
  }

  /** The vector x^T (A B) = (x^T A) B, x of length m. */
  vecmat(x: ArrayLike<number>): Float64Array {
    return vecmat(vecmat(x, this.A), this.B);
  }

  /** Row i of A B: (A B)_i· = A_i· B, n r multiply-adds. */
  row(i: number): Float64Array {
    return vecmat(row(this.A, i), this.B);
  }

  /** Column j of A B: (A B)_·j = A B_·j, m r multiply-adds. */
  col(j: number): Float64Array {
    return matvec(this.A, column(this.B, j));
  }

  /** The entry (A B)_ij = Σ_k A_ik B_kj. */
  get(i: number, j: number): number {
    const a = row(this.A, i);
    const b = column(this.B, j);
    return dot(a, 0, b, 0, a.length);
  }

  /**
   * The Frobenius norm from the two r x r Gram matrices, never the m x n product:
   * ||A B||_F² = tr(B^T A^T A B) = tr(A^T A B B^T) = <A^T A, B B^T>_F. Costs (m + n) r² multiply-adds.
   * The square carries an absolute rounding error of order ε ||A||_F² ||B||_F², so a norm far below
   * ||A||_F ||B||_F (heavy cancellation) is resolved only to that level; it is clamped at zero.
   */
  frobeniusNorm(): number {
    const sq = frobeniusInner(matmulTN(this.A, this.A), matmulNT(this.B, this.B));
    return Math.sqrt(Math.max(0, sq));
  }

  /** TransformerLens's name for {@link FactoredMatrix.frobeniusNorm}: ||A B||_F. */
  norm(): number {
    return this.frobeniusNorm();
  }

  /**
   * The thin SVD A B = U diag(S) V^T with k = min(m, r, n) singular values, descending; U (m x k) and V (n x k)
   * have orthonormal columns (TransformerLens returns the same V, calling it Vh). From the factors only:
   * A = Q_a R_a and B^T = Q_b R_b (thin QR), so A B = Q_a (R_a R_b^T) Q_b^T; the small core
   * R_a R_b^T = U_c S V_c^T gives U = Q_a U_c and V = Q_b V_c. Computed once and cached.
   */
  svd(): SVD {
    if (this.cachedSvd === null) {
      const a = qr(this.A);
      const b = qr(transpose(this.B));
      const core = denseSvd(matmulNT(a.R, b.R));
      this.cachedSvd = { U: matmul(a.Q, core.U), S: core.S, V: matmul(b.Q, core.V) };
    }
    return this.cachedSvd;
  }

  /** U of {@link FactoredMatrix.svd} (m x k). */
  get U(): Matrix {
    return this.svd().U;
  }

  /** The singular values of A B, descending (length min(m, r, n)). */
  get S(): Float64Array {
    return this.svd().S;
  }

  /** V of {@link FactoredMatrix.svd} (n x k), so that A B = U diag(S) V^T. */
  get V(): Matrix {
    return this.svd().V;
  }

  /**
   * The same matrix factored evenly: (U diag(√S)) (diag(√S) V^T), each side carrying half of every singular
   * value, with orthogonal columns on the left and orthogonal rows on the right.
   */
  makeEven(): FactoredMatrix {
    const { U, S, V } = this.svd();
    const root = S.map(Math.sqrt);
    return new FactoredMatrix(scaleColumns(U, root), transpose(scaleColumns(V, root)));
  }

  /** diag(S) V^T (k x n): A B with its left orthogonal factor U removed, A B = U (diag(S) V^T). */
  collapseL(): Matrix {
    const { S, V } = this.svd();
    return transpose(scaleColumns(V, S));
  }

  /** U diag(S) (m x k): A B with its right orthogonal factor removed, A B = (U diag(S)) V^T. */
  collapseR(): Matrix {
    const { U, S } = this.svd();
    return scaleColumns(U, S);
  }

  /**
   * The eigenvalues of a square A B (m = n), from the small side: r of them, those of B A (r x r), which are the
   * non-zero eigenvalues of A B padded with zeros (det(λ I_r - B A) = λ^(r-m) det(λ I_m - A B)). When m < r the
   * m x m product A B is the smaller one and is used instead, padded with r - m zeros. Complex in general, sorted
   * by modulus descending (see `eigenvalues` in linalg).
   */
  eigenvalues(): ComplexArray {
    this.assertSquare('eigenvalues');
    const [m] = this.shape;
    const r = this.mdim;
    if (r <= m) return denseEigenvalues(matmul(this.B, this.A));
    const small = denseEigenvalues(this.AB);
    const re = new Float64Array(r);
    const im = new Float64Array(r);
    re.set(small.re);
    im.set(small.im);
    return { re, im };
  }

  /**
   * The k top entries of A B with their row and column, best first, under `order` (default: largest values;
   * 'smallest' for the most negative; 'magnitude' for the largest |value|). Ties go to the earlier row-major
   * position; NaN entries are skipped. A B is computed a block of rows at a time into one reused buffer, so
   * memory is O(blockRows n + k) even for a d_vocab x d_vocab circuit; time is still m r n multiply-adds.
   */
  topK(k: number, opts: TopKOptions = {}): MatrixEntry[] {
    const order = opts.order ?? 'largest';
    const [m, n] = this.shape;
    if (!Number.isInteger(k) || k < 0) throw new Error(`FactoredMatrix.topK: k must be a non-negative integer, got ${k}`);
    const sel = new TopKSelector(Math.min(k, m * n), n);
    if (k === 0 || m === 0 || n === 0) return [];
    const rowsPer = opts.blockRows ?? Math.max(1, Math.floor(TOPK_BLOCK_ENTRIES / n));
    if (!Number.isInteger(rowsPer) || rowsPer < 1) throw new Error(`FactoredMatrix.topK: blockRows must be a positive integer, got ${rowsPer}`);
    const buffer = new Float64Array(Math.min(rowsPer, m) * n);
    for (let r0 = 0; r0 < m; r0 += rowsPer) {
      const r1 = Math.min(m, r0 + rowsPer);
      const block = matmulInto(buffer, rowBlock(this.A, r0, r1), this.B);
      sel.offerBlock(block.data, r1 - r0, r0, order);
    }
    return sel.result();
  }

  /** The k smallest (most negative) entries of A B, most negative first: `topK(k, { order: 'smallest' })`. */
  bottomK(k: number, opts: Omit<TopKOptions, 'order'> = {}): MatrixEntry[] {
    return this.topK(k, { ...opts, order: 'smallest' });
  }

  /** A short description, as TransformerLens prints it. */
  toString(): string {
    return `FactoredMatrix: Shape(${this.ldim}, ${this.rdim}), Hidden Dim(${this.mdim})`;
  }

  private assertSquare(what: string): void {
    if (this.ldim !== this.rdim) {
      throw new Error(`FactoredMatrix.${what}: needs a square product, got ${this.ldim} x ${this.rdim}`);
    }
  }
}

/**
 * The copying score of a circuit from its eigenvalues λ (of W_E W_OV W_U, or its d_head x d_head core):
 * Re(Σ λ) / Σ |λ|, in [-1, 1]. It is 1 when every eigenvalue is real and positive (the circuit copies: an input
 * token raises its own logit), -1 when all are real and negative. 0 when every eigenvalue is zero (a circuit
 * that writes nothing neither copies nor negates), which keeps reports free of NaN.
 */
export function copyingScore(eigenvalues: ComplexArray): number {
  let sumRe = 0;
  let sumAbs = 0;
  for (let i = 0; i < eigenvalues.re.length; i++) {
    sumRe += eigenvalues.re[i]!;
    sumAbs += Math.hypot(eigenvalues.re[i]!, eigenvalues.im[i]!);
  }
  return sumAbs === 0 ? 0 : sumRe / sumAbs;
}

/** M diag(s): column j of M times s_j. */
function scaleColumns(m: Matrix, s: Float64Array): Matrix {
  const out = new Float64Array(m.data.length);
  for (let i = 0; i < m.rows; i++) {
    for (let j = 0; j < m.cols; j++) out[i * m.cols + j] = m.data[i * m.cols + j]! * s[j]!;
  }
  return matrix(m.rows, m.cols, out);
}
