import { HookedTransformer } from '../../model/hookedTransformer.js';
import { EdgeRunner, edgeAttributionPatching, inductionTask } from '../../analysis/discovery/index.js';
import { timeIt, type BenchResult } from './timing.js';

/** GPT-2 small's shapes with random weights (N(0, 0.02), as the peer's), gelu_new and no BOS token. */
export function gpt2EapModel(): HookedTransformer {
  return new HookedTransformer({
    n_layers: 12, d_model: 768, n_heads: 12, d_head: 64, d_mlp: 3072, d_vocab: 50257, n_ctx: 1024, act_fn: 'gelu_new',
    normalization_type: 'LN', init_range: 0.02, seed: 0, bos_token_id: null,
  });
}

/**
 * Issue 15's `gpt2-eap`: edge attribution patching over every edge of GPT-2 small's shapes (embed, 144 heads' q/k/v,
 * 12 MLPs, logits: 32,491 edges) for 8 prompts of 64 tokens (32 random tokens repeated, against another 32
 * repeated), metric the logit difference averaged over positions 32..62, through the library's EdgeRunner (a new
 * runner each time: both runs of the prompts, the backward pass and the scores). The peer does the same in
 * PyTorch (scripts/peer/eap_peer.py).
 */
export async function benchGpt2Eap(reps = 3): Promise<BenchResult> {
  const model = gpt2EapModel();
  const task = inductionTask(model.cfg, { batch: 8, length: 32, seed: 1 });
  const B = task.clean.length;
  const T = task.clean[0]!.length;
  let edges = 0;
  const ms = await timeIt(async () => {
    const scored = await edgeAttributionPatching(new EdgeRunner(model, task), 'logit_diff');
    edges = scored.filter((e) => e.score !== 0).length;
  }, reps, 1);
  model.clearCompiled();
  return {
    workload: 'gpt2-eap',
    config: `GPT-2 small shapes, EAP over every edge, batch ${B}x${T}, logit diff`,
    ms,
    tokens_per_s: (B * T) / (ms / 1000),
    edges,
  };
}
