import { apply, topoSort, type Node } from './graph.js';

/**
 * Rebuilds the graph computing `outputs` with some nodes replaced (by id). Nodes downstream of a replacement are
 * rebuilt (shapes re-inferred); everything else is shared. Used to cut a graph where a JavaScript hook runs.
 */
export function rewrite(outputs: readonly Node[], replace: ReadonlyMap<number, Node>): Node[] {
  const mapped = new Map<number, Node>();
  for (const n of topoSort(outputs)) {
    const r = replace.get(n.id);
    if (r) {
      mapped.set(n.id, r);
      continue;
    }
    const ins = n.inputs.map((i) => mapped.get(i.id) ?? i);
    mapped.set(n.id, ins.every((x, k) => x === n.inputs[k]) ? n : apply(n.op, ins, n.attrs));
  }
  return outputs.map((o) => mapped.get(o.id)!);
}
