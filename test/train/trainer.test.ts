import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installNodeRuntime } from '../../src/io/nodeRuntime.js';
import { HookedTransformer } from '../../src/model/hookedTransformer.js';
import { Rng, type Tensor } from '../../src/engine/index.js';
import { rowsToTensor } from '../../src/data/index.js';
import { train, type BatchSource, type Checkpoint, type MetricsRecord, type TrainConfig } from '../../src/train/trainer.js';
import { learningRate } from '../../src/train/schedule.js';
import { TrainStep } from '../../src/train/trainStep.js';
import { tilePositions } from '../../src/train/tilePositions.js';

installNodeRuntime();

/** Sequences of a random prefix followed by its repeat: learnable (induction) and seeded. */
class RepeatSource implements BatchSource {
  private rng: Rng;
  constructor(seed: number, private B: number, private T: number, private V: number, private counting = false) { this.rng = new Rng(seed); }
  next(): Tensor<'int64'> {
    return rowsToTensor(this.rows());
  }
  private rows(): number[][] {
    if (this.counting) {
      // t+1 = t + 1 mod V from a random start: learnable through the direct path alone, so the loss falls fast.
      return Array.from({ length: this.B }, () => {
        const start = this.rng.int(this.V);
        return Array.from({ length: this.T + 1 }, (_, i) => (start + i) % this.V);
      });
    }
    return Array.from({ length: this.B }, () => {
      const half = Array.from({ length: Math.ceil((this.T + 1) / 2) }, () => this.rng.int(this.V));
      return [...half, ...half].slice(0, this.T + 1);
    });
  }
  state(): unknown { return this.rng.state(); }
  restore(s: unknown): void { this.rng = Rng.fromState(s as number[]); }
  describe(): string { return 'repeat'; }
}

const cfg = { n_layers: 2, d_model: 32, n_heads: 4, d_head: 8, d_vocab: 16, n_ctx: 16, attn_only: true, normalization_type: 'LN' as const, seed: 1 };
const tc = (over: Partial<TrainConfig> = {}): TrainConfig => ({
  steps: 12, batchSize: 8, seqLen: 16, lr: 3e-3, warmup: 3, logEvery: 1, evalEvery: 4, evalBatches: 2, checkpointEvery: 0,
  beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, maxGradNorm: 1, ...over,
});

async function run(over: Partial<TrainConfig> = {}, resume?: Checkpoint, upTo?: number, counting = false, source?: BatchSource) {
  const model = new HookedTransformer(cfg);
  const records: MetricsRecord[] = [];
  let saved: Checkpoint | null = null;
  const ctrl = new AbortController();
  const out = await train(model, source ?? new RepeatSource(7, 8, 16, 16, counting), new RepeatSource(99, 8, 16, 16, counting), tc(over), {
    onMetrics: (r) => { records.push(r); },
    saveCheckpoint: async (c) => { saved = c; },
    onStep: (s) => { if (upTo !== undefined && s >= upTo) ctrl.abort(); },
    signal: ctrl.signal,
  }, resume);
  return { model, records, saved: saved as Checkpoint | null, out };
}

test('the warm-up/cosine schedule rises linearly, peaks, and decays to minLr', () => {
  const o = { lr: 1, warmup: 10, total: 110, minLr: 0.1 };
  assert.equal(learningRate(0, o), 0.1);
  assert.equal(learningRate(9, o), 1);
  assert.ok(Math.abs(learningRate(60, o) - 0.55) < 1e-12);
  assert.ok(Math.abs(learningRate(110, o) - 0.1) < 1e-12);
});

test('with decay the schedule holds at lr after the warm-up and anneals over the last steps only', () => {
  const o = { lr: 1, warmup: 10, total: 110, minLr: 0.1, decay: 40 };
  assert.equal(learningRate(5, o), 0.6);
  assert.equal(learningRate(10, o), 1);
  assert.equal(learningRate(70, o), 1);
  // Halfway through the decay (step 90 of 70..110) the cosine is at the mean of lr and minLr.
  assert.ok(Math.abs(learningRate(90, o) - 0.55) < 1e-12);
  assert.ok(Math.abs(learningRate(110, o) - 0.1) < 1e-12);
  // A decay longer than the run after its warm-up is the plain cosine.
  assert.equal(learningRate(60, { ...o, decay: 1000 }), learningRate(60, { lr: 1, warmup: 10, total: 110, minLr: 0.1 }));
});

test('training is deterministic and its loss falls', async () => {
  const a = await run({ steps: 40, lr: 1e-2 }, undefined, undefined, true);
  const b = await run({ steps: 40, lr: 1e-2 }, undefined, undefined, true);
  assert.deepEqual(a.records.map((r) => r.loss), b.records.map((r) => r.loss));
  const first = a.records.slice(0, 5).reduce((s, r) => s + r.loss, 0) / 5;
  const lastFive = a.records.slice(-5).reduce((s, r) => s + r.loss, 0) / 5;
  assert.ok(lastFive < first - 0.2, `loss ${first} -> ${lastFive}`);
  assert.equal(a.out.status, 'done');
  assert.ok(a.records.some((r) => r.val_loss !== undefined));
  assert.ok(a.records[0]!.grad_norms!['blocks.0.attn.W_Q']! > 0);
});

test('a run stopped and resumed from its checkpoint gives the same losses as one that never stopped', async () => {
  const straight = await run({ steps: 12 });
  const first = await run({ steps: 12 }, undefined, 5);
  assert.equal(first.out.status, 'stopped');
  assert.equal(first.saved!.step, 5);
  const second = await run({ steps: 12 }, first.saved!);
  const resumed = [...first.records, ...second.records].map((r) => r.loss);
  assert.deepEqual(resumed, straight.records.map((r) => r.loss));
  const w1 = straight.model.weights['blocks.1.attn.W_K']!.data;
  const w2 = second.model.weights['blocks.1.attn.W_K']!.data;
  assert.deepEqual(Array.from(w2), Array.from(w1));
});

test('a non-finite loss stops the run and keeps the last weights with a finite loss', async () => {
  const r = await run({ steps: 40, lr: 1e9, warmup: 1, maxGradNorm: null });
  assert.equal(r.out.status, 'diverged');
  assert.match(r.out.message, /loss became (NaN|Infinity)/);
  for (const t of Object.values(r.saved!.weights)) for (const v of t.data) assert.ok(Number.isFinite(v));
  assert.ok(r.saved!.step < 40);
});

async function attentionChange(normalization_type: 'LN' | null): Promise<number> {
  const model = new HookedTransformer({ ...cfg, normalization_type, init_range: 0.02 });
  const probe = [[1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8]];
  const names = ['blocks.0.attn.hook_pattern', 'blocks.1.attn.hook_pattern'];
  const look = async () => (await model.runWithCache(probe, { names })).cache;
  const before = await look();
  await train(model, new RepeatSource(3, 8, 16, 16), null, tc({ steps: 60, lr: 1e-2, evalEvery: 0 }));
  const after = await look();
  let moved = 0;
  for (const n of names) {
    const a = after.get(n).data;
    const b = before.get(n).data;
    for (let i = 0; i < a.length; i++) moved = Math.max(moved, Math.abs(a[i]! - b[i]!));
  }
  return moved;
}

test('attention moves within a short run with LayerNorm, and stays stuck without it at std 0.02 (DESIGN.md)', async () => {
  const withLn = await attentionChange('LN');
  const without = await attentionChange(null);
  assert.ok(withLn > 0.02, `with LayerNorm the largest change in attention is ${withLn}`);
  assert.ok(without < withLn / 10, `without LayerNorm: ${without}, with: ${withLn}`);
});

test('the batch source observes each record after the probes, and what it returns is logged', async () => {
  const model = new HookedTransformer(cfg);
  const source = new RepeatSource(7, 8, 16, 16);
  const seen: Record<string, unknown>[] = [];
  const observing: BatchSource = Object.assign(source, {
    observe: (r: MetricsRecord) => {
      seen.push({ ...r });
      return r.step === 2 ? { switched_at: r.step } : undefined;
    },
  });
  const records: MetricsRecord[] = [];
  await train(model, observing, null, tc({ steps: 3, logEvery: 1, evalEvery: 0 }), {
    probe: async (_m, step) => ({ probed: step * 10 }),
    onMetrics: (r) => { records.push(r); },
  });
  assert.deepEqual(seen.map((r) => [r['step'], r['probed']]), [[1, 10], [2, 20], [3, 30]]);
  assert.deepEqual(records.map((r) => r['switched_at']), [undefined, 2, undefined]);
});

/** A curriculum at half the context: `short` batches of [2B, T/2 + 1], then [B, T + 1], the same tokens a step. */
class PhasedSource implements BatchSource {
  private at = 0;
  private readonly warm = new RepeatSource(5, 16, 8, 16);
  private readonly mix = new RepeatSource(7, 8, 16, 16);
  constructor(private readonly short: number) {}
  next(): Tensor<'int64'> { return this.at++ < this.short ? this.warm.next() : this.mix.next(); }
  state(): unknown { return { at: this.at, warm: this.warm.state(), mix: this.mix.state() }; }
  restore(s: unknown): void {
    const st = s as { at: number; warm: unknown; mix: unknown };
    this.at = st.at;
    this.warm.restore(st.warm);
    this.mix.restore(st.mix);
  }
  describe(): string { return 'phased'; }
}

function phasedRun(upTo?: number, resume?: Checkpoint) {
  return run({ steps: 8 }, resume, upTo, false, new PhasedSource(4));
}

test('a phase of shorter sequences (a curriculum at half the context) trains on, then lengthens as a continuation', async () => {
  const straight = await phasedRun();
  assert.equal(straight.out.status, 'done');
  assert.deepEqual(straight.records.map((r) => r.tokens), Array.from({ length: 8 }, (_, i) => (i + 1) * 8 * 16));
  assert.ok(straight.records.every((r) => r.val_loss === undefined || Number.isFinite(r.val_loss)));

  // The same updates by hand: a step compiled for [16, 8] for four batches; then positions 8..15 copied from 0..7,
  // and a step for [8, 16] with a fresh AdamW and the schedule restarted over the four steps left. Carrying the
  // moments and the schedule across instead (as a shape change that does not lengthen does) gives other weights,
  // so the comparison tells the two apart.
  const byHand = async (continuation: boolean) => {
    const model = new HookedTransformer(cfg);
    const src = new PhasedSource(4);
    const lrAt = (s: number, since: number) => learningRate(s - since, { lr: 3e-3, warmup: 3, total: 8 - since });
    const opt = tc();
    const short = new TrainStep(model, 16, 8, opt);
    for (let s = 0; s < 4; s++) await short.run(src.next(), lrAt(s, 0));
    const long = new TrainStep(model, 8, 16, opt);
    if (continuation) {
      const pos = model.weights['pos_embed.W_pos']!;
      const d = pos.shape[1]!;
      const tiled = Float32Array.from(pos.data);
      for (let p = 8; p < 16; p++) for (let j = 0; j < d; j++) tiled[p * d + j] = pos.data[(p - 8) * d + j]!;
      model.weights = { ...model.weights, 'pos_embed.W_pos': { dtype: 'float32', shape: pos.shape, data: tiled } };
    } else {
      long.m = { ...short.m };
      long.v = { ...short.v };
      long.t = short.t;
    }
    for (let s = 4; s < 8; s++) await long.run(src.next(), lrAt(s, continuation ? 4 : 0));
    return model.weights;
  };
  const same = await byHand(true);
  const carried = await byHand(false);
  for (const [n, w] of Object.entries(straight.model.weights)) {
    assert.deepEqual(Array.from(w.data), Array.from(same[n]!.data), `${n}: the trainer and the hand-made continuation differ`);
  }
  const w = 'blocks.0.attn.W_Q';
  assert.notDeepEqual(Array.from(carried[w]!.data), Array.from(same[w]!.data), 'carrying AdamW across the lengthening gave the same weights');
  // The learning rate the metrics record: warm-up from step 0, and again from the switch.
  assert.deepEqual(straight.records.map((r) => r.lr), [0, 1, 2, 3, 4, 5, 6, 7].map((s) => learningRate(s < 4 ? s : s - 4, { lr: 3e-3, warmup: 3, total: s < 4 ? 8 : 4 })));

  // Stopped inside the short phase, at the switch and after it: resuming gives the losses of the run that never stopped.
  for (const stop of [3, 4, 6]) {
    const first = await phasedRun(stop);
    assert.equal(first.saved!.step, stop);
    assert.deepEqual(first.saved!.phase, stop <= 4 ? { seqLen: 8, since: 0 } : { seqLen: 16, since: 4 });
    const second = await phasedRun(undefined, first.saved!);
    assert.deepEqual([...first.records, ...second.records].map((r) => r.loss), straight.records.map((r) => r.loss), `stopped at ${stop}`);
  }
});

test('tilePositions copies the trained positions into the new ones and leaves the rest alone', () => {
  const pos = { dtype: 'float32' as const, shape: [5, 2], data: Float32Array.from([1, 2, 3, 4, 9, 9, 9, 9, 9, 9]) };
  const other = { dtype: 'float32' as const, shape: [1], data: Float32Array.from([7]) };
  const out = tilePositions({ 'pos_embed.W_pos': pos, 'embed.W_E': other }, 2, 5);
  assert.deepEqual(Array.from(out['pos_embed.W_pos']!.data), [1, 2, 3, 4, 1, 2, 3, 4, 1, 2]);
  assert.deepEqual(Array.from(tilePositions({ 'pos_embed.W_pos': pos }, 2, 3)['pos_embed.W_pos']!.data), [1, 2, 3, 4, 1, 2, 9, 9, 9, 9]);
  assert.equal(out['embed.W_E'], other);
  assert.deepEqual(Array.from(pos.data), [1, 2, 3, 4, 9, 9, 9, 9, 9, 9], 'the input was changed');
  assert.throws(() => tilePositions({ 'pos_embed.W_pos': pos }, 2, 6), /cannot extend 2 trained positions to 6 \(W_pos has 5\)/);
  const rotary = { 'embed.W_E': other };
  assert.equal(tilePositions(rotary, 2, 5), rotary);
});

test('a batch longer than the context, or of another width, is refused by name', async () => {
  const model = new HookedTransformer(cfg);
  await assert.rejects(train(model, new RepeatSource(1, 4, 32, 16), null, tc({ steps: 1, evalEvery: 0 })), /batch source gave int64 \[4, 33\], expected int64 \[8, 17\]/);
});

/** Tokens drawn from `ids` alone for the first `restricted` batches, whose loss then ranges over them; then any id. */
class FewIdsSource implements BatchSource {
  private at = 0;
  private rng = new Rng(3);
  constructor(private readonly ids: readonly number[], private readonly restricted: number) {}
  next(): Tensor<'int64'> {
    const few = this.at++ < this.restricted;
    return rowsToTensor(Array.from({ length: 8 }, () => Array.from({ length: 17 }, () => (few ? this.ids[this.rng.int(this.ids.length)]! : this.rng.int(16)))));
  }
  lossVocabulary(): readonly number[] | null { return this.at <= this.restricted ? this.ids : null; }
  state(): unknown { return { at: this.at, rng: this.rng.state() }; }
  restore(s: unknown): void {
    const st = s as { at: number; rng: number[] };
    this.at = st.at;
    this.rng = Rng.fromState(st.rng);
  }
  describe(): string { return 'few ids'; }
}

test('a loss over a few ids: the softmax over those alone, by hand; the other ids get no gradient', async () => {
  const ids = [1, 3, 4, 7, 9];
  const model = new HookedTransformer(cfg);
  const batch = new FewIdsSource(ids, 1).next();
  const opt = tc({ weightDecay: 0.1 });
  const restricted = new TrainStep(model, 8, 16, opt, 0, ids);
  const full = new TrainStep(model, 8, 16, opt);
  // By hand from the model's logits (float64): the loss, and the gradient of b_U (softmax over the ids - onehot,
  // averaged over the 8 x 16 predictions), whose norm the step reports.
  const rows = Array.from({ length: 8 }, (_, b) => Array.from({ length: 17 }, (_, i) => Number(batch.data[b * 17 + i])));
  const logits = (await model.run(rowsToTensor(rows.map((r) => r.slice(0, 16))))).data;
  let loss = 0;
  let fullLoss = 0;
  const gradBU = new Float64Array(16);
  for (let b = 0; b < 8; b++) {
    for (let p = 0; p < 16; p++) {
      const l = (t: number) => logits[(b * 16 + p) * 16 + t]!;
      const target = rows[b]![p + 1]!;
      const z = ids.reduce((s, t) => s + Math.exp(l(t)), 0);
      const zAll = Array.from({ length: 16 }, (_, t) => Math.exp(l(t))).reduce((a, c) => a + c, 0);
      loss += (Math.log(z) - l(target)) / 128;
      fullLoss += (Math.log(zAll) - l(target)) / 128;
      for (const t of ids) gradBU[t]! += (Math.exp(l(t)) / z - (t === target ? 1 : 0)) / 128;
    }
  }
  const before = { ...model.weights };
  const fullResult = await new TrainStep(new HookedTransformer(cfg), 8, 16, opt).run(batch, 0.01);
  const r = await restricted.run(batch, 0.01);
  assert.ok(Math.abs(r.loss - loss) < 1e-5, `loss ${r.loss}, by hand ${loss}`);
  assert.ok(Math.abs(fullResult.loss - fullLoss) < 1e-5, `the whole vocabulary's loss ${fullResult.loss}, by hand ${fullLoss}`);
  assert.ok(fullLoss > loss + 0.5, 'the restriction changes the loss');
  const norm = Math.hypot(...gradBU);
  assert.ok(Math.abs(r.gradNorms['unembed.b_U']! - norm) < 1e-5 * norm, `b_U gradient norm ${r.gradNorms['unembed.b_U']}, by hand ${norm}`);
  // The other ids: b_U (not decayed) exactly as it was, W_U's columns only decayed (lr x weight decay = 1e-3).
  const bU = model.weights['unembed.b_U']!.data;
  const WU = model.weights['unembed.W_U']!.data;
  const WU0 = before['unembed.W_U']!.data;
  for (let t = 0; t < 16; t++) {
    const inSet = ids.includes(t);
    if (!inSet) assert.equal(bU[t], before['unembed.b_U']!.data[t], `b_U[${t}]`);
    let moved = 0;
    for (let d = 0; d < 32; d++) moved = Math.max(moved, Math.abs(WU[d * 16 + t]! - WU0[d * 16 + t]! * (1 - 1e-3)));
    if (inSet) assert.ok(moved > 1e-4, `W_U column ${t} was trained`);
    else assert.ok(moved < 1e-7, `W_U column ${t} moved ${moved} beyond its decay`);
  }
  assert.equal(full.lossVocabulary, null);
  assert.throws(() => new TrainStep(model, 8, 16, opt, 0, [3, 16]), /loss vocabulary: expected ids in 0\.\.15, got \[3, 16\]/);
});

test('the trainer restricts the loss while the source says so, then hands AdamW on to the whole vocabulary\'s step', async () => {
  const ids = [0, 2, 5, 11];
  const { model, records } = await run({ steps: 6 }, undefined, undefined, false, new FewIdsSource(ids, 3));
  assert.deepEqual(records.map((r) => r.loss_vocabulary), [4, 4, 4, undefined, undefined, undefined]);
  // By hand: three restricted steps, then the same shape over every id with AdamW's moments and count carried.
  const byHand = new HookedTransformer(cfg);
  const src = new FewIdsSource(ids, 3);
  const opt = tc({ steps: 6 });
  const lr = (s: number) => learningRate(s, { lr: 3e-3, warmup: 3, total: 6 });
  const few = new TrainStep(byHand, 8, 16, opt, 0, ids);
  for (let s = 0; s < 3; s++) await few.run(src.next(), lr(s));
  const all = new TrainStep(byHand, 8, 16, opt);
  all.m = { ...few.m };
  all.v = { ...few.v };
  all.t = few.t;
  for (let s = 3; s < 6; s++) await all.run(src.next(), lr(s));
  for (const [n, w] of Object.entries(model.weights)) assert.deepEqual(Array.from(w.data), Array.from(byHand.weights[n]!.data), n);
});
