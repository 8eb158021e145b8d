import { input, topoSort, type Node } from './graph.js';
import { compile, type Program } from './program.js';
import { rewrite } from './rewrite.js';
import type { Tensor } from './tensor.js';

/** A point where the graph is cut for host code: `value` is computed, handed out, and what comes back is fed as `placeholder`. */
export interface Cut {
  name: string;
  /** The activation before the host code sees it. */
  value: Node;
  /** The input node that stands for the host code's result downstream. */
  placeholder: Node;
}

interface Stage {
  program: Program;
  /** Values this stage computes that later stages read, by cut-feed name. */
  exports: Map<string, string>;
}

/**
 * A graph run in stages around host callbacks (JavaScript hooks). Stage k computes cut k's value from the feeds,
 * the results of earlier callbacks and whatever earlier stages exported; nothing is computed twice.
 */
export class StagedProgram<K extends string = string> {
  private stages: Stage[] = [];

  constructor(outputs: Readonly<Record<K, Node>>, private readonly cuts: readonly Cut[]) {
    const placeholderStage = new Map<number, number>();
    cuts.forEach((c, k) => placeholderStage.set(c.placeholder.id, k + 1));
    const outNodes = Object.values(outputs) as Node[];
    // stage(n): the first stage that can compute n, i.e. after every callback it depends on has run.
    const stageOf = new Map<number, number>();
    for (const n of topoSort([...outNodes, ...cuts.map((c) => c.value)])) {
      const own = placeholderStage.get(n.id) ?? 0;
      stageOf.set(n.id, n.inputs.reduce((s, i) => Math.max(s, stageOf.get(i.id)!), own));
    }
    cuts.forEach((c, k) => {
      if (stageOf.get(c.value.id)! > k) throw new Error(`hook ${c.name} depends on a later hook's result`);
    });

    const roots: Record<string, Node>[] = cuts.map((c) => ({ [`cut:${c.name}`]: c.value }));
    roots.push({ ...outputs });
    // Boundary nodes: computed in an earlier stage, read in a later one.
    const boundary: Map<number, Node>[] = roots.map(() => new Map());
    roots.forEach((r, j) => {
      const seen = new Set<number>();
      const stack = Object.values(r);
      while (stack.length) {
        const n = stack.pop()!;
        if (seen.has(n.id)) continue;
        seen.add(n.id);
        if (n.op === 'input' || n.op === 'const') continue;
        if (stageOf.get(n.id)! < j) {
          boundary[j]!.set(n.id, n);
          continue;
        }
        stack.push(...n.inputs);
      }
    });
    const exportsOf: Map<string, string>[] = roots.map(() => new Map());
    boundary.forEach((b, j) => b.forEach((n) => {
      const s = stageOf.get(n.id)!;
      if (s >= j) return;
      exportsOf[s]!.set(`x${n.id}`, `x${n.id}`);
      roots[s]![`x${n.id}`] = n;
    }));
    this.stages = roots.map((r, j) => {
      const repl = new Map<number, Node>();
      boundary[j]!.forEach((n) => repl.set(n.id, input(`x${n.id}`, n.shape, n.dtype)));
      const names = Object.keys(r);
      const rewritten = rewrite(names.map((k) => r[k]!), repl);
      const outs: Record<string, Node> = {};
      names.forEach((k, i) => (outs[k] = rewritten[i]!));
      return { program: compile(outs), exports: exportsOf[j]! };
    });
  }

  async run(
    feeds: Readonly<Record<string, Tensor>>,
    onCut: (name: string, value: Tensor) => Promise<Tensor> | Tensor,
  ): Promise<Record<K, Tensor>> {
    const all: Record<string, Tensor> = { ...feeds };
    for (let j = 0; j < this.stages.length; j++) {
      const stage = this.stages[j]!;
      const want = new Set(stage.program.inputs.map((i) => i.name));
      const stageFeeds: Record<string, Tensor> = {};
      for (const name of want) if (all[name]) stageFeeds[name] = all[name];
      const out = await stage.program.run(stageFeeds);
      for (const name of stage.exports.keys()) all[name] = out[name]!;
      if (j < this.cuts.length) {
        const cut = this.cuts[j]!;
        all[cut.placeholder.name!] = await onCut(cut.name, out[`cut:${cut.name}`]!);
      } else {
        return out as Record<K, Tensor>;
      }
    }
    throw new Error('unreachable: a staged program always has a final stage');
  }
}
