export {
  adamw, adamwStepFeeds, adamwStepInputs, momentInputs, ADAMW_DEFAULTS,
  type AdamWConfig, type AdamWHyper, type AdamWStepScalars, type AdamWUpdate,
} from './adamw.js';
export { clipGradNorm, type ClippedGradients } from './clip.js';
