import { constant, crossEntropy, gather, mT, slice, type Node } from '../engine/index.js';
import { forward, type WeightNodes } from '../model/forward.js';
import type { HookedTransformerConfig } from '../model/config.js';

export interface TrainingLossOptions {
  /** The first position whose prediction counts (0: every position; modular addition's `a b =` counts only '='). */
  lossFrom?: number;
  /**
   * The softmax runs over these output ids alone (null or absent: all of them). Only their logits are computed (the
   * columns of W_U and entries of b_U gathered, so their gradients scatter back into the full weights and the other
   * ids get none), and the targets are renumbered to their place among them: every target must be one of them.
   */
  vocabulary?: readonly number[] | null;
}

/**
 * The training loss of a `tokens` batch `[batch, seqLen + 1]`: the mean cross-entropy of the predictions at
 * positions lossFrom..seqLen-1 (position i predicts token i + 1), as the training step, the validation loss and the
 * LLC's sampler compute it.
 */
export function trainingLoss(cfg: HookedTransformerConfig, w: WeightNodes, tokens: Node, o: TrainingLossOptions = {}): Node {
  const seqLen = tokens.shape[1]! - 1;
  const from = o.lossFrom ?? 0;
  const ids = o.vocabulary ?? null;
  const inputs = slice(tokens, [0], [seqLen], [1]);
  let targets = slice(tokens, [from + 1], [seqLen + 1], [1]);
  let logits: Node;
  if (ids) {
    const ints = (data: readonly number[]) => constant({ dtype: 'int64', shape: [data.length], data: BigInt64Array.from(data, BigInt) });
    const at = ints(ids);
    const place = new Array<number>(cfg.d_vocab_out).fill(0);
    ids.forEach((t, i) => (place[t] = i));
    const sub = { ...w, 'unembed.W_U': mT(gather(mT(w['unembed.W_U']!), at, 0)), 'unembed.b_U': gather(w['unembed.b_U']!, at, 0) };
    logits = forward({ ...cfg, d_vocab_out: ids.length }, sub, inputs);
    targets = gather(ints(place), targets, 0);
  } else {
    logits = forward(cfg, w, inputs);
  }
  return crossEntropy(from === 0 ? logits : slice(logits, [from], [seqLen], [1]), targets, 'mean');
}

/** Checks a loss vocabulary against the output vocabulary: a one-line error naming `what`. */
export function checkVocabulary(ids: readonly number[], vocabOut: number, what: string): void {
  if (ids.length === 0 || ids.some((t) => !Number.isInteger(t) || t < 0 || t >= vocabOut)) {
    throw new Error(`${what}: expected ids in 0..${vocabOut - 1}, got ${ids.length === 0 ? 'none' : `[${ids.slice(0, 8).join(', ')}${ids.length > 8 ? ', ...' : ''}]`}`);
  }
}
