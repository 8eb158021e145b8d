import type { HookedTransformerConfig } from './config.js';

/** One attention head: its layer, its index within the layer, its flat index over the model and its label. */
export interface HeadId {
  readonly layer: number;
  readonly head: number;
  /** `layer * n_heads + head`: the head's row in stacked `[n_layers * n_heads, ...]` arrays (layer-major). */
  readonly index: number;
  /** TransformerLens's `L1H0` style. */
  readonly label: string;
}

/** Head `head` of layer `layer`, checked against the config. */
export function headId(cfg: Pick<HookedTransformerConfig, 'n_layers' | 'n_heads'>, layer: number, head: number): HeadId {
  if (!Number.isInteger(layer) || layer < 0 || layer >= cfg.n_layers) throw new Error(`layer ${layer} is out of range 0..${cfg.n_layers - 1}`);
  if (!Number.isInteger(head) || head < 0 || head >= cfg.n_heads) throw new Error(`head ${head} is out of range 0..${cfg.n_heads - 1}`);
  return { layer, head, index: layer * cfg.n_heads + head, label: `L${layer}H${head}` };
}

/** The head at flat index `index` (`layer * n_heads + head`). */
export function headAt(cfg: Pick<HookedTransformerConfig, 'n_layers' | 'n_heads'>, index: number): HeadId {
  return headId(cfg, Math.floor(index / cfg.n_heads), index % cfg.n_heads);
}

/** Every head of the model, layer by layer. */
export function allHeads(cfg: Pick<HookedTransformerConfig, 'n_layers' | 'n_heads'>): HeadId[] {
  return Array.from({ length: cfg.n_layers * cfg.n_heads }, (_, i) => headAt(cfg, i));
}

/** Parses an `L1H0` label, checked against the config. */
export function parseHead(cfg: Pick<HookedTransformerConfig, 'n_layers' | 'n_heads'>, label: string): HeadId {
  const m = /^L(\d+)H(\d+)$/.exec(label.trim());
  if (!m) throw new Error(`head "${label}" is not of the form L<layer>H<head> (e.g. L1H0)`);
  return headId(cfg, Number(m[1]), Number(m[2]));
}
