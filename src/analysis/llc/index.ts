export { estimateLLC, defaultNbeta, LLC_DEFAULTS, type LLCData, type LLCOptions, type LLCResult } from './estimate.js';
export { diagnoseChain, chainWarnings, trend, type ChainDiagnostics } from './diagnostics.js';
export { SgldStep, type SamplingModel, type SgldHyper, type SgldStepResult, type ParamTensors } from '../../train/sgld.js';
