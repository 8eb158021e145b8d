export * from './accuracy.js';
export * from './attention.js';
export * from './pairs.js';
export * from './carries.js';
export * from './ablation.js';
export * from './analyze.js';
export * from './claims.js';
