import type { Tensor } from '../../engine/tensor.js';
import type { HookedTransformer } from '../../model/hookedTransformer.js';
import { logSumExp } from '../../model/cache/host.js';
import { additionLayout, additionOperands, additionPositions, carryCase, type CarryCase } from '../../data/addition.js';

/** Exact-match accuracy over a set of addition problems, split by how the sum's carries go. */
export interface AdditionAccuracy {
  digits: number;
  count: number;
  /** Share of problems whose every answer digit is the argmax prediction. */
  accuracy: number;
  /** Mean cross-entropy of the answer digits (nats). */
  loss: number;
  /** Accuracy of each answer digit A_i on its own, by place i = 0..digits. */
  perDigit: number[];
  /** Problems and exact-match accuracy by carry case (data/addition's `carryCase`); accuracy NaN when none. */
  byCase: Record<CarryCase, { count: number; accuracy: number }>;
}

export const CARRY_CASES: readonly CarryCase[] = ['none', 'simple', 'cascade'];

/**
 * Scores `[batch, pos, vocab]` logits on the problems' token rows `BOS a + b = c` (each row the full problem;
 * the logits cover at least its first 3 digits + 3 positions). Pure: the tests pass hand-made logits.
 */
export function scoreAddition(logits: Tensor<'float32'>, rows: readonly (readonly number[])[], digits: number): AdditionAccuracy {
  const layout = additionLayout(digits);
  const pos = additionPositions(digits);
  const [B, T, V] = logits.shape as [number, number, number];
  if (B !== rows.length || T < layout.length - 1) throw new Error(`scoreAddition: logits [${logits.shape.join(', ')}] do not cover ${rows.length} problems of ${layout.length} tokens`);
  const perDigit = new Array<number>(digits + 1).fill(0);
  const byCase = Object.fromEntries(CARRY_CASES.map((c) => [c, { count: 0, accuracy: 0 }])) as AdditionAccuracy['byCase'];
  let correct = 0;
  let loss = 0;
  rows.forEach((row, b) => {
    if (row.length !== layout.length) throw new Error(`scoreAddition: problem ${b} has ${row.length} tokens, expected ${layout.length}`);
    let ok = true;
    for (let i = 0; i <= digits; i++) {
      const p = pos.predictor[i]!;
      const v = logits.data.subarray((b * T + p) * V, (b * T + p + 1) * V);
      let best = 0;
      for (let k = 1; k < V; k++) if (v[k]! > v[best]!) best = k;
      const target = row[p + 1]!;
      loss += logSumExp(v) - v[target]!;
      if (best === target) perDigit[i]!++;
      else ok = false;
    }
    const { a, b: bb } = additionOperands(row, digits);
    const c = byCase[carryCase(a, bb, digits).kind];
    c.count++;
    if (ok) {
      correct++;
      c.accuracy++;
    }
  });
  for (const c of CARRY_CASES) byCase[c].accuracy = byCase[c].count ? byCase[c].accuracy / byCase[c].count : NaN;
  const n = rows.length;
  return { digits, count: n, accuracy: correct / n, loss: loss / (n * (digits + 1)), perDigit: perDigit.map((x) => x / n), byCase };
}

/** The model's inputs for problem rows: each row without its last token (`[batch, 3 digits + 3]`). */
export function additionInputs(rows: readonly (readonly number[])[]): number[][] {
  return rows.map((r) => r.slice(0, -1));
}

/** Exact-match accuracy of `model` on the problems (full rows `BOS a + b = c`), by carry case. */
export async function measureAddition(model: HookedTransformer, rows: readonly (readonly number[])[], digits: number): Promise<AdditionAccuracy> {
  return scoreAddition(await model.run(additionInputs(rows)), rows, digits);
}

/** The training probe of an addition run: held-out accuracy and loss, and accuracy by carry case, for metrics.jsonl. */
export async function additionProbe(model: HookedTransformer, rows: readonly (readonly number[])[], digits: number): Promise<Record<string, number>> {
  const m = await measureAddition(model, rows, digits);
  return {
    test_accuracy: m.accuracy, test_loss: m.loss,
    accuracy_no_carry: m.byCase.none.accuracy, accuracy_simple_carry: m.byCase.simple.accuracy, accuracy_cascade: m.byCase.cascade.accuracy,
  };
}
