import * as ort from 'onnxruntime-node';
import { ortRuntime, setRuntime, type Runtime } from '../engine/index.js';
import type { OrtModule } from '../engine/ortRuntime.js';

/** The onnxruntime-node runtime (CPU), installed as the engine's runtime when the Node entry point loads. */
export function nodeRuntime(threads?: number): Runtime {
  return ortRuntime(ort as unknown as OrtModule, { name: 'onnxruntime-node', ...(threads ? { intraOpNumThreads: threads } : {}) });
}

let installed = false;
export function installNodeRuntime(): void {
  if (installed) return;
  setRuntime(nodeRuntime());
  installed = true;
}
