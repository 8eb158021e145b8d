import type { Tensor } from '../engine/tensor.js';

/** Token ids as rows: `[batch][pos]`. */
export type TokenRows = readonly (readonly number[])[];

/** Rows of an integer `[batch, pos]` tensor (or the rows themselves). */
export function tokenRows(tokens: TokenRows | Tensor<'int64'> | Tensor<'int32'>): number[][] {
  if (Array.isArray(tokens)) return (tokens as TokenRows).map((r) => [...r]);
  const t = tokens as Tensor<'int64'> | Tensor<'int32'>;
  if (t.shape.length !== 2) throw new Error(`expected token ids shaped [batch, pos], got [${t.shape.join(', ')}]`);
  const [B, T] = t.shape as [number, number];
  return Array.from({ length: B }, (_, b) => Array.from(t.data.subarray(b * T, (b + 1) * T), Number));
}

/** The argmax token at every position of `[batch, pos, d_vocab]` logits (the first one on ties). */
export function argmaxTokens(logits: Tensor<'float32'>): number[][] {
  if (logits.shape.length !== 3) throw new Error(`argmaxTokens: expected logits [batch, pos, d_vocab], got [${logits.shape.join(', ')}]`);
  const [B, T, V] = logits.shape as [number, number, number];
  const out: number[][] = [];
  for (let b = 0; b < B; b++) {
    const row: number[] = [];
    for (let t = 0; t < T; t++) {
      const o = (b * T + t) * V;
      let best = 0;
      for (let v = 1; v < V; v++) if (logits.data[o + v]! > logits.data[o + best]!) best = v;
      row.push(best);
    }
    out.push(row);
  }
  return out;
}

/** The token positions [start, end) that hold a task's answer. */
export interface AnswerSpan {
  readonly start: number;
  readonly end: number;
}

/**
 * Exact-match accuracy: the share of sequences whose every answer token is predicted, where `predicted[b][p]`
 * (argmax ids, or logits, on the inputs) is the prediction for `tokens[b][p + 1]`. Under teacher forcing this is
 * the same as greedy decoding getting the whole answer right, since each step then sees a correct prefix.
 */
export function exactMatchAccuracy(
  predicted: TokenRows | Tensor<'float32'>, tokens: TokenRows | Tensor<'int64'> | Tensor<'int32'>, answer: AnswerSpan,
): number {
  const pred = Array.isArray(predicted) ? (predicted as TokenRows) : argmaxTokens(predicted as Tensor<'float32'>);
  const rows = tokenRows(tokens);
  if (pred.length !== rows.length) throw new Error(`exactMatchAccuracy: ${pred.length} rows of predictions for ${rows.length} sequences`);
  if (rows.length === 0) throw new Error('exactMatchAccuracy: no sequences');
  if (answer.start < 1 || answer.end <= answer.start) throw new Error(`exactMatchAccuracy: bad answer span [${answer.start}, ${answer.end})`);
  let correct = 0;
  rows.forEach((row, b) => {
    const p = pred[b]!;
    if (row.length < answer.end || p.length < answer.end - 1) {
      throw new Error(`exactMatchAccuracy: sequence ${b} has ${row.length} tokens and ${p.length} predictions; the answer ends at ${answer.end}`);
    }
    let ok = true;
    for (let t = answer.start; t < answer.end && ok; t++) ok = p[t - 1] === row[t];
    if (ok) correct++;
  });
  return correct / rows.length;
}
