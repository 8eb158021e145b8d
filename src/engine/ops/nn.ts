import { apply, constant, defineOp, shapeStr, type Node } from '../graph.js';
import type { DType } from '../dtype.js';
import type { Tensor } from '../tensor.js';
import { add, div, erf, exp, fill, mul, pow, sqrt, sub, tanh } from './elementwise.js';
import { reduceMean } from './reduce.js';
import { unsqueeze } from './layout.js';
import { scatterElementsAdd } from './indexing.js';
import { logSoftmax, softmax } from './softmax.js';

/** The pieces of TransformerLens's LayerNorm, so that `hook_scale` and `hook_normalized` can be read. */
export interface LayerNormParts {
  /** sqrt(mean((x - mean x)^2) + eps), shape `[..., 1]`. */
  scale: Node;
  /** (x - mean x) / scale * w + b (without w, b when they are not given: LNPre). */
  normalized: Node;
}

/** LayerNorm over the last axis: centre, divide by `sqrt(mean(x^2) + eps)`, then `* w + b` when given. */
export function layerNorm(x: Node, w: Node | null, b: Node | null, eps = 1e-5): LayerNormParts {
  const centred = sub(x, reduceMean(x, -1, true));
  const scale = sqrt(add(reduceMean(mul(centred, centred), -1, true), eps));
  let normalized = div(centred, scale);
  if (w) normalized = mul(normalized, w);
  if (b) normalized = add(normalized, b);
  return { scale, normalized };
}

/**
 * Exact GELU: 0.5 x (1 + erf(x / sqrt 2)), built in the order onnxruntime's GeluFusion recognises (Div by sqrt 2,
 * Erf, Add 1, Mul x, Mul 0.5), so a forward pass runs one fused Gelu kernel instead of five elementwise passes.
 */
export function gelu(x: Node): Node {
  return mul(mul(x, add(erf(div(x, Math.SQRT2)), 1)), 0.5);
}

/** GPT-2's gelu_new: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). */
export function geluTanh(x: Node): Node {
  const inner = mul(add(x, mul(pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
  return mul(mul(x, 0.5), add(tanh(inner), 1));
}

/**
 * Next-token cross-entropy from logits `[..., V]` and integer targets `[...]`: `-log softmax(logits)[target]` per
 * position; `mean` averages it over all positions.
 */
export function crossEntropy(logits: Node, targets: Node, reduction: 'mean' | 'none' = 'mean'): Node {
  if (logits.shape.length !== targets.shape.length + 1 || targets.shape.some((d, i) => d !== logits.shape[i])) {
    throw new Error(`crossEntropy: targets ${shapeStr(targets.shape)} do not match logits ${shapeStr(logits.shape)} (expected the logits' shape without the last axis)`);
  }
  const perToken = apply('softmaxCrossEntropy', [logits, targets, logSoftmax(logits, -1)]);
  return reduction === 'mean' ? reduceMean(perToken) : perToken;
}

// -log softmax(logits)[target] per position, as one op so that its gradient is the fused softmax(logits) - onehot
// (one pass over [positions, vocab]) rather than a scatter into zeros followed by log-softmax's own backward.
// An optional third input is logSoftmax(logits) itself (crossEntropy passes it): the loss picks from it, and the
// gradient takes softmax(logits) as its exp (one pass) rather than computing a Softmax again (three). The adjoint
// goes to the logits alone; that input only shares the forward's work.
defineOp('softmaxCrossEntropy', {
  infer: ([logits, targets, ls]) => {
    if (targets!.dtype !== 'int64' && targets!.dtype !== 'int32') throw new Error(`targets must be integers, got ${targets!.dtype}`);
    if (ls && (ls.op !== 'logSoftmax' || ls.inputs[0] !== logits || ls.attrs['axis'] !== logits!.shape.length - 1)) {
      throw new Error('the third input must be logSoftmax(logits) over the last axis');
    }
    return { shape: targets!.shape, dtype: logits!.dtype };
  },
  lower: (ctx, _n, [logits, targets, logProbs]) => {
    const ls = logProbs ?? ctx.emit('LogSoftmax', [logits!], { axis: -1 })[0]!;
    const idx = ctx.emit('Unsqueeze', [targets!, ctx.int64([-1])])[0]!;
    const picked = ctx.emit('GatherElements', [ls, idx], { axis: -1 })[0]!;
    return ctx.emit('Neg', [ctx.emit('Squeeze', [picked, ctx.int64([-1])])[0]!])[0]!;
  },
  vjp: (n, g) => {
    const [logits, targets, ls] = n.inputs as [Node, Node, Node | undefined];
    const idx = unsqueeze(targets, -1);
    const p = ls ? exp(ls) : softmax(logits, -1);
    const pMinusOnehot = scatterElementsAdd(p, idx, fill(-1, idx.shape, logits.dtype), -1);
    return [mul(pMinusOnehot, unsqueeze(g, -1)), undefined, undefined];
  },
});

/** Sets entries above the diagonal of the last two axes (source after destination) to -infinity. */
export function causalMask(scores: Node): Node {
  const t = scores.shape[scores.shape.length - 1]!;
  const q = scores.shape[scores.shape.length - 2]!;
  // An additive 0 / -inf bias rather than Where: onnxruntime's broadcasting Where is several times slower than
  // Add on [batch, head, pos, pos], and the bias needs no gradient of its own.
  return add(scores, maskConstant(q, t, scores.dtype));
}

// One mask node per shape, so a 12-layer graph carries one initializer, not twelve.
const masks = new Map<string, Node>();
function maskConstant(q: number, t: number, dtype: DType): Node {
  const key = `${q}x${t}${dtype}`;
  let m = masks.get(key);
  if (!m) {
    const bias = dtype === 'float64' ? new Float64Array(q * t) : new Float32Array(q * t);
    // Query i sits at absolute position i + (t - q) when the queries are the last q of t positions.
    for (let i = 0; i < q; i++) for (let j = 0; j < t; j++) bias[i * t + j] = j <= i + (t - q) ? 0 : -Infinity;
    m = constant({ dtype, shape: [q, t], data: bias } as Tensor);
    if (masks.size > 64) masks.clear();
    masks.set(key, m);
  }
  return m;
}
