/**
 * What each view of the UI shows, computed from a model as plain JSON-ready data: the live app's worker, the
 * report and notebooks call the same functions.
 */
export * from './prompt.js';
export * from './heads.js';
export * from './attribution.js';
export * from './patching.js';
export * from './neurons.js';
export * from './bigrams.js';
export * from './framework.js';
export * from './discovery.js';
