// reproduce's LLC-stage claims on hand-made LLC and induction-score series whose answers are known, and the choice
// of window and checkpoints they are measured over.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  inductionRise, inductionStageClaims, inductionStageReport, inductionWindow, LLC_RISES_CLAIM, LLC_STAGE_CLAIM, logStep, stageCheckpoints, type SeriesPoint,
} from '../../../src/analysis/llc/index.js';
import { checkpointSteps } from '../../../src/train/checkpointSchedule.js';

/** The induction score every 250 steps, as metrics.jsonl has it: 0.02 until 1250, 0.33 at 1500, 0.70 at 1750, 0.93 from 2000. */
const scoreAt: Record<number, number> = { 1500: 0.33, 1750: 0.7 };
const scores: SeriesPoint[] = Array.from({ length: 33 }, (_, i) => i * 250).map((s) => ({ step: s, value: scoreAt[s] ?? (s < 1500 ? 0.02 : 0.93) }));
/** The kept steps of a log:60 run of 8000 steps, and those of its curriculum (the first 2500). */
const kept = checkpointSteps({ kind: 'log', count: 60 }, 8000);
const curriculum = { data: 'curriculum' as const, from: 0, to: 2500 };

test('inductionRise: from the step before the score passes 10% of its rise to the first step past 90%', () => {
  // from 0.02 to 0.93: 10% is 0.111 (first passed at 1500, so the rise starts after 1250), 90% is 0.839 (2000).
  const r = inductionRise(scores);
  assert.deepEqual(r, { start: 1250, end: 2000, from: 0.02, to: 0.93 });
});

test('inductionWindow: the curriculum when the score started rising within it, else the steps after it', () => {
  assert.deepEqual(inductionWindow(scores, 2500, 8000), curriculum);
  assert.deepEqual(inductionWindow(scores, 1800, 8000), { data: 'curriculum', from: 0, to: 2000 }, 'the rise starts at 1250, within a curriculum of 1800, and ends at 2000, after it');
  assert.deepEqual(inductionWindow(scores, 1500, 8000), { data: 'curriculum', from: 0, to: 2000 }, 'a curriculum its loss ended within the rise');
  assert.deepEqual(inductionWindow(scores, 1500, 8000, [3000, 1743, 2030, 2364, 2754, 3209]), { data: 'curriculum', from: 0, to: 2754 }, 'on to the first kept checkpoint at or after the rise (1250-2000) and as long again');
  assert.deepEqual(inductionWindow(scores, 1500, 2600, [1743, 2030, 2364, 2600]), { data: 'curriculum', from: 0, to: 2600 }, 'no later than the run\'s last step');
  assert.deepEqual(inductionWindow(scores, 1500, 8000, [1743, 2030, 2364]), { data: 'curriculum', from: 0, to: 2364 }, 'the last kept checkpoint when none is that late');
  assert.deepEqual(inductionWindow(scores, 2500, 8000, [3000]), curriculum, 'a curriculum that outlasted the rise keeps its own end');
  assert.deepEqual(inductionWindow(scores, 1250, 8000), { data: 'mix', from: 1250, to: 8000 }, 'the rise starts at 1250, when a curriculum of 1250 ends');
  assert.deepEqual(inductionWindow(scores, 0, 8000), { data: 'mix', from: 0, to: 8000 });
});

test('stageCheckpoints: at most max, log-spread from a quarter of the rise start, with the checkpoints either side of the rise', () => {
  const steps = stageCheckpoints(kept, { start: 1250, end: 2000 }, curriculum, { max: 8 });
  assert.equal(steps.length, 8);
  assert.deepEqual(steps, [...steps].sort((a, b) => a - b));
  assert.ok(steps.every((s) => kept.includes(s) && s >= 1250 / 4 && s <= 2500), steps.join(' '));
  // log:60 of 8000 keeps ... 947 1103 1285 ... 1743 2030 2364: 1103 is the last at or before 1250, 2030 the first at or after 2000.
  assert.ok(steps.includes(1103) && steps.includes(2030), steps.join(' '));
  assert.equal(steps[0], 326, 'the first kept step at or after 1250 / 4');
  assert.equal(steps.at(-1), 2364, 'the last kept step within the curriculum');
  // Spread over ln(step + 1): no gap more than twice the even spacing.
  const gaps = steps.slice(1).map((s, i) => logStep(s) - logStep(steps[i]!));
  const even = (logStep(2364) - logStep(326)) / 7;
  assert.ok(Math.max(...gaps) < 2 * even, gaps.map((g) => g.toFixed(2)).join(' '));
  // Fewer candidates than max: all of them.
  assert.deepEqual(stageCheckpoints([0, 100, 400, 1200, 2100, 2400, 3000], { start: 1250, end: 2000 }, curriculum, { max: 8 }), [400, 1200, 2100, 2400]);
  // The window bounds the choice: after the curriculum, steps from its end on.
  const mix = stageCheckpoints(kept, { start: 3000, end: 4000 }, { from: 2500, to: 8000 }, { max: 5 });
  assert.ok(mix.every((s) => s >= 2500), mix.join(' '));
  assert.ok(mix.includes(2754) && mix.includes(4349), `before 3000 and after 4000: ${mix.join(' ')}`);
});

/** The eight checkpoints stageCheckpoints picks above, and LLC values at them. */
const eight = [326, 442, 599, 813, 1103, 1497, 2030, 2364];
const at = (values: readonly number[], std = 0.5, warnings: string[] = []) => eight.map((step, i) => ({ step, llcMean: values[i]!, llcStd: std, warnings }));
const series = (points: readonly { step: number; llcMean: number }[]) => points.map((p) => ({ step: p.step, value: p.llcMean }));
const curriculumScores = scores.filter((p) => p.step <= 2500);

test('inductionStageClaims: both hold when the LLC is higher after the rise and peaks inside it', () => {
  // Flat at 1, a peak of 30 at step 1497 (inside the rise, 1250-2000), 4 at 2030: after - before = 2 > 0.5 + 0.5.
  const points = at([1, 1, 1, 1.2, 2, 30, 4, 2]);
  const report = inductionStageReport(series(points), curriculumScores);
  const claims = inductionStageClaims({ report, window: curriculum, points, settings: '2 chains' });
  assert.deepEqual(claims.map((c) => c.claim), [LLC_RISES_CLAIM, LLC_STAGE_CLAIM]);
  assert.ok(claims[0]!.holds, claims[0]!.measured);
  assert.equal(claims[0]!.measured, 'LLC 2.0 ± 0.5 at step 1103 -> 4.0 ± 0.5 at step 2030 while the induction score rises 0.02 -> 0.93 over steps 1250-2000; '
    + 'LLC on the curriculum\'s data (steps 0-2500, the induction task) at 8 checkpoints, 2 chains, 0 chain warnings');
  assert.ok(claims[1]!.holds, claims[1]!.measured);
  assert.match(claims[1]!.measured, /^stage boundaries at steps 1497 \(peak\); the induction score rises 0\.02 -> 0\.93 over steps 1250-2000 \(checkpoints 1103-2030\); LLC by step: 326 1\.00, 442 1\.00, 599 1\.00, 813 1\.20, 1103 2\.00, 1497 30\.00, 2030 4\.00, 2364 2\.00$/);
});

test('inductionStageClaims: a trough whose flat stretch ends as the rise starts counts, and the line says so', () => {
  // Falls to 1, flat (within 0.1) over steps 599-1103, then climbs as the score rises (1250-2000).
  const points = at([3, 2, 1.05, 1, 1.08, 8, 9, 9.5]);
  const report = inductionStageReport(series(points), curriculumScores);
  assert.equal(report.boundaries.length, 1);
  assert.ok(report.boundaries[0]!.step < 1103, `smoothing puts the trough at ${report.boundaries[0]!.step}, before the rise's checkpoints`);
  const [, stage] = inductionStageClaims({ report, window: curriculum, points });
  assert.ok(stage!.holds, stage!.measured);
  assert.match(stage!.measured, /^stage boundaries at steps (599|813) \(trough, flat over 599-1103\); the induction score rises/);
});

test('inductionStageClaims: fail when the LLC turns outside the rise, falls across it, or moves less than the chains spread', () => {
  // A peak at step 599-813, before the rise; the LLC falls from 16 to 9 across it.
  const early = at([1, 12, 24, 20, 16, 12, 9, 8]);
  const r1 = inductionStageReport(series(early), curriculumScores);
  const [rises, stage] = inductionStageClaims({ report: r1, window: curriculum, points: early });
  assert.equal(rises!.holds, false, rises!.measured);
  assert.equal(stage!.holds, false, stage!.measured);
  assert.ok(r1.boundaries.length === 1 && r1.boundaries[0]!.step < 1103, JSON.stringify(r1.boundaries));
  // Higher after than before (2 -> 4), but by less than the two chains' standard deviations together (2 + 2).
  const noisy = at([1, 1, 1, 1.2, 2, 30, 4, 2], 2);
  assert.equal(inductionStageClaims({ report: inductionStageReport(series(noisy), curriculumScores), window: curriculum, points: noisy })[0]!.holds, false);
  // A flat LLC has no turn at all.
  const flat = at([5, 5, 5, 5, 5, 5, 5, 5], 0.1, ['chain 0 is still drifting']);
  const c3 = inductionStageClaims({ report: inductionStageReport(series(flat), curriculumScores), window: curriculum, points: flat });
  assert.equal(c3[1]!.holds, false);
  assert.match(c3[1]!.measured, /^no stage boundary: the smoothed LLC does not turn over steps 326-2364/);
  assert.match(c3[0]!.measured, /8 chain warnings$/);
});

test('inductionStageClaims: no checkpoint after the rise, or none at all, fails both with the reason', () => {
  const points = at([1, 1, 1, 1.2, 2, 30]).slice(0, 6);
  const report = inductionStageReport(series(points), scores);
  const [rises] = inductionStageClaims({ report, window: curriculum, points });
  assert.equal(rises!.holds, false);
  assert.match(rises!.measured, /^no checkpoint at or after step 2000 within steps 0-2500/);
  const none = inductionStageClaims({ unavailable: 'not measured: runs/2l: no checkpoints/ folder' });
  assert.deepEqual(none.map((c) => [c.holds, c.measured]), [[false, 'not measured: runs/2l: no checkpoints/ folder'], [false, 'not measured: runs/2l: no checkpoints/ folder']]);
});
