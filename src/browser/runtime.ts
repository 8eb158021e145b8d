/**
 * onnxruntime-web as the engine's runtime: the WASM-only build (SIMD; threads when the page is cross-origin
 * isolated), or its WebGPU execution provider when the browser has one and it is asked for. The .wasm/.mjs files
 * are found next to this bundle unless `wasmPaths` says where.
 */
import * as ortWasm from 'onnxruntime-web/wasm';
import { ortRuntime, setRuntime, type OrtModule, type Runtime } from '../engine/index.js';

export interface WebRuntimeOptions {
  /**
   * Where onnxruntime-web's `ort-wasm-simd-threaded.{mjs,wasm}` live: a URL prefix ending in `/`. Default: beside
   * the module that imports onnxruntime-web (in the prebuilt bundle, beside `circuitscope.js`).
   */
  wasmPaths?: string;
  /**
   * Threads for onnxruntime's kernels. Default: every core (`navigator.hardwareConcurrency`) when the page is
   * cross-origin isolated, else 1 (threads need SharedArrayBuffer, which needs COOP/COEP). onnxruntime-web's own
   * default is half the cores, so it is always set explicitly here.
   */
  numThreads?: number;
  /** Use the WebGPU execution provider when `navigator.gpu` has an adapter (falls back to WASM otherwise). */
  webgpu?: boolean;
}

/** What was installed. */
export interface WebRuntimeInfo {
  runtime: Runtime;
  backend: 'wasm' | 'webgpu';
  threads: number;
  crossOriginIsolated: boolean;
}

interface Env { wasm: { numThreads?: number; simd?: boolean | 'fixed' | 'relaxed'; wasmPaths?: unknown; proxy?: boolean } }

let installed: Promise<WebRuntimeInfo> | null = null;
let installedWith = '';

/**
 * Installs onnxruntime-web as the runtime every compiled graph runs on. onnxruntime-web initialises its
 * WebAssembly once per page or worker, so options can be given once, before the first model runs (importing the
 * browser entry installs a runtime that calls this with the defaults when the first graph is compiled); calling it
 * again with other options is an error. Run models in a Web Worker: on the main thread onnxruntime busy-waits and
 * the page stops responding while it computes.
 */
export function installWebRuntime(opts: WebRuntimeOptions = {}): Promise<WebRuntimeInfo> {
  const key = JSON.stringify(opts);
  if (installed && key !== installedWith && key !== '{}') {
    throw new Error(`installWebRuntime: onnxruntime-web is already set up (${installedWith}); give options once, before the first model runs`);
  }
  if (!installed) {
    installedWith = key;
    installed = install(opts);
  }
  return installed;
}

/** A runtime that installs onnxruntime-web with the defaults (or the options already given) on first use. */
export const deferredWebRuntime: Runtime = {
  name: 'onnxruntime-web',
  createSession: async (model) => (await installWebRuntime()).runtime.createSession(model),
};

async function install(opts: WebRuntimeOptions): Promise<WebRuntimeInfo> {
  const isolated = globalThis.crossOriginIsolated === true;
  const cores = typeof navigator !== 'undefined' && navigator.hardwareConcurrency > 0 ? navigator.hardwareConcurrency : 1;
  const threads = isolated ? Math.max(1, Math.floor(opts.numThreads ?? cores)) : 1;
  if (opts.numThreads !== undefined && opts.numThreads > 1 && !isolated) {
    throw new Error(`installWebRuntime: numThreads ${opts.numThreads} needs a cross-origin isolated page (serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)`);
  }
  let ort: OrtModule & { env: Env } = ortWasm as unknown as OrtModule & { env: Env };
  let backend: 'wasm' | 'webgpu' = 'wasm';
  if (opts.webgpu && (await hasWebGpu())) {
    // A separate chunk (and a larger .wasm): only pages that ask for WebGPU load it.
    ort = (await import('onnxruntime-web/webgpu')) as unknown as OrtModule & { env: Env };
    backend = 'webgpu';
  }
  ort.env.wasm.numThreads = threads;
  ort.env.wasm.simd = true;
  ort.env.wasm.proxy = false;
  if (opts.wasmPaths !== undefined) ort.env.wasm.wasmPaths = opts.wasmPaths;
  const runtime = ortRuntime(ort, {
    name: `onnxruntime-web (${backend}, ${threads} thread${threads === 1 ? '' : 's'})`,
    sessionOptions: { executionProviders: backend === 'webgpu' ? ['webgpu', 'wasm'] : ['wasm'] },
  });
  setRuntime(runtime);
  return { runtime, backend, threads, crossOriginIsolated: isolated };
}

async function hasWebGpu(): Promise<boolean> {
  const gpu = (globalThis.navigator as { gpu?: { requestAdapter(): Promise<unknown> } } | undefined)?.gpu;
  if (!gpu) return false;
  try {
    return (await gpu.requestAdapter()) !== null;
  } catch {
    return false;
  }
}
