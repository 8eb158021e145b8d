/**
 * circuitscope's Node entry point: the library API with onnxruntime-node installed as the engine's runtime.
 * (A browser entry will install onnxruntime-web instead; everything else is shared.)
 */
import { installNodeRuntime } from './io/nodeRuntime.js';

installNodeRuntime();

export * as engine from './engine/index.js';
export type { Tensor, DType } from './engine/index.js';
export { HookedTransformer, nextTokenLoss, type HookFn, type Metric, type NameFilter } from './model/hookedTransformer.js';
export { ActivationCache } from './model/activationCache.js';
export { validateConfig, ConfigError, type HookedTransformerConfig, type ConfigInput } from './model/config.js';
export { hookNames } from './model/hookPoints.js';
export type { Intervention } from './model/interventions.js';
export { initWeights, weightShapes, type StateDict } from './model/weights.js';
