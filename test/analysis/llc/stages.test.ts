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
