/**
 * The benchmark page's worker: DESIGN.md's toy-train workload (the trainer's own step, src/cli/bench/toyTrain.ts,
 * which is core code) on onnxruntime-web with the thread count the page asks for.
 */
import { benchToyTrain } from '../../cli/bench/toyTrain.js';
import { installWebRuntime } from '../runtime.js';

interface Scope { postMessage(m: unknown): void; onmessage: ((e: MessageEvent<{ threads: number; reps: number }>) => void) | null }
const scope = globalThis as unknown as Scope;

scope.onmessage = (e) => {
  void (async () => {
    try {
      const info = await installWebRuntime({ numThreads: e.data.threads });
      const r = await benchToyTrain(e.data.reps);
      scope.postMessage({ ...r, runtime: info.runtime.name, threads: info.threads });
    } catch (err) {
      scope.postMessage({ error: (err as Error).message });
    }
  })();
};
