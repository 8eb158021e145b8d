// The stage finder on synthetic LLC curves with known turns, and inductionStageReport on synthetic series.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../../src/engine/index.js';
import { findStages, inductionScoreSeries, inductionStageReport, logStep } from '../../../src/analysis/llc/index.js';

/** 40 checkpoints log-spaced from step 1 to 100k (and step 0). */
const steps = [0, ...Array.from({ length: 40 }, (_, i) => Math.round(Math.exp((i / 39) * Math.log(1e5))))].filter((s, i, a) => a.indexOf(s) === i);
const spacing = Math.log(1e5) / 39;

test('findStages: the turns of a curve over log-step, through noise', () => {
  // f = sin(π x / 4) of x = ln(step + 1): maxima at x = 2 and 10, a minimum at x = 6.
  const rng = new Rng(7);
  const pts = steps.map((s) => ({ step: s, value: Math.sin((Math.PI * logStep(s)) / 4) + 0.05 * rng.normal() }));
  const r = findStages(pts);
  assert.deepEqual(r.boundaries.map((b) => b.kind), ['max', 'min', 'max']);
  [2, 6, 10].forEach((x, k) => {
    const got = logStep(r.boundaries[k]!.step);
    assert.ok(Math.abs(got - x) <= 1.5 * spacing, `turn ${k} at ln(step + 1) = ${got.toFixed(2)}, expected ${x} (checkpoint spacing ${spacing.toFixed(2)})`);
  });
  assert.equal(r.stages.length, 4);
  assert.deepEqual(r.stages.map((s) => s.trend), ['rising', 'falling', 'rising', 'falling']);
  assert.equal(r.stages[0]!.start, 0);
  assert.equal(r.stages.at(-1)!.end, 1e5);
});

test('findStages: a monotone noisy curve has no turn; noise alone is not a stage', () => {
  const rng = new Rng(8);
  const rising = steps.map((s) => ({ step: s, value: 10 * (1 - Math.exp(-logStep(s) / 4)) + 0.1 * rng.normal() }));
  assert.deepEqual(findStages(rising).boundaries, []);
  assert.deepEqual(findStages(rising).stages.map((s) => s.trend), ['rising']);
  // Without smoothing (tiny bandwidth) the noise makes turns; the prominence filter still removes them.
  assert.deepEqual(findStages(rising, { bandwidth: 1e-3, minProminence: 0.1 }).boundaries, []);
  assert.ok(findStages(rising, { bandwidth: 1e-3, minProminence: 0 }).boundaries.length > 0, 'unsmoothed and unfiltered, the noise does turn');
});

test('inductionStageReport: LLC before and after the rise, and whether a boundary falls inside it', () => {
  const sig = (s: number) => 1 / (1 + Math.exp(-(s - 1250) / 60)); // the score rises between ~1100 and ~1400
  const score = Array.from({ length: 401 }, (_, i) => i * 50).map((s) => ({ step: s, value: 0.05 + 0.9 * sig(s) })); // every 50 steps, as metrics.jsonl
  const ckpts = [0, ...Array.from({ length: 25 }, (_, i) => Math.round(Math.exp((i / 24) * Math.log(20000))))].filter((s, i, a) => a.indexOf(s) === i); // log:25
  const bump = (centre: number) => ckpts.map((s) => ({ step: s, value: 5 + 20 * Math.exp(-0.5 * ((logStep(s) - logStep(centre)) / 0.4) ** 2) + 0.5 * logStep(s) }));
  const inside = inductionStageReport(bump(1250), score);
  assert.ok(inside.rise.start >= 1050 && inside.rise.start <= 1150, `rise starts at ${inside.rise.start}`);
  assert.ok(inside.rise.end >= 1350 && inside.rise.end <= 1450, `rise ends at ${inside.rise.end}`);
  assert.ok(inside.boundaryInRise, `boundaries ${JSON.stringify(inside.boundaries)}`);
  assert.ok(inside.llcBefore!.step <= inside.rise.start && inside.llcAfter!.step >= inside.rise.end);
  assert.equal(inside.llcBefore!.llc, bump(1250).find((p) => p.step === inside.llcBefore!.step)!.value);
  const outside = inductionStageReport(bump(8000), score);
  assert.ok(outside.boundaries.length > 0, 'the bump at 8000 is a stage boundary');
  assert.equal(outside.boundaryInRise, false);
});

test('inductionScoreSeries: the largest head score at each step that has head scores', () => {
  const records = [
    { step: 0, loss: 5 },
    { step: 10, induction_scores: [[0.1, 0.3], [0.2, 0.05]] },
    { step: 20, induction_scores: [[0.1, 0.2], [0.9, 0.05]] },
  ];
  assert.deepEqual(inductionScoreSeries(records), [{ step: 10, value: 0.3 }, { step: 20, value: 0.9 }]);
});

test('findStages: a flat curve has no turn, whatever its rounding errors', () => {
  // Smoothing eight equal values leaves errors of ~1e-15 whose signs alternate; they are not stages.
  const flat = [326, 442, 599, 813, 1103, 1497, 2030, 2364].map((step) => ({ step, value: 5 }));
  const r = findStages(flat);
  assert.deepEqual(r.boundaries, []);
  assert.deepEqual(r.stages.map((s) => s.trend), ['flat']);
});

test('findStages: a turn in a flat stretch carries the stretch, from the measured values', () => {
  // Falls, sits flat (within 0.1, the noise), then climbs: the smoothed minimum lands somewhere in the flat stretch,
  // and the stretch is every checkpoint whose value is within the tolerance of the lowest measured one.
  const values = [5, 4, 3, 2.2, 1.0, 1.08, 0.98, 1.05, 3, 6, 8, 9];
  const pts = values.map((value, i) => ({ step: Math.round(100 * 1.3 ** i), value }));
  const r = findStages(pts);
  assert.equal(r.boundaries.length, 1);
  const b = r.boundaries[0]!;
  assert.equal(b.kind, 'min');
  const range = Math.max(...r.smoothed.map((p) => p.value)) - Math.min(...r.smoothed.map((p) => p.value));
  const near = pts.filter((p) => p.value <= 0.98 + 0.05 * range).map((p) => p.step);
  assert.deepEqual(near, [4, 5, 6, 7].map((i) => pts[i]!.step), `the flat checkpoints (tolerance ${(0.05 * range).toFixed(2)})`);
  assert.deepEqual(b.flat, { from: pts[4]!.step, to: pts[7]!.step });
  assert.ok(b.step >= b.flat.from && b.step <= b.flat.to);
  // A sharp V: the stretch is the turn alone.
  const v = [5, 4, 3, 2, 1, 2, 3, 4, 5].map((value, i) => ({ step: Math.round(100 * 1.3 ** i), value }));
  const sharp = findStages(v).boundaries;
  assert.equal(sharp.length, 1);
  assert.deepEqual(sharp[0]!.flat, { from: sharp[0]!.step, to: sharp[0]!.step });
  assert.equal(sharp[0]!.step, v[4]!.step);
});

test('inductionStageReport: a flat bottom counts where it ends, not where smoothing puts its minimum', () => {
  // The score rises from step 1300 to 2000 (every 100 steps); the LLC checkpoints are log-spaced.
  const score = Array.from({ length: 31 }, (_, i) => i * 100).map((s) => ({ step: s, value: s <= 1300 ? 0.02 : s >= 2000 ? 0.9 : 0.02 + (0.88 * (s - 1300)) / 700 }));
  const ckpts = [300, 380, 440, 500, 580, 660, 760, 880, 1000, 1160, 1330, 1530, 1750, 2010, 2310, 2650, 3000];
  const llc = (flatUntil: number) => ckpts.map((step) => ({
    step,
    // Falls to 1 by step 760, flat (within 0.1) until `flatUntil`, then climbs to 7.
    value: step < 760 ? 1 + 1.5 * Math.log(760 / step) : step <= flatUntil ? 1 + (ckpts.indexOf(step) % 2) * 0.08 : 7 - 6 * Math.exp(-(step - flatUntil) / 300),
  }));
  const onset = inductionStageReport(llc(1160), score);
  assert.equal(onset.llcBefore!.step, 1160);
  assert.equal(onset.boundaries.length, 1);
  assert.equal(onset.boundaries[0]!.kind, 'min');
  assert.ok(onset.boundaries[0]!.step < 1160, `smoothing puts the minimum at ${onset.boundaries[0]!.step}, inside the flat stretch`);
  assert.equal(onset.boundaries[0]!.flat.to, 1160);
  assert.ok(onset.boundaryInRise, 'the LLC leaves its flat bottom as the score starts rising');
  // The LLC leaving its bottom 500 steps before the score moves is no boundary in the rise.
  const early = inductionStageReport(llc(660), score);
  assert.equal(early.boundaries.length, 1);
  assert.ok(early.boundaries[0]!.flat.to < 1160, `flat until ${early.boundaries[0]!.flat.to}`);
  assert.equal(early.boundaryInRise, false);
});
