// A by-hand float64 forward pass of a TransformerLens HookedTransformer, for tests: plain loops, no engine,
// nothing shared with src/model's forward graph, so agreement between the two means something.
import type { Tensor } from '../../src/engine/tensor.js';
import type { HookedTransformerConfig } from '../../src/model/config.js';

type Weights = Readonly<Record<string, Tensor>>;

function get(w: Weights, name: string): Float64Array {
  const t = w[name];
  if (!t) throw new Error(`referenceForward: missing weight ${name}`);
  return Float64Array.from(t.data as ArrayLike<number>);
}

/** erf to ~1e-15: Maclaurin series below 3, a continued fraction for erfc above. */
export function erf(x: number): number {
  const a = Math.abs(x);
  let r: number;
  if (a < 3) {
    let term = a;
    let sum = a;
    for (let n = 1; n < 100 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
      term *= -a * a / n;
      sum += term / (2 * n + 1);
    }
    r = (2 / Math.sqrt(Math.PI)) * sum;
  } else {
    // erfc(a) = exp(-a^2)/sqrt(pi) * 1/(a + (1/2)/(a + 1/(a + (3/2)/(a + ...)))), evaluated from the tail.
    let f = a;
    for (let k = 60; k >= 1; k--) f = a + (k / 2) / f;
    r = 1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / f;
  }
  return x < 0 ? -r : r;
}

function activation(fn: HookedTransformerConfig['act_fn'], x: number): number {
  switch (fn) {
    case 'relu': return Math.max(0, x);
    case 'gelu': return 0.5 * x * (1 + erf(x / Math.SQRT2));
    case 'gelu_new': return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
    default: throw new Error(`referenceForward: no activation ${String(fn)}`);
  }
}

/** LayerNorm of each row of `x` ([rows, D]): centre, divide by sqrt(mean(x^2) + eps), then `* w + b` if given. */
function layerNorm(cfg: HookedTransformerConfig, w: Weights, name: string, x: Float64Array): Float64Array {
  if (cfg.normalization_type === null) return x;
  const D = cfg.d_model;
  const g = cfg.normalization_type === 'LN' ? get(w, `${name}.w`) : null;
  const b = cfg.normalization_type === 'LN' ? get(w, `${name}.b`) : null;
  const out = new Float64Array(x.length);
  for (let r = 0; r < x.length / D; r++) {
    let mean = 0;
    for (let d = 0; d < D; d++) mean += x[r * D + d]! / D;
    let sq = 0;
    for (let d = 0; d < D; d++) sq += (x[r * D + d]! - mean) ** 2 / D;
    const scale = Math.sqrt(sq + cfg.eps);
    for (let d = 0; d < D; d++) {
      const n = (x[r * D + d]! - mean) / scale;
      out[r * D + d] = g && b ? n * g[d]! + b[d]! : n;
    }
  }
  return out;
}

/** `x W + b` for rows x [rows, K], W [K, N] (at `wOff` in its array), b [N] (at `bOff`). */
function affine(x: Float64Array, rows: number, K: number, W: Float64Array, wOff: number, N: number, b: Float64Array | null, bOff: number): Float64Array {
  const out = new Float64Array(rows * N);
  for (let r = 0; r < rows; r++) {
    for (let n = 0; n < N; n++) {
      let s = b ? b[bOff + n]! : 0;
      for (let k = 0; k < K; k++) s += x[r * K + k]! * W[wOff + k * N + n]!;
      out[r * N + n] = s;
    }
  }
  return out;
}

/** Causal multi-head attention on one sequence's residual rows [T, D]; returns the attention output [T, D]. */
function attention(cfg: HookedTransformerConfig, w: Weights, l: number, x: Float64Array, T: number, qkPos: Float64Array | null): Float64Array {
  const { d_model: D, n_heads: H, d_head: E } = cfg;
  const p = `blocks.${l}.attn`;
  const [WQ, WK, WV, WO] = ['W_Q', 'W_K', 'W_V', 'W_O'].map((n) => get(w, `${p}.${n}`)) as [Float64Array, Float64Array, Float64Array, Float64Array];
  const [bQ, bK, bV] = ['b_Q', 'b_K', 'b_V'].map((n) => get(w, `${p}.${n}`)) as [Float64Array, Float64Array, Float64Array];
  const out = new Float64Array(T * D);
  const bO = get(w, `${p}.b_O`);
  for (let i = 0; i < T; i++) for (let d = 0; d < D; d++) out[i * D + d] = bO[d]!;
  // shortformer: the positional rows join only the queries' and keys' input
  const xqk = qkPos ? x.map((v, n) => v + qkPos[n]!) : x;
  for (let h = 0; h < H; h++) {
    const q = affine(xqk, T, D, WQ, h * D * E, E, bQ, h * E);
    const k = affine(xqk, T, D, WK, h * D * E, E, bK, h * E);
    const v = affine(x, T, D, WV, h * D * E, E, bV, h * E);
    const z = new Float64Array(T * E);
    for (let i = 0; i < T; i++) {
      const scores: number[] = [];
      for (let j = 0; j <= i; j++) {
        let s = 0;
        for (let e = 0; e < E; e++) s += q[i * E + e]! * k[j * E + e]!;
        scores.push(s / Math.sqrt(E));
      }
      const max = Math.max(...scores);
      const ex = scores.map((s) => Math.exp(s - max));
      const total = ex.reduce((a, b) => a + b, 0);
      for (let j = 0; j <= i; j++) for (let e = 0; e < E; e++) z[i * E + e]! += (ex[j]! / total) * v[j * E + e]!;
    }
    const headOut = affine(z, T, E, WO, h * E * D, D, null, 0);
    for (let n = 0; n < T * D; n++) out[n]! += headOut[n]!;
  }
  return out;
}

/**
 * Logits `[batch, pos, d_vocab_out]` (row-major, float64) of a TransformerLens-layout model on token ids:
 * embed + positional embed (shortformer: embed alone, position added to ln1's output for queries and keys), then per block `resid += attn(ln1(resid))` and `resid += mlp(ln2(resid))`,
 * then `ln_final(resid) W_U + b_U`.
 */
export function referenceForward(cfg: HookedTransformerConfig, w: Weights, tokens: readonly (readonly number[])[]): Float64Array {
  const { d_model: D, d_vocab_out: V } = cfg;
  const T = tokens[0]?.length ?? 0;
  const WE = get(w, 'embed.W_E');
  const Wpos = get(w, 'pos_embed.W_pos');
  const WU = get(w, 'unembed.W_U');
  const bU = get(w, 'unembed.b_U');
  const logits = new Float64Array(tokens.length * T * V);
  tokens.forEach((seq, b) => {
    if (seq.length !== T) throw new Error('referenceForward: sequences of different lengths');
    let resid = new Float64Array(T * D);
    const shortformer = cfg.positional_embedding_type === 'shortformer';
    const pos = Wpos.subarray(0, T * D);
    for (let i = 0; i < T; i++) for (let d = 0; d < D; d++) resid[i * D + d] = WE[seq[i]! * D + d]! + (shortformer ? 0 : Wpos[i * D + d]!);
    for (let l = 0; l < cfg.n_layers; l++) {
      const attnOut = attention(cfg, w, l, layerNorm(cfg, w, `blocks.${l}.ln1`, resid), T, shortformer ? pos : null);
      resid = resid.map((r, n) => r + attnOut[n]!);
      if (cfg.attn_only) continue;
      const F = cfg.d_mlp!;
      const p = `blocks.${l}.mlp`;
      const pre = affine(layerNorm(cfg, w, `blocks.${l}.ln2`, resid), T, D, get(w, `${p}.W_in`), 0, F, get(w, `${p}.b_in`), 0);
      const post = pre.map((x) => activation(cfg.act_fn, x));
      const mlpOut = affine(post, T, F, get(w, `${p}.W_out`), 0, D, get(w, `${p}.b_out`), 0);
      resid = resid.map((r, n) => r + mlpOut[n]!);
    }
    logits.set(affine(layerNorm(cfg, w, 'ln_final', resid), T, D, WU, 0, V, bU, 0), b * T * V);
  });
  return logits;
}

/** Log-softmax over the last axis of rows of width `V`. */
export function logSoftmax(logits: ArrayLike<number>, V: number): Float64Array {
  const out = new Float64Array(logits.length);
  for (let r = 0; r < logits.length; r += V) {
    let max = -Infinity;
    for (let v = 0; v < V; v++) max = Math.max(max, logits[r + v]!);
    let s = 0;
    for (let v = 0; v < V; v++) s += Math.exp(logits[r + v]! - max);
    const lse = max + Math.log(s);
    for (let v = 0; v < V; v++) out[r + v] = logits[r + v]! - lse;
  }
  return out;
}

/** Largest absolute elementwise difference. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`maxAbsDiff: lengths ${a.length} and ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** An integer `[batch, pos]` tensor (a fixture's `tokens`) as nested arrays, the form `referenceForward` takes. */
export function tokenRows(t: Tensor): number[][] {
  const [B, T] = t.shape as [number, number];
  return Array.from({ length: B }, (_, b) => Array.from({ length: T }, (_, i) => Number(t.data[b * T + i])));
}
