/**
 * circuitscope's browser entry: the library API with onnxruntime-web as the engine's runtime (WASM with SIMD,
 * threads when the page is cross-origin isolated, WebGPU on request; see `installWebRuntime`), models from and to
 * files, and training in a Web Worker. Everything else is the same core as the Node entry's.
 */
import { setRuntime } from '../engine/runtime.js';
import { deferredWebRuntime } from './runtime.js';

setRuntime(deferredWebRuntime);

export { installWebRuntime, type WebRuntimeOptions, type WebRuntimeInfo } from './runtime.js';
export { loadModelFromFiles, saveModelToFiles, type ModelFileInput, type LoadFromFilesOptions } from './files.js';
export { loadGpt2Vocabulary } from './gpt2Vocabulary.js';
export { startTraining, type TrainingJob, type TrainingRequest, type TrainingEvent } from './training.js';

export * as engine from '../engine/index.js';
export type { Tensor, DType } from '../engine/index.js';
export { HookedTransformer, nextTokenLoss, type HookFn, type Metric, type NameFilter } from '../model/hookedTransformer.js';
export { ActivationCache } from '../model/activationCache.js';
export { validateConfig, ConfigError, type HookedTransformerConfig, type ConfigInput } from '../model/config.js';
export { hookNames } from '../model/hookPoints.js';
export type { Intervention } from '../model/interventions.js';
export { initWeights, weightShapes, type StateDict } from '../model/weights.js';
export { processWeights, type ProcessOptions } from '../model/processing.js';
export { parseSafetensors, serializeSafetensors } from '../model/safetensors.js';
export {
  readModelFiles, tokenizerFromFiles, modelToFiles, checkpointToFiles, type ModelFiles, type LoadedModel,
} from '../model/import/modelFiles.js';
export * as analysis from '../analysis/index.js';
export {
  detectHeads, copyingScores, compositionScores, layerCircuits, skipTrigrams, positionalQK, termImportance, logitLens,
  directLogitAttribution, headAblationEffects, activationPatching, logitDiff, compareBigrams, FactoredMatrix,
  analyzeModel, ANALYSIS_SCHEMA, type AnalysisReport,
} from '../analysis/index.js';
export * as tokenize from '../tokenize/index.js';
export * as data from '../data/index.js';
export { train, type TrainConfig, type MetricsRecord, type Checkpoint, type TrainHooks, type TrainOutcome, type BatchSource } from '../train/trainer.js';
export { PRESETS, getPreset, type Preset } from '../train/presets.js';
export { parseTrainerState, serializeTrainerState } from '../train/checkpoint.js';
