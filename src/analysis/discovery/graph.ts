import type { HookedTransformerConfig } from '../../model/config.js';
import { headId } from '../../model/heads.js';

/**
 * The computational graph at head granularity, as ACDC, EAP and auto-circuit draw it. Writers put their output
 * into the residual stream: `embed` (token and positional embeddings), each head `L{l}H{h}`, each MLP `mlp{l}`.
 * Readers take the sum of the earlier writers' outputs as their input: each head's `L{l}H{h}.q`, `.k`, `.v`, each
 * `mlp{l}` and the `logits`. There is an edge from every writer to every later reader.
 */
export interface CircuitGraph {
  readonly writers: readonly string[];
  readonly readers: readonly string[];
  /** For each reader, how many writers (a prefix of `writers`) feed it. */
  readonly fanIn: readonly number[];
  readonly edges: readonly Edge[];
}

export interface Edge {
  readonly from: string;
  readonly to: string;
  /** Index into `writers`. */
  readonly w: number;
  /** Index into `readers`. */
  readonly r: number;
}

/** A block of readers that share their writers: a layer's q/k/v inputs (3 x n_heads, q then k then v), an MLP, the logits. */
export interface ReaderGroup {
  kind: 'qkv' | 'mlp' | 'logits';
  layer: number;
  /** First reader index and count. */
  start: number;
  count: number;
  /** Writers feeding every reader of the group (a prefix). */
  fanIn: number;
}

export function buildGraph(cfg: Pick<HookedTransformerConfig, 'n_layers' | 'n_heads' | 'attn_only'>): CircuitGraph & { groups: ReaderGroup[] } {
  const writers = ['embed'];
  const readers: string[] = [];
  const fanIn: number[] = [];
  const groups: ReaderGroup[] = [];
  const H = cfg.n_heads;
  for (let l = 0; l < cfg.n_layers; l++) {
    const heads = Array.from({ length: H }, (_, h) => headId(cfg, l, h).label);
    groups.push({ kind: 'qkv', layer: l, start: readers.length, count: 3 * H, fanIn: writers.length });
    for (const s of ['q', 'k', 'v']) for (const h of heads) { readers.push(`${h}.${s}`); fanIn.push(writers.length); }
    writers.push(...heads);
    if (!cfg.attn_only) {
      groups.push({ kind: 'mlp', layer: l, start: readers.length, count: 1, fanIn: writers.length });
      readers.push(`mlp${l}`);
      fanIn.push(writers.length);
      writers.push(`mlp${l}`);
    }
  }
  groups.push({ kind: 'logits', layer: cfg.n_layers, start: readers.length, count: 1, fanIn: writers.length });
  readers.push('logits');
  fanIn.push(writers.length);
  const edges: Edge[] = [];
  readers.forEach((to, r) => { for (let w = 0; w < fanIn[r]!; w++) edges.push({ from: writers[w]!, to, w, r }); });
  return { writers, readers, fanIn, edges, groups };
}

/** `from->to`, the key of an edge. */
export function edgeKey(e: { from: string; to: string }): string {
  return `${e.from}->${e.to}`;
}

/** The writer a reader belongs to (`L1H0.k` -> `L1H0`, `mlp0` -> `mlp0`), or null for the logits. */
export function readerOwner(reader: string): string | null {
  if (reader === 'logits') return null;
  const dot = reader.indexOf('.');
  return dot < 0 ? reader : reader.slice(0, dot);
}
