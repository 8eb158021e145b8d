/**
 * The transformer's components, as TransformerLens's `components/`: each declares its hook points (with their
 * axes) and its weights (with their shapes) beside its forward, and the forward pass, the weight table, the hook
 * table and the analyses all use them, so a component is written once.
 */
export * from './hooks.js';
export * from './layerNorm.js';
export * from './embed.js';
export * from './rotary.js';
export * from './attention.js';
export * from './mlp.js';
export * from './unembed.js';
export * from './block.js';
