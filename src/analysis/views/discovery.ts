import { InputError } from '../../engine/errors.js';
import type { HookedTransformer } from '../../model/hookedTransformer.js';
import {
  buildGraph, discoverCircuit, DISCOVERY_METHODS, edgeKey, inductionTask, INDUCTION_CORRUPTIONS, parseReferenceCircuit, parseTask, rankEdges, rocAuc,
  type Ablation, type DiscoveryMethod, type DiscoveryResult, type DiscoveryTask, type InductionCorruption, type ScoredEdge,
} from '../discovery/index.js';
import { tokenString } from './prompt.js';

/** What the Discover view asks for: a task (induction on the model, or a JSON task's text), a method and its options. */
export interface DiscoveryRequest {
  /** Induction on the model (`corrupt`: resample, second-half or first-half; see inductionTask), or a JSON task's text. */
  task: { kind: 'induction'; corrupt?: InductionCorruption } | { kind: 'json'; text: string; name: string };
  method: DiscoveryMethod;
  /** ACDC's threshold (default 0.01). */
  tau?: number;
  /** EAP-IG's steps (default 30). */
  steps?: number;
  ablation?: Ablation;
  /** Edges a ranking method marks kept (default 10). */
  keep?: number;
  /**
   * A known circuit to score the ranking against: edge keys (`L0H0->L1H0.k`) separated by spaces, commas or lines,
   * or JSON as `discover --reference` reads it (a list of keys, or another run's `--json`, whose kept edges count).
   */
  reference?: string;
}

/** A circuit found on the loaded model, with the task it was found on and, given a known circuit, its ROC. */
export interface DiscoveryView extends DiscoveryResult {
  taskInfo: {
    name: string;
    /** The induction task's corruption (null for a JSON task). */
    corruption: InductionCorruption | null;
    prompts: number;
    /** Tokens per prompt. */
    tokens: number;
    /** Predictions the metric averages over. */
    targets: number;
    /** The first prompt pair as token strings, and the positions its metric reads. */
    example: { clean: string[]; corrupt: string[]; positions: number[] };
  };
  /** The known circuit's edges (null: none given). */
  reference: string[] | null;
  /** ROC of the edge ranking (by |score|) against the known circuit: false and true positive rates, and its AUC. */
  roc: { fpr: number[]; tpr: number[]; auc: number } | null;
}

/**
 * A known circuit from what the user typed: edge keys separated by spaces, commas or lines, or JSON (`[keys]`, or
 * `{ edges }` as `discover --json` prints it). Each must be an edge of the model's graph; one line names the first
 * that is not (parseReferenceCircuit's checks, as `discover --reference` makes them).
 */
export function parseReference(text: string, cfg: Parameters<typeof buildGraph>[0]): string[] {
  const known = new Set(buildGraph(cfg).edges.map(edgeKey));
  const t = text.trim();
  let json: unknown;
  if (t.startsWith('[') || t.startsWith('{')) {
    try {
      json = JSON.parse(t);
    } catch (e) {
      throw new InputError(`known circuit: not valid JSON (${(e as Error).message})`);
    }
  } else json = t.replace(/\s*(->|→)\s*/g, '->').split(/[\s,;]+/).filter(Boolean);
  return [...parseReferenceCircuit(json, 'known circuit', known)];
}

/**
 * The ROC curve of an edge ranking by |score| against a known circuit: one point per distinct |score| (tied edges
 * move together), from (0, 0) to (1, 1). Its area is `rocAuc`'s.
 */
export function rocCurve(edges: readonly ScoredEdge[], truth: ReadonlySet<string>): { fpr: number[]; tpr: number[] } {
  const ranked = rankEdges(edges);
  const P = ranked.filter((e) => truth.has(edgeKey(e))).length;
  const N = ranked.length - P;
  const fpr = [0];
  const tpr = [0];
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < ranked.length; i++) {
    if (truth.has(edgeKey(ranked[i]!))) tp++;
    else fp++;
    const next = ranked[i + 1];
    if (next && Math.abs(next.score) === Math.abs(ranked[i]!.score)) continue;
    fpr.push(N ? fp / N : 0);
    tpr.push(P ? tp / P : 0);
  }
  return { fpr, tpr };
}

function buildTask(model: HookedTransformer, task: DiscoveryRequest['task']): DiscoveryTask {
  if (task.kind === 'induction') {
    if (task.corrupt !== undefined && !INDUCTION_CORRUPTIONS.includes(task.corrupt)) throw new InputError(`induction task: corruption must be one of ${INDUCTION_CORRUPTIONS.join(', ')} (got ${JSON.stringify(task.corrupt)})`);
    return inductionTask(model.cfg, task.corrupt ? { corrupt: task.corrupt } : {});
  }
  let json: unknown;
  try {
    json = JSON.parse(task.text);
  } catch (e) {
    throw new InputError(`${task.name}: not valid JSON (${(e as Error).message})`);
  }
  const tok = model.tokenizer;
  return parseTask(json, task.name, model.cfg, tok ? (s) => tok.encode(s) : undefined);
}

/**
 * Finds the circuit behind a task on the model (`discoverCircuit`: the edges, their scores, the faithfulness
 * curve), with what the view shows beside it: the task's size and first prompt pair, and the ROC against a known
 * circuit when one is given. Bad input (a task's JSON, an option, a reference edge) is one InputError line.
 */
export async function discoveryView(model: HookedTransformer, req: DiscoveryRequest): Promise<DiscoveryView> {
  if (model.cfg.n_layers === 0) throw new InputError('discover: this model has no layers, so no heads to find a circuit among');
  if (!DISCOVERY_METHODS.includes(req.method)) throw new InputError(`discover: method must be one of ${DISCOVERY_METHODS.join(', ')} (got ${JSON.stringify(req.method)})`);
  if (req.tau !== undefined && !(Number.isFinite(req.tau) && req.tau >= 0)) throw new InputError(`discover: tau must be a number >= 0 (got ${req.tau})`);
  if (req.steps !== undefined && !(Number.isInteger(req.steps) && req.steps >= 1 && req.steps <= 1000)) throw new InputError(`discover: steps must be an integer in 1..1000 (got ${req.steps})`);
  const reference = req.reference?.trim() ? parseReference(req.reference, model.cfg) : null;
  const task = buildTask(model, req.task);
  const result = await discoverCircuit(model, task, {
    method: req.method, ablation: req.ablation ?? 'resample', keep: req.keep ?? 10,
    ...(req.tau !== undefined ? { tau: req.tau } : {}), ...(req.steps !== undefined ? { steps: req.steps } : {}),
  });
  let roc: DiscoveryView['roc'] = null;
  if (reference) {
    const truth = new Set(reference);
    if (truth.size >= result.edges.length) throw new InputError('known circuit: it holds every edge; a known circuit must leave some out');
    roc = { ...rocCurve(result.edges, truth), auc: rocAuc(result.edges, truth) };
  }
  return {
    ...result,
    taskInfo: {
      name: task.name, corruption: req.task.kind === 'induction' ? req.task.corrupt ?? 'resample' : null, prompts: task.clean.length, tokens: task.clean[0]!.length, targets: task.targets.length,
      example: {
        clean: task.clean[0]!.map((i) => tokenString(model, i)), corrupt: task.corrupt[0]!.map((i) => tokenString(model, i)),
        positions: task.targets.filter((t) => t.batch === 0).map((t) => t.pos),
      },
    },
    reference, roc,
  };
}
