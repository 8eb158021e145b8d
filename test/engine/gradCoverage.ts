/**
 * Which test file checks which op's gradient rule against finite differences. grad-coverage.test.ts fails when
 * an op with a `vjp` in the registry is in no list (add a gradcheck and name the op here); each grad test file
 * ends with `assertGradchecked(file)`, which fails when its gradchecks never differentiate through an op listed
 * for it.
 */
export const GRADCHECKED = {
  'grad-elementwise': [
    'add', 'sub', 'mul', 'div', 'pow', 'maximum', 'neg', 'exp', 'log', 'sqrt', 'tanh', 'erf', 'relu', 'sigmoid', 'abs',
    'reciprocal', 'where', 'cast',
  ],
  'grad-layout': ['reshape', 'transpose', 'slice', 'pad', 'concat', 'expand'],
  'grad-reduce-matmul': ['reduceSum', 'reduceMean', 'reduceMax', 'matmul'],
  'grad-indexing': ['gather', 'gatherElements', 'gatherND', 'scatterNDAdd', 'scatterElementsAdd'],
  'grad-nn': ['softmax', 'logSoftmax', 'softmaxCrossEntropy'],
} as const satisfies Record<string, readonly string[]>;
