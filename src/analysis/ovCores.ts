import { compile, input, matmul, type Tensor } from '../engine/index.js';
import type { HookedTransformer } from '../model/hookedTransformer.js';
import { stackHeads } from '../model/weightViews.js';

/**
 * The d_head x d_head cores of every head's full OV circuit: core_h = W_O^h W_U W_E W_V^h, `[n_layers * n_heads,
 * d_head, d_head]` (layer-major). The full circuit W_E W_V^h W_O^h W_U is d_vocab x d_vocab, but by cyclic
 * permutation its non-zero eigenvalues are exactly the core's, so copying scores never touch a vocab-sized matrix;
 * the one large product, W_U W_E (d_model x d_model), is shared by all heads.
 */
export async function ovCores(model: HookedTransformer): Promise<Tensor<'float32'>> {
  const { n_layers: L, n_heads: H, d_model: D, d_head: E, d_vocab: V } = model.cfg;
  if (model.cfg.d_vocab_out !== V) throw new Error('ovCores: the full OV circuit needs d_vocab_out = d_vocab');
  const n = L * H;
  const WE = input('W_E', [V, D]);
  const WU = input('W_U', [D, V]);
  const WV = input('W_V', [n, D, E]);
  const WO = input('W_O', [n, E, D]);
  const core = matmul(matmul(WO, matmul(WU, WE)), WV);
  const r = await compile({ core }).run({
    W_E: model.weights['embed.W_E']!, W_U: model.weights['unembed.W_U']!, W_V: stackHeads(model.cfg, model.weights, 'attn.W_V'), W_O: stackHeads(model.cfg, model.weights, 'attn.W_O'),
  });
  return r.core as Tensor<'float32'>;
}
