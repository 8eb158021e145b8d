import { BpeTokenizer, MAX_BPE_VOCAB, pairKey } from './bpe.js';
import { DEFAULT_BOS_TOKEN } from './bytes.js';
import { GPT2_PRETOKENIZE } from './pretokenize.js';
import { utf8Encode } from './utf8.js';

export interface TrainBpeOptions {
  /** Vocabulary size to reach, counting the 256 bytes and BOS: `vocabSize - 257` merges are learnt. */
  vocabSize: number;
  /** A pair seen fewer times than this is never merged (default 2); training stops early when none is left. */
  minFrequency?: number;
  bosToken?: string;
  /** Called every 256 merges and at the end, e.g. for a progress bar. */
  onProgress?(merges: number, target: number): void;
}

/**
 * Learns a byte-level BPE from texts (GPT-2's scheme): pre-tokenise, then repeatedly merge the most frequent
 * adjacent pair of ids within pieces. Deterministic: ties go to the pair with the smaller (left, right) ids, so the
 * result depends only on the multiset of pieces, not on the order of the texts.
 *
 * Cost: pieces are counted once; each merge touches only the distinct pieces that contain the merged pair (found
 * through a posting list per pair) and updates pair counts by difference, with the best pair kept in a heap whose
 * stale entries are skipped when they surface.
 */
export function trainBpe(texts: Iterable<string>, opts: TrainBpeOptions): BpeTokenizer {
  const target = opts.vocabSize - 257;
  if (!Number.isInteger(opts.vocabSize) || target < 0) throw new RangeError(`bpe: vocabSize must be an integer of at least 257 (256 bytes + BOS), got ${opts.vocabSize}`);
  if (opts.vocabSize > MAX_BPE_VOCAB) throw new RangeError(`bpe: vocabSize ${opts.vocabSize} exceeds ${MAX_BPE_VOCAB}`);
  const minFrequency = opts.minFrequency ?? 2;

  const pieceCounts = new Map<string, number>();
  for (const text of texts) {
    for (const m of text.matchAll(GPT2_PRETOKENIZE)) pieceCounts.set(m[0], (pieceCounts.get(m[0]) ?? 0) + 1);
  }
  const words: number[][] = [];
  const freq: number[] = [];
  for (const [piece, c] of pieceCounts) {
    const ids = Array.from(utf8Encode(piece));
    if (ids.length < 2) continue;
    words.push(ids);
    freq.push(c);
  }

  const counts = new Map<number, number>();
  const postings = new Map<number, number[]>();
  const post = (key: number, w: number): void => {
    const list = postings.get(key);
    if (list === undefined) postings.set(key, [w]);
    else if (list[list.length - 1] !== w) list.push(w);
  };
  words.forEach((ids, w) => {
    for (let i = 0; i + 1 < ids.length; i++) {
      const key = pairKey(ids[i]!, ids[i + 1]!);
      counts.set(key, (counts.get(key) ?? 0) + freq[w]!);
      post(key, w);
    }
  });
  const heap = new PairHeap();
  for (const [key, c] of counts) heap.push(c, key);

  const merges: [number, number][] = [];
  const visited = new Int32Array(words.length).fill(-1);
  while (merges.length < target) {
    const best = popValid(heap, counts);
    if (best === null || best.count < minFrequency) break;
    const a = Math.floor(best.key / MAX_BPE_VOCAB);
    const b = best.key % MAX_BPE_VOCAB;
    const id = 256 + merges.length;
    merges.push([a, b]);
    const delta = new Map<number, number>();
    const add = (key: number, d: number): void => {
      delta.set(key, (delta.get(key) ?? 0) + d);
    };
    for (const w of postings.get(best.key) ?? []) {
      if (visited[w] === id) continue;
      visited[w] = id;
      const old = words[w]!;
      const merged: number[] = [];
      for (let i = 0; i < old.length; i++) {
        if (i + 1 < old.length && old[i] === a && old[i + 1] === b) {
          merged.push(id);
          i++;
        } else {
          merged.push(old[i]!);
        }
      }
      // A posting can be stale: an earlier merge may have consumed this word's occurrences of the pair.
      if (merged.length === old.length) continue;
      const c = freq[w]!;
      for (let i = 0; i + 1 < old.length; i++) add(pairKey(old[i]!, old[i + 1]!), -c);
      for (let i = 0; i + 1 < merged.length; i++) {
        const key = pairKey(merged[i]!, merged[i + 1]!);
        add(key, c);
        if (merged[i] === id || merged[i + 1] === id) post(key, w);
      }
      words[w] = merged;
    }
    postings.delete(best.key);
    counts.delete(best.key);
    for (const [key, d] of delta) {
      if (d === 0 || key === best.key) continue;
      const c = (counts.get(key) ?? 0) + d;
      if (c > 0) {
        counts.set(key, c);
        heap.push(c, key);
      } else {
        counts.delete(key);
        postings.delete(key);
      }
    }
    if (merges.length % 256 === 0) opts.onProgress?.(merges.length, target);
  }
  opts.onProgress?.(merges.length, target);
  return new BpeTokenizer(merges, opts.bosToken ?? DEFAULT_BOS_TOKEN);
}

/** Pops heap entries until one still matches its pair's current count (older entries are left behind by updates). */
function popValid(heap: PairHeap, counts: Map<number, number>): { count: number; key: number } | null {
  while (heap.size > 0) {
    const top = heap.pop();
    if (counts.get(top.key) === top.count) return top;
  }
  return null;
}

/** A binary max-heap of (count, pair key): larger count first, then smaller key, which makes ties deterministic. */
class PairHeap {
  private counts: number[] = [];
  private keys: number[] = [];

  get size(): number {
    return this.counts.length;
  }

  push(count: number, key: number): void {
    this.counts.push(count);
    this.keys.push(key);
    let i = this.counts.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.above(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }

  pop(): { count: number; key: number } {
    const top = { count: this.counts[0]!, key: this.keys[0]! };
    const lastCount = this.counts.pop()!;
    const lastKey = this.keys.pop()!;
    if (this.counts.length > 0) {
      this.counts[0] = lastCount;
      this.keys[0] = lastKey;
      let i = 0;
      const n = this.counts.length;
      while (true) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < n && this.above(l, m)) m = l;
        if (r < n && this.above(r, m)) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return top;
  }

  private above(i: number, j: number): boolean {
    const ci = this.counts[i]!;
    const cj = this.counts[j]!;
    return ci > cj || (ci === cj && this.keys[i]! < this.keys[j]!);
  }

  private swap(i: number, j: number): void {
    [this.counts[i], this.counts[j]] = [this.counts[j]!, this.counts[i]!];
    [this.keys[i], this.keys[j]] = [this.keys[j]!, this.keys[i]!];
  }
}
