import { clearSessions, getRuntime, ortRuntime, setRuntime, type OrtModule } from '../../engine/index.js';
import type { BenchResult } from './timing.js';

/**
 * Runs a workload on onnxruntime-web's WASM backend (its Node build: the same WebAssembly kernels a browser runs,
 * without the browser) with `threads` threads set explicitly, then puts the previous runtime back. Sessions are
 * cleared on both sides so neither runtime reuses the other's.
 */
export async function onWebRuntime(run: () => Promise<BenchResult>, threads: number): Promise<BenchResult> {
  const ort = await import('onnxruntime-web');
  const previous = getRuntime();
  ort.env.wasm.numThreads = threads;
  ort.env.wasm.simd = true;
  setRuntime(ortRuntime(ort as unknown as OrtModule, { name: `onnxruntime-web (wasm, ${threads} threads)` }));
  clearSessions();
  try {
    const r = await run();
    return { ...r, runtime: 'web', threads };
  } finally {
    clearSessions();
    setRuntime(previous);
  }
}

/** The web result beside the native one: tokens/s (or speed) of web over native; 1 is parity. */
export function webRatio(native: BenchResult, web: BenchResult): Record<string, unknown> {
  return { workload: native.workload, runtime: 'web / native', native_ms: native.ms, web_ms: web.ms, ratio: native.ms / web.ms, threads: web['threads'] };
}
