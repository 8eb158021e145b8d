import type { InferenceSession, Tensor as OrtTensor } from 'onnxruntime-common';
import type { DType } from './dtype.js';
import type { Tensor } from './tensor.js';
import type { Runtime, RuntimeSession } from './runtime.js';

/** The parts of an onnxruntime module (node or web: both share onnxruntime-common's API) that the engine uses. */
export interface OrtModule {
  InferenceSession: { create(model: Uint8Array, options?: InferenceSession.SessionOptions): Promise<InferenceSession> };
  Tensor: new (type: OrtTensor.Type, data: OrtTensor.DataType, dims?: readonly number[]) => OrtTensor;
}

export interface OrtOptions {
  /** Threads inside one op (default: the runtime's own choice, all cores). */
  intraOpNumThreads?: number;
  /**
   * Have programs pre-allocate every output on the host, filled in place (see Runtime.preallocateOutputs). Only for
   * onnxruntime-node: onnxruntime-web's WASM backend leaves given buffers untouched, so without this flag `run`
   * ignores them and returns onnxruntime's own outputs.
   */
  preallocateOutputs?: boolean;
  /** Passed through to InferenceSession.create. */
  sessionOptions?: InferenceSession.SessionOptions;
  name?: string;
}

/** A Runtime over any onnxruntime flavour. Inputs are wrapped, not copied. */
export function ortRuntime(ort: OrtModule, opts: OrtOptions = {}): Runtime {
  const sessionOptions: InferenceSession.SessionOptions = {
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    ...(opts.intraOpNumThreads ? { intraOpNumThreads: opts.intraOpNumThreads } : {}),
    ...opts.sessionOptions,
  };
  const wrap = (t: Tensor): OrtTensor => new ort.Tensor(t.dtype as OrtTensor.Type, t.data as OrtTensor.DataType, t.shape);
  return {
    name: opts.name ?? 'onnxruntime',
    ...(opts.preallocateOutputs ? { preallocateOutputs: true } : {}),
    async createSession(model: Uint8Array): Promise<RuntimeSession> {
      const session = await ort.InferenceSession.create(model, sessionOptions);
      return {
        async run(feeds, outputs, given) {
          const preallocated = opts.preallocateOutputs ? given : undefined;
          const ortFeeds: Record<string, OrtTensor> = {};
          for (const [k, v] of Object.entries(feeds)) ortFeeds[k] = wrap(v);
          let fetches: Record<string, OrtTensor | null> | string[] = [...outputs];
          if (preallocated) {
            fetches = {};
            for (const name of outputs) fetches[name] = preallocated[name] ? wrap(preallocated[name]) : null;
          }
          const res = await session.run(ortFeeds, fetches as InferenceSession.FetchesType);
          const out: Record<string, Tensor> = {};
          for (const name of outputs) {
            const given = preallocated?.[name];
            if (given) {
              out[name] = given;
              continue;
            }
            const t = res[name]!;
            out[name] = { dtype: t.type as DType, shape: [...t.dims], data: t.data as Tensor['data'] };
          }
          return out;
        },
        release: () => session.release(),
      };
    },
  };
}
