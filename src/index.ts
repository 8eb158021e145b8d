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
export { loadModel, type LoadOptions } from './io/loadModel.js';
export { processWeights, type ProcessOptions } from './model/processing.js';
export { compareLogits, referenceLogits, referenceTokens, type ParityReport, type PositionParity } from './model/import/parity.js';
export { importModel, HF_MODEL_TYPES, type ModelFormat } from './model/import/index.js';
export * as analysis from './analysis/index.js';
export { detectHeads } from './analysis/detectors.js';
export { copyingScores } from './analysis/copying.js';
export { compositionScores } from './analysis/composition.js';
export { layerCircuits, skipTrigrams, positionalQK } from './analysis/circuits.js';
export { termImportance } from './analysis/termImportance.js';
export { logitLens } from './analysis/logitLens.js';
export { directLogitAttribution } from './analysis/attribution.js';
export { headAblationEffects } from './analysis/ablation.js';
export { activationPatching, logitDiff } from './analysis/patching.js';
export { compareBigrams } from './analysis/bigram.js';
export {
  estimateLLC, estimateTransformerLLC, llcOverTraining, findStages, inductionStageReport, tokenWindowBatches, transformerSamplingModel,
  defaultNbeta, LLC_DEFAULTS, SgldStep, type LLCResult, type LLCOptions, type LLCData, type SamplingModel, type LLCOverTraining,
  type InductionStageReport, type Stages,
} from './analysis/llc/index.js';
export { essentialDynamics, probeOutputs, type EssentialDynamics } from './analysis/essentialDynamics.js';
export * as grokking from './analysis/grokking/index.js';
export * as addition from './analysis/addition/index.js';
export { analyzeOverTraining, OVER_TRAINING_ANALYSES, type OverTrainingResult, type OverTrainingAnalysis } from './analysis/overTraining.js';
export { analyzeRunOverTraining } from './io/overTrainingRun.js';
export { listCheckpoints, checkpointDir } from './io/checkpoints.js';
export { checkpointSteps, parseCheckpointSchedule, type CheckpointSchedule } from './train/checkpointSchedule.js';
export { FactoredMatrix } from './linalg/factored.js';
export { analyzeModel, ANALYSIS_SCHEMA, type AnalysisReport } from './analysis/analyzeModel.js';
export * as tokenize from './tokenize/index.js';
export { train, type TrainConfig, type MetricsRecord } from './train/trainer.js';
export { PRESETS, getPreset } from './train/presets.js';
export * as fragments from './ui/fragments.js';
export { installUiBundle } from './io/uiBundle.js';
export * as views from './analysis/views/index.js';
