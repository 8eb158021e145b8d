import { DEFAULT_BOS_TOKEN } from './bytes.js';
import { GPT2_PRETOKENIZE } from './pretokenize.js';
import type { BpeTokenizerJSON, Tokenizer } from './tokenizer.js';
import { decodeTokenBytes, utf8Decode, utf8Encode } from './utf8.js';

/** Pairs of ids are keyed as one number, `left * 2^21 + right`; exact in a double for ids below 2^21. */
export const MAX_BPE_VOCAB = 2 ** 21;

/** The number that keys the pair (left, right) in maps; increasing in (left, right) lexicographically. */
export function pairKey(left: number, right: number): number {
  return left * MAX_BPE_VOCAB + right;
}

// Pieces repeat a lot in running text (" the", ","), so their encodings are memoised; the bound keeps memory flat
// on long streams of unusual text.
const PIECE_CACHE_LIMIT = 200_000;
// Above this many bytes a piece is merged with a heap instead of by rescanning; pieces this long are rare in text.
const LONG_PIECE = 64;
// Heap entries are `rank * POSITION_LIMIT + position`: exact in a double since ranks are below 2^21.
const POSITION_LIMIT = 2 ** 31;

/**
 * Byte-level BPE (GPT-2's scheme): ids 0..255 are bytes, merge k makes id 256 + k from a pair of earlier ids, and
 * the last id is BOS. Encoding cuts text with GPT-2's pre-tokenisation regex, then in each piece repeatedly merges
 * the adjacent pair whose merge was learnt first, which reproduces the segmentation training produced.
 */
export class BpeTokenizer implements Tokenizer {
  readonly name = 'bpe';
  readonly vocabSize: number;
  readonly bosTokenId: number;
  readonly bosToken: string;
  private readonly pairs: Int32Array;
  private readonly mergeIds = new Map<number, number>();
  private readonly tokenBytes: Uint8Array[] = [];
  private readonly special: Map<number, string>;
  private readonly cache = new Map<string, number[]>();

  /** `merges[k]` = [left, right] ids merged into id 256 + k; both must be below 256 + k. */
  constructor(merges: readonly (readonly [number, number])[], bosToken: string = DEFAULT_BOS_TOKEN) {
    if (256 + merges.length + 1 > MAX_BPE_VOCAB) throw new RangeError(`bpe: ${merges.length} merges exceed the largest vocabulary (${MAX_BPE_VOCAB})`);
    this.pairs = new Int32Array(merges.length * 2);
    for (let b = 0; b < 256; b++) this.tokenBytes.push(Uint8Array.of(b));
    merges.forEach(([a, b], k) => {
      const id = 256 + k;
      for (const x of [a, b]) {
        if (!Number.isInteger(x) || x < 0 || x >= id) throw new RangeError(`bpe: merge ${k} uses id ${x}, but only ids 0..${id - 1} exist before it`);
      }
      const key = pairKey(a, b);
      if (this.mergeIds.has(key)) throw new Error(`bpe: merge ${k} repeats the pair [${a}, ${b}] of merge ${this.mergeIds.get(key)! - 256}`);
      this.mergeIds.set(key, id);
      this.pairs[2 * k] = a;
      this.pairs[2 * k + 1] = b;
      const left = this.tokenBytes[a]!;
      const right = this.tokenBytes[b]!;
      const joined = new Uint8Array(left.length + right.length);
      joined.set(left);
      joined.set(right, left.length);
      this.tokenBytes.push(joined);
    });
    this.bosTokenId = 256 + merges.length;
    this.vocabSize = this.bosTokenId + 1;
    this.bosToken = bosToken;
    this.special = new Map([[this.bosTokenId, bosToken]]);
  }

  /** Rebuilds a tokenizer from `toJSON()`'s object (e.g. a parsed tokenizer.json), checking it on the way. */
  static fromJSON(json: unknown): BpeTokenizer {
    const j = json as Partial<BpeTokenizerJSON> | null;
    if (j === null || typeof j !== 'object' || j.type !== 'bpe') throw new Error('bpe: tokenizer JSON must have type "bpe"');
    if (j.version !== 1) throw new Error(`bpe: unsupported tokenizer JSON version ${String(j.version)} (expected 1)`);
    if (j.pretokenizer !== 'gpt2') throw new Error(`bpe: unknown pretokenizer ${String(j.pretokenizer)} (expected "gpt2")`);
    if (!Array.isArray(j.merges) || !j.merges.every((m) => Array.isArray(m) && m.length === 2)) throw new Error('bpe: "merges" must be an array of [left, right] id pairs');
    if (typeof j.bosToken !== 'string') throw new Error('bpe: "bosToken" must be a string');
    const tok = new BpeTokenizer(j.merges, j.bosToken);
    if (j.vocabSize !== tok.vocabSize) throw new Error(`bpe: "vocabSize" is ${String(j.vocabSize)} but ${j.merges.length} merges make ${tok.vocabSize} tokens`);
    return tok;
  }

  /** The learnt merges, in order (a copy). */
  get merges(): [number, number][] {
    const out: [number, number][] = [];
    for (let k = 0; k < this.pairs.length / 2; k++) out.push([this.pairs[2 * k]!, this.pairs[2 * k + 1]!]);
    return out;
  }

  encode(text: string): number[] {
    const out: number[] = [];
    for (const m of text.matchAll(GPT2_PRETOKENIZE)) {
      const piece = m[0];
      let ids = this.cache.get(piece);
      if (ids === undefined) {
        ids = this.encodePiece(piece);
        if (this.cache.size >= PIECE_CACHE_LIMIT) this.cache.clear();
        this.cache.set(piece, ids);
      }
      for (const id of ids) out.push(id);
    }
    return out;
  }

  decode(ids: readonly number[]): string {
    return decodeTokenBytes(ids, (id) => this.tokenBytes[id], this.special, this.name);
  }

  tokenToString(id: number): string {
    if (id === this.bosTokenId) return this.bosToken;
    const b = this.tokenBytes[id];
    if (b === undefined) throw new RangeError(`bpe: token id ${id} is not in the vocabulary (0..${this.vocabSize - 1})`);
    return utf8Decode(b);
  }

  /** The bytes token `id` stands for (BOS has none). */
  bytesOf(id: number): Uint8Array | undefined {
    return this.tokenBytes[id];
  }

  toJSON(): BpeTokenizerJSON {
    return { type: 'bpe', version: 1, vocabSize: this.vocabSize, bosToken: this.bosToken, pretokenizer: 'gpt2', merges: this.merges };
  }

  private encodePiece(piece: string): number[] {
    const ids = Array.from(utf8Encode(piece));
    return ids.length > LONG_PIECE ? this.mergeLong(ids) : this.mergeShort(ids);
  }

  /** Lowest-rank pair first, all its occurrences left to right; O(length^2), the fastest for words. */
  private mergeShort(ids: number[]): number[] {
    while (ids.length > 1) {
      let best = Infinity;
      for (let i = 0; i + 1 < ids.length; i++) {
        const m = this.mergeIds.get(pairKey(ids[i]!, ids[i + 1]!));
        if (m !== undefined && m < best) best = m;
      }
      if (best === Infinity) break;
      const a = this.pairs[2 * (best - 256)]!;
      const b = this.pairs[2 * (best - 256) + 1]!;
      let w = 0;
      for (let r = 0; r < ids.length; r++) {
        if (r + 1 < ids.length && ids[r] === a && ids[r + 1] === b) {
          ids[w++] = best;
          r++;
        } else {
          ids[w++] = ids[r]!;
        }
      }
      ids.length = w;
    }
    return ids;
  }

  /**
   * The same segmentation as `mergeShort` in O(n log n), for long pieces (a run of '=' or a base64 blob would
   * otherwise take quadratic time): the symbols form a linked list and every mergeable adjacent pair sits in a
   * heap ordered by (merge rank, position). Merging never creates a pair of lower rank than the one being merged
   * (a pair holding the new id was learnt after it), so popping in this order reproduces rank-by-rank,
   * left-to-right merging; entries whose left or right symbol has changed are skipped.
   */
  private mergeLong(ids: number[]): number[] {
    const n = ids.length;
    const sym = Int32Array.from(ids);
    const next = new Int32Array(n);
    const prev = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      next[i] = i + 1;
      prev[i] = i - 1;
    }
    const heap: number[] = [];
    const offer = (i: number): void => {
      const j = next[i]!;
      if (i < 0 || j >= n) return;
      const m = this.mergeIds.get(pairKey(sym[i]!, sym[j]!));
      if (m !== undefined) heapPush(heap, m * POSITION_LIMIT + i);
    };
    for (let i = 0; i + 1 < n; i++) offer(i);
    while (heap.length > 0) {
      const entry = heapPop(heap);
      const id = Math.floor(entry / POSITION_LIMIT);
      const i = entry % POSITION_LIMIT;
      const j = next[i]!;
      // Stale when i was absorbed into a left neighbour (sym -1) or either side has since changed.
      if (sym[i] === -1 || j >= n || this.mergeIds.get(pairKey(sym[i]!, sym[j]!)) !== id) continue;
      sym[i] = id;
      sym[j] = -1;
      next[i] = next[j]!;
      if (next[i]! < n) prev[next[i]!] = i;
      offer(prev[i]!);
      offer(i);
    }
    const out: number[] = [];
    for (let i = 0; i < n; i = next[i]!) out.push(sym[i]!);
    return out;
  }
}

/** Pushes onto a binary min-heap of numbers. */
function heapPush(h: number[], v: number): void {
  h.push(v);
  let i = h.length - 1;
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (h[p]! <= v) break;
    h[i] = h[p]!;
    i = p;
  }
  h[i] = v;
}

/** Pops the smallest number of a binary min-heap (which must not be empty). */
function heapPop(h: number[]): number {
  const top = h[0]!;
  const last = h.pop()!;
  const n = h.length;
  if (n > 0) {
    let i = 0;
    while (true) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const c = l + 1 < n && h[l + 1]! < h[l]! ? l + 1 : l;
      if (h[c]! >= last) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
  }
  return top;
}
