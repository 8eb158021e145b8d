import type { Tensor } from './tensor.js';

/**
 * The one seam between the engine and an ONNX runtime. `onnxruntime-node` provides it in Node (src/io), and
 * `onnxruntime-web` will in the browser; the engine itself imports neither.
 */
export interface Runtime {
  readonly name: string;
  /**
   * Programs hand this runtime a fresh host buffer for every output, to be written in place. onnxruntime-node
   * otherwise writes an output into its own memory and copies it to JavaScript: a third of a 1024x768x3072
   * MatMul's time.
   */
  readonly preallocateOutputs?: boolean;
  createSession(model: Uint8Array): Promise<RuntimeSession>;
}

export interface RuntimeSession {
  /**
   * Runs the model. `outputs` lists the outputs wanted; `preallocated` may give host tensors to write some of
   * them into (the runtime fills them in place when it can).
   */
  run(feeds: Readonly<Record<string, Tensor>>, outputs: readonly string[], preallocated?: Readonly<Record<string, Tensor>>): Promise<Record<string, Tensor>>;
  release(): Promise<void>;
}

let current: Runtime | undefined;

/** Installs the runtime every compiled graph runs on (the Node entry point installs onnxruntime-node). */
export function setRuntime(r: Runtime): void {
  current = r;
}

export function getRuntime(): Runtime {
  if (!current) {
    throw new Error('no ONNX runtime installed: import circuitscope from its Node entry, or call setRuntime() in the browser');
  }
  return current;
}
