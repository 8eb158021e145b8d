import { allocate } from './dtype.js';
import type { Node } from './graph.js';
import { lower, type LoweredGraph } from './lower.js';
import { flattenOutputMatmuls } from './fuse.js';
import { simplify } from './simplify.js';
import { getRuntime, type RuntimeSession } from './runtime.js';
import type { Tensor } from './tensor.js';
import type { OnnxValue } from './onnx/model.js';

const MAX_SESSIONS = 48;
/** Sessions by graph content: compiling the same graph twice (a new Program, same nodes) reuses the session. */
const sessions = new Map<string, Promise<RuntimeSession>>();

async function sessionFor(g: LoweredGraph): Promise<RuntimeSession> {
  let s = sessions.get(g.key);
  if (s) {
    sessions.delete(g.key); // move to the most recently used end
    sessions.set(g.key, s);
    return s;
  }
  s = getRuntime().createSession(g.model);
  sessions.set(g.key, s);
  s.catch(() => sessions.delete(g.key));
  while (sessions.size > MAX_SESSIONS) {
    const [oldest, victim] = sessions.entries().next().value as [string, Promise<RuntimeSession>];
    sessions.delete(oldest);
    void victim.then((v) => v.release()).catch(() => undefined);
  }
  return s;
}

/** Drops every cached session (tests, or to free memory after a large model). */
export async function clearSessions(): Promise<void> {
  const all = [...sessions.values()];
  sessions.clear();
  await Promise.all(all.map((s) => s.then((v) => v.release()).catch(() => undefined)));
}

/**
 * A compiled graph: named outputs computed from named inputs. Running it checks every feed's shape and dtype
 * first, so a mistake names the input rather than surfacing as a runtime error from deep inside onnxruntime.
 */
export class Program<K extends string = string> {
  readonly graph: LoweredGraph;
  /** Host-side shapes of outputs whose final reshape was peeled off (a reshape is free on the host). */
  private readonly hostShapes = new Map<string, readonly number[]>();

  constructor(outputs: Readonly<Record<K, Node>>) {
    const peeled: Record<string, Node> = {};
    const entries = Object.entries(outputs) as [string, Node][];
    const flat = flattenOutputMatmuls(simplify(entries.map(([, n]) => n)));
    for (const [i, [name, node]] of entries.entries()) {
      let n = flat[i]!;
      while (n.op === 'reshape') n = n.inputs[0]!;
      if (n.shape.length !== node.shape.length || n.shape.some((d, k) => d !== node.shape[k])) this.hostShapes.set(name, node.shape);
      peeled[name] = n;
    }
    this.graph = lower(peeled);
  }

  get inputs(): readonly OnnxValue[] {
    return this.graph.inputs;
  }

  /** Runs the graph. `into` may give pre-allocated host tensors for some outputs, which are filled in place. */
  async run(feeds: Readonly<Record<string, Tensor>>, into?: Readonly<Partial<Record<K, Tensor>>>): Promise<Record<K, Tensor>> {
    const used: Record<string, Tensor> = {};
    for (const x of this.graph.inputs) {
      const t = feeds[x.name];
      if (!t) throw new Error(`missing input ${x.name} (${x.dtype} [${x.shape.join(', ')}])`);
      if (t.dtype !== x.dtype || t.shape.length !== x.shape.length || t.shape.some((d, i) => d !== x.shape[i])) {
        throw new Error(`input ${x.name}: expected ${x.dtype} [${x.shape.join(', ')}], got ${t.dtype} [${t.shape.join(', ')}]`);
      }
      used[x.name] = t;
    }
    const session = await sessionFor(this.graph);
    const names = this.graph.outputs.map((o) => o.name);
    // A pre-allocated output whose reshape was peeled off is filled under the graph's own shape.
    // A runtime that would copy each output to JavaScript (onnxruntime-node) gets every output pre-allocated.
    const preallocate = getRuntime().preallocateOutputs === true;
    let pre: Record<string, Tensor> | undefined;
    if (into || preallocate) {
      pre = {};
      const given = (into ?? {}) as Readonly<Record<string, Tensor | undefined>>;
      for (const o of this.graph.outputs) {
        const t = given[o.name];
        if (t) pre[o.name] = this.hostShapes.has(o.name) ? { ...t, shape: o.shape } : t;
        else if (preallocate) pre[o.name] = { dtype: o.dtype, shape: o.shape, data: allocate(o.dtype, o.shape.reduce((a, b) => a * b, 1)) } as Tensor;
      }
    }
    const out = await session.run(used, names, pre);
    for (const [name, shape] of this.hostShapes) out[name] = { ...out[name]!, shape };
    return out as Record<K, Tensor>;
  }
}

/** Compiles the graph computing `outputs` (see Program). */
export function compile<K extends string>(outputs: Readonly<Record<K, Node>>): Program<K> {
  return new Program(outputs);
}
