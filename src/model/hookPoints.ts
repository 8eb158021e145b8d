import type { HookedTransformerConfig } from './config.js';

/**
 * Every hook point a model of this config has, in the order the forward pass reaches them, with
 * TransformerLens's names.
 */
export function hookNames(cfg: HookedTransformerConfig): string[] {
  const names = ['hook_embed', 'hook_pos_embed'];
  const ln = cfg.normalization_type !== null;
  for (let l = 0; l < cfg.n_layers; l++) {
    const p = `blocks.${l}`;
    names.push(`${p}.hook_resid_pre`);
    if (ln) names.push(`${p}.ln1.hook_scale`, `${p}.ln1.hook_normalized`);
    names.push(`${p}.attn.hook_q`, `${p}.attn.hook_k`, `${p}.attn.hook_v`, `${p}.attn.hook_attn_scores`,
      `${p}.attn.hook_pattern`, `${p}.attn.hook_z`, `${p}.attn.hook_result`, `${p}.hook_attn_out`);
    if (!cfg.attn_only) {
      names.push(`${p}.hook_resid_mid`);
      if (ln) names.push(`${p}.ln2.hook_scale`, `${p}.ln2.hook_normalized`);
      names.push(`${p}.mlp.hook_pre`, `${p}.mlp.hook_post`, `${p}.hook_mlp_out`);
    }
    names.push(`${p}.hook_resid_post`);
  }
  if (ln) names.push('ln_final.hook_scale', 'ln_final.hook_normalized');
  return names;
}

/** Where the head and position axes of an activation are (for ablations and patching by head or position). */
export function hookAxes(name: string): { head: number | null; pos: number; dims: number } {
  const leaf = name.slice(name.lastIndexOf('.') + 1);
  switch (leaf) {
    case 'hook_q': case 'hook_k': case 'hook_v': case 'hook_z': case 'hook_result':
      return { head: 2, pos: 1, dims: 4 }; // [batch, pos, head, d]
    case 'hook_attn_scores': case 'hook_pattern':
      return { head: 1, pos: 2, dims: 4 }; // [batch, head, dest, src]
    default:
      return { head: null, pos: 1, dims: 3 }; // [batch, pos, d]
  }
}

/** The layer a hook name belongs to, or -1 for embeddings and ln_final. */
export function hookLayer(name: string): number {
  const m = /^blocks\.(\d+)\./.exec(name);
  return m ? Number(m[1]) : name.startsWith('ln_final') ? Infinity : -1;
}
