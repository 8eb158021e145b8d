/** Small dense linear algebra in float64, pure TypeScript (Node and browser alike). */
export * from './matrix.js';
export * from './products.js';
export { qr, type QR } from './qr.js';
export { svd, type SVD } from './svd.js';
export { symmetricEigen, type SymmetricEigen } from './symmetricEigen.js';
export { eigenvalues, type ComplexArray } from './eigenvalues.js';
export { topKEntries, TopKSelector, type MatrixEntry, type TopKOrder } from './topK.js';
