import type { DigitAttention } from './attention.js';

/** What one head reads from the position that predicts one answer digit. */
export interface HeadRead {
  head: number;
  /** The operand pair (D_j, D'_j) the head attends to most, by place j. */
  pair: number;
  /** Its attention on that pair (both digits together), a share of the head's attention from that position. */
  share: number;
}

/** The operand pairs each answer digit reads (Quirke and Barez 2023: A_i reads D_i, D'_i and the pair below). */
export interface PairReads {
  /** A head "reads" a pair when at least this share of its attention is on it. */
  threshold: number;
  /** By place i = 0..digits: each head's top pair, and the pairs read by any head, highest place first. */
  digits: { place: number; heads: HeadRead[]; reads: number[]; strongest: Record<number, number> }[];
  /**
   * Per head: the offset i - j from each answer digit to its top pair (null where the head reads no pair), by
   * place i; a head that keeps one offset at every digit where that pair exists follows the digit stream.
   */
  offsets: { head: number; offsets: (number | null)[] }[];
}

/**
 * Which pairs each answer digit reads, from the digit-attention tables: per answer digit and head, the pair with
 * the most attention and its share; the pairs some head puts at least `threshold` of its attention on.
 */
export function pairReads(att: DigitAttention, threshold = 0.3): PairReads {
  const H = att.pair.length;
  const digits = Array.from({ length: att.digits + 1 }, (_, i) => {
    const heads: HeadRead[] = [];
    const strongest: Record<number, number> = {};
    for (let h = 0; h < H; h++) {
      const row = att.pair[h]![i]!;
      let j = 0;
      for (let k = 1; k < row.length; k++) if (row[k]! > row[j]!) j = k;
      heads.push({ head: h, pair: j, share: row[j]! });
      row.forEach((s, k) => { strongest[k] = Math.max(strongest[k] ?? 0, s); });
    }
    const reads = Object.entries(strongest).filter(([, s]) => s >= threshold).map(([k]) => Number(k)).sort((a, b) => b - a);
    return { place: i, heads, reads, strongest };
  });
  const offsets = Array.from({ length: H }, (_, h) => ({
    head: h,
    offsets: digits.map((d) => (d.heads[h]!.share >= threshold ? d.place - d.heads[h]!.pair : null)),
  }));
  return { threshold, digits, offsets };
}
