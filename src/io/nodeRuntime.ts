import { ortRuntime, setRuntime, type Runtime } from '../engine/index.js';
import type { OrtModule } from '../engine/ortRuntime.js';

/**
 * The Node runtime. onnxruntime-node (native CPU kernels) is an optional dependency: on linux-x64 its install script
 * downloads CUDA binaries from outside the npm registry, and where that cannot finish npm leaves the package out.
 * Then circuitscope runs on onnxruntime-web's WebAssembly kernels in Node (the same kernels a browser runs; slower),
 * and `nativeRuntime` says so. Any other failure to load onnxruntime-node is raised, not hidden.
 */
interface Loaded { ort: OrtModule; native: boolean; wasm?: { numThreads?: number } }

function isMissingPackage(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && String((err as Error).message).includes('onnxruntime-node');
}

async function load(): Promise<Loaded> {
  try {
    return { ort: (await import('onnxruntime-node')) as unknown as OrtModule, native: true };
  } catch (err) {
    if (!isMissingPackage(err)) throw err;
    const web = await import('onnxruntime-web');
    return { ort: web as unknown as OrtModule, native: false, wasm: web.env.wasm };
  }
}

const loaded = await load();

/** The onnxruntime module in use (onnxruntime-node, or onnxruntime-web on the fallback), for a bare session. */
export const nodeOrt: OrtModule = loaded.ort;

/** True when onnxruntime-node's native kernels are in use; false on the WebAssembly fallback. */
export const nativeRuntime: boolean = loaded.native;

/** The Node runtime (onnxruntime-node, or onnxruntime-web's WASM kernels when onnxruntime-node is not installed). */
export function nodeRuntime(threads?: number): Runtime {
  if (!loaded.native) {
    if (threads && loaded.wasm) loaded.wasm.numThreads = threads;
    return ortRuntime(loaded.ort, { name: 'onnxruntime-web (wasm, onnxruntime-node not installed)' });
  }
  return ortRuntime(loaded.ort, { name: 'onnxruntime-node', preallocateOutputs: true, ...(threads ? { intraOpNumThreads: threads } : {}) });
}

let installed = false;
export function installNodeRuntime(): void {
  if (installed) return;
  setRuntime(nodeRuntime());
  installed = true;
}
