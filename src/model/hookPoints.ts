import { input } from '../engine/index.js';
import type { HookedTransformerConfig } from './config.js';
import {
  ATTENTION_HOOKS, BLOCK_HOOKS, EMBED_HOOKS, LAYER_NORM_HOOKS, MLP_HOOKS, type Axis, type HookHandler, type WeightNodes,
} from './components/index.js';
import { forward } from './forward.js';
import { weightShapes } from './weights.js';

const namesByConfig = new Map<string, readonly string[]>();

/**
 * Every hook point a model of this config has, in the order the forward pass reaches them, with TransformerLens's
 * names: read off the forward pass itself (built once per config with a handler that records every name and
 * wants everything, `hook_result` included).
 */
export function hookNames(cfg: HookedTransformerConfig): string[] {
  const key = JSON.stringify(cfg);
  let names = namesByConfig.get(key);
  if (!names) {
    const seen: string[] = [];
    const recorder: HookHandler = { wants: () => true, at: (n, x) => { seen.push(n); return x; } };
    const w: Record<string, ReturnType<typeof input>> = {};
    for (const [k, shape] of Object.entries(weightShapes(cfg))) w[k] = input(k, shape);
    forward(cfg, w as WeightNodes, input('tokens', [1, Math.min(2, cfg.n_ctx)], 'int64'), recorder);
    names = seen;
    namesByConfig.set(key, names);
    if (namesByConfig.size > 32) namesByConfig.delete(namesByConfig.keys().next().value as string);
  }
  return [...names];
}

const AXES: Readonly<Record<string, readonly Axis[]>> = {
  ...EMBED_HOOKS, ...BLOCK_HOOKS, ...LAYER_NORM_HOOKS, ...ATTENTION_HOOKS, ...MLP_HOOKS,
};

/** TransformerLens's axes of the activation at a hook point, as its component declares them. */
export function activationAxes(name: string): readonly Axis[] {
  const leaf = name.slice(name.lastIndexOf('.') + 1);
  const axes = AXES[leaf];
  if (!axes) throw new Error(`unknown hook point ${name}`);
  return axes;
}

/** Where the head and position axes of an activation are (for ablations and patching by head or position). */
export function hookAxes(name: string): { head: number | null; pos: number; dims: number } {
  const axes = activationAxes(name);
  const head = axes.indexOf('head_index');
  const pos = axes.includes('pos') ? axes.indexOf('pos') : axes.indexOf('query_pos');
  return { head: head < 0 ? null : head, pos, dims: axes.length };
}

/** The layer a hook name belongs to, or -1 for embeddings and ln_final. */
export function hookLayer(name: string): number {
  const m = /^blocks\.(\d+)\./.exec(name);
  return m ? Number(m[1]) : name.startsWith('ln_final') ? Infinity : -1;
}
