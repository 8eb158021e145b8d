export * from './fourier.js';
export * from './logits.js';
export * from './frequencies.js';
export * from './restrictedLoss.js';
export * from './weightNorm.js';
export * from './progressMeasures.js';
export * from './claims.js';
