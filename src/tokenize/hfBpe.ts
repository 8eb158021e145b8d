import { GPT2_PRETOKENIZE } from './pretokenize.js';
import type { HfTokenizerJSON, Tokenizer } from './tokenizer.js';
import { utf8Decode, utf8Encode } from './utf8.js';

/**
 * A Hugging Face `tokenizers` BPE tokenizer read from its tokenizer.json, in the two shapes checkpoints use:
 * - byte-level (GPT-2, GPT-NeoX/Pythia, Qwen2, Llama 3): text is cut by the pre-tokenizer's regex (GPT-2's, or a
 *   `Split` pattern), each piece's UTF-8 bytes become GPT-2's printable byte characters, then merges apply;
 * - SentencePiece-style (Llama 2, Gemma, Mistral): spaces become `▁` (normalizer `Replace`/`Prepend`, or the
 *   `Metaspace` pre-tokenizer), merges apply to characters, and a character with no token falls back to its
 *   UTF-8 bytes as `<0xXX>` tokens (`byte_fallback`).
 * Merges apply lowest rank first, as `tokenizers` does. Special tokens in the text are encoded as plain text (this
 * library's Tokenizer contract). BOS: the special token the post-processor's template puts first, else a special
 * added token spelled as one (`<s>`, `<bos>`, `<|endoftext|>`, `<|begin_of_text|>`), else none.
 */
export class HfBpeTokenizer implements Tokenizer {
  readonly name = 'hf-bpe';
  readonly vocabSize: number;
  readonly bosTokenId: number | null;
  readonly bosToken: string | null;
  private readonly vocab = new Map<string, number>();
  private readonly tokens: string[] = [];
  private readonly ranks = new Map<string, number>();
  private readonly byteLevel: boolean;
  private readonly split: RegExp | null;
  private readonly prepend: string | null;
  private readonly spaceTo: string | null;
  private readonly byteFallback: boolean;
  private readonly unk: number | null;
  private readonly ignoreMerges: boolean;
  private readonly special = new Set<number>();
  private readonly cache = new Map<string, number[]>();

  constructor(private readonly json: HfTokenizerJSON) {
    const m = json.model;
    if (!m || m.type !== 'BPE') throw new Error(`tokenizer.json model type ${JSON.stringify(m?.type)} is not supported (only "BPE")`);
    for (const [tok, id] of Object.entries(m.vocab ?? {})) {
      this.vocab.set(tok, id);
      this.tokens[id] = tok;
    }
    for (const a of json.added_tokens ?? []) {
      this.vocab.set(a.content, a.id);
      this.tokens[a.id] = a.content;
      if (a.special) this.special.add(a.id);
    }
    (m.merges ?? []).forEach((mg, rank) => {
      const [a, b] = typeof mg === 'string' ? splitMerge(mg) : mg;
      this.ranks.set(`${a} ${b}`, rank);
    });
    this.vocabSize = this.tokens.length;
    const steps = [...flatten(json.pre_tokenizer), ...flatten(json.normalizer)];
    this.byteLevel = steps.some((s) => s.type === 'ByteLevel');
    const splitStep = steps.find((s) => s.type === 'Split' && typeof s.pattern?.Regex === 'string');
    const byteLevelStep = steps.find((s) => s.type === 'ByteLevel');
    this.split = splitStep ? new RegExp(jsRegex(splitStep.pattern!.Regex!), 'gu') : byteLevelStep && byteLevelStep.use_regex !== false ? GPT2_PRETOKENIZE : null;
    const meta = steps.find((s) => s.type === 'Metaspace');
    const prependStep = steps.find((s) => s.type === 'Prepend');
    const replace = steps.find((s) => s.type === 'Replace' && s.pattern?.String === ' ');
    this.spaceTo = meta ? (meta.replacement ?? '▁') : replace ? (replace.content ?? '▁') : null;
    this.prepend = prependStep ? (prependStep.prepend ?? '▁') : meta && meta.prepend_scheme !== 'never' && meta.add_prefix_space !== false ? (meta.replacement ?? '▁') : null;
    this.byteFallback = m.byte_fallback === true;
    this.unk = m.unk_token !== undefined && m.unk_token !== null ? this.vocab.get(m.unk_token) ?? null : null;
    this.ignoreMerges = m.ignore_merges === true;
    const template = json.post_processor?.single ?? json.post_processor?.processors?.find((p) => p.single)?.single;
    const first = template?.[0]?.SpecialToken?.id;
    let bos = first !== undefined ? this.vocab.get(first) ?? null : null;
    if (bos === null) {
      for (const name of ['<s>', '<bos>', '<|begin_of_text|>', '<|endoftext|>']) {
        const id = this.vocab.get(name);
        if (id !== undefined && this.special.has(id)) { bos = id; break; }
      }
    }
    this.bosTokenId = bos;
    this.bosToken = bos === null ? null : this.tokens[bos]!;
  }

  encode(text: string): number[] {
    let t = text;
    if (this.spaceTo !== null) t = t.replaceAll(' ', this.spaceTo);
    if (this.prepend !== null && t.length > 0) t = this.prepend + t;
    const pieces = this.split ? Array.from(t.matchAll(this.split), (x) => x[0]) : [t];
    const out: number[] = [];
    for (const piece of pieces) {
      let ids = this.cache.get(piece);
      if (!ids) {
        ids = this.encodePiece(this.byteLevel ? [...utf8Encode(piece)].map((b) => BYTE_TO_CHAR[b]!).join('') : piece);
        if (this.cache.size > 100_000) this.cache.clear();
        this.cache.set(piece, ids);
      }
      out.push(...ids);
    }
    return out;
  }

  private encodePiece(word: string): number[] {
    if (this.ignoreMerges && this.vocab.has(word)) return [this.vocab.get(word)!];
    let syms = [...word];
    for (;;) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i + 1 < syms.length; i++) {
        const r = this.ranks.get(`${syms[i]} ${syms[i + 1]}`);
        if (r !== undefined && r < bestRank) { bestRank = r; best = i; }
      }
      if (best < 0) break;
      syms = [...syms.slice(0, best), syms[best]! + syms[best + 1]!, ...syms.slice(best + 2)];
    }
    const ids: number[] = [];
    for (const s of syms) {
      const id = this.vocab.get(s);
      if (id !== undefined) ids.push(id);
      else if (this.byteFallback) for (const b of utf8Encode(s)) ids.push(this.byteToken(b, s));
      else if (this.unk !== null) ids.push(this.unk);
      else throw new Error(`tokenizer.json: ${JSON.stringify(s)} has no token, no byte fallback and no unk_token`);
    }
    return ids;
  }

  private byteToken(b: number, s: string): number {
    const id = this.vocab.get(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
    if (id === undefined) throw new Error(`tokenizer.json: byte fallback for ${JSON.stringify(s)} needs token <0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
    return id;
  }

  decode(ids: readonly number[]): string {
    const bytes: number[] = [];
    let text = '';
    const flush = () => { if (bytes.length) { text += utf8Decode(Uint8Array.from(bytes)); bytes.length = 0; } };
    for (const id of ids) {
      const tok = this.tokens[id];
      if (tok === undefined) throw new RangeError(`hf-bpe: token id ${id} is not in the vocabulary (0..${this.vocabSize - 1})`);
      const fb = /^<0x([0-9A-F]{2})>$/.exec(tok);
      if (this.special.has(id)) { flush(); text += tok; }
      else if (this.byteLevel) for (const ch of tok) bytes.push(CHAR_TO_BYTE.get(ch) ?? 0x3f);
      else if (fb && this.byteFallback) bytes.push(parseInt(fb[1]!, 16));
      else { flush(); text += tok; }
    }
    flush();
    if (this.spaceTo !== null) text = text.replaceAll(this.spaceTo, ' ');
    if (this.prepend !== null && text.startsWith(' ')) text = text.slice(1);
    return text;
  }

  tokenToString(id: number): string {
    const tok = this.tokens[id];
    if (tok === undefined) throw new RangeError(`hf-bpe: token id ${id} is not in the vocabulary (0..${this.vocabSize - 1})`);
    if (this.special.has(id)) return tok;
    if (this.byteLevel) return utf8Decode(Uint8Array.from([...tok].map((c) => CHAR_TO_BYTE.get(c) ?? 0x3f)));
    return this.spaceTo !== null ? tok.replaceAll(this.spaceTo, ' ') : tok;
  }

  toJSON(): HfTokenizerJSON {
    return this.json;
  }
}

/** A merge written as one string: "a b" (tokens never contain a space in byte-level or ▁ vocabularies). */
function splitMerge(m: string): [string, string] {
  const i = m.indexOf(' ', 1);
  return [m.slice(0, i), m.slice(i + 1)];
}

type Step = NonNullable<HfTokenizerJSON['pre_tokenizer']>;

function flatten(s: Step | null | undefined): Step[] {
  if (!s) return [];
  if (s.type === 'Sequence') return [...(s.pretokenizers ?? []), ...(s.normalizers ?? [])].flatMap(flatten);
  return [s];
}

/** A `tokenizers` (Oniguruma) regex in JavaScript: `(?i:...)` groups become explicit case classes. */
export function jsRegex(src: string): string {
  return src.replace(/\(\?i:((?:[^()\\]|\\.)*)\)/g, (_, body: string) => `(?:${body.replace(/[a-zA-Z]/g, (c) => `[${c.toLowerCase()}${c.toUpperCase()}]`)})`);
}

// GPT-2's byte <-> printable character table (bytes_to_unicode).
const BYTE_TO_CHAR: string[] = [];
const CHAR_TO_BYTE = new Map<string, number>();
{
  let n = 0;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
    const ch = String.fromCodePoint(printable ? b : 256 + n++);
    BYTE_TO_CHAR[b] = ch;
    CHAR_TO_BYTE.set(ch, b);
  }
}
