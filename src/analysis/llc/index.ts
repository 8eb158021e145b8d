export { estimateLLC, defaultNbeta, LLC_DEFAULTS, type LLCData, type LLCOptions, type LLCResult } from './estimate.js';
export { diagnoseChain, chainWarnings, trend, type ChainDiagnostics } from './diagnostics.js';
export { SgldStep, type SamplingModel, type SgldHyper, type SgldStepResult, type ParamTensors } from '../../train/sgld.js';
export { findStages, smoothOverLogStep, logStep, type SeriesPoint, type StageBoundary, type StageOptions, type Stages } from './stages.js';
export { inductionStageReport, inductionScoreSeries, inductionRise, inductionWindow, stageCheckpoints, type InductionRise, type InductionStageReport, type InductionWindow } from './inductionStages.js';
export { transformerSamplingModel, estimateTransformerLLC, restrictVocabulary, tokenWindowBatches, type TokenBatches } from './transformer.js';
export { llcOverTraining, type LLCCheckpoint, type LLCOverTrainingOptions, type LLCPoint, type LLCOverTraining } from './overTraining.js';
export { inductionStageClaims, LLC_RISES_CLAIM, LLC_STAGE_CLAIM, type InductionStageEvidence } from './inductionClaims.js';
