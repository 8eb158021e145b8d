import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../src/engine/errors.js';
import { Rng } from '../../src/engine/random.js';
import { parseTask } from '../../src/analysis/discovery/tasks.js';
import { cli, ROOT } from '../cli/run.js';

// Seeded fuzzing of circuit discovery's JSON task files (`circuitscope discover DIR --task FILE`): every case either
// parses into a task the discovery can run (ids in the vocabulary, one length, targets inside the prompt) or is
// refused with an InputError of one line that names the file and the field. CIRCUITSCOPE_FUZZ=long runs 20 times
// as many cases; CIRCUITSCOPE_FUZZ_SEED picks another seed.

const LONG = process.env['CIRCUITSCOPE_FUZZ'] === 'long';
const N = LONG ? 40_000 : 2_000;
const SEED = Number(process.env['CIRCUITSCOPE_FUZZ_SEED'] ?? 18);
const cfg = { d_vocab: 40, n_ctx: 8 };
const FILE = 'task.json';

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng.uniform() * xs.length)]!;
const int = (rng: Rng, n: number) => Math.floor(rng.uniform() * n);

const WEIRD: readonly unknown[] = [null, true, false, -1, 0, 1.5, 39, 40, 2 ** 53, 1e300, -1e300, Infinity, NaN, '', 'ab', 'a', '\u0000',
  [], [1], [1, 2, 3, 4], [40], [-3, 1], [1.5, 2], ['a', 1], [[1]], {}, { clean: [1] }, Array(9).fill(1), Array(100).fill(0)];

/** A byte-level tokenizer over the first 40 code points: text outside it maps to the ids of its UTF-8 bytes mod 40. */
const tokenize = (s: string): number[] => [...new TextEncoder().encode(s)].map((b) => b % 40);

function validTask(rng: Rng): Record<string, unknown> {
  const len = 2 + int(rng, 6);
  const ids = () => Array.from({ length: len }, () => int(rng, cfg.d_vocab));
  const prompts = Array.from({ length: 1 + int(rng, 3) }, () => ({ clean: ids(), corrupt: ids(), answer: int(rng, cfg.d_vocab), wrong: int(rng, cfg.d_vocab), ...(rng.uniform() < 0.3 ? { position: -1 - int(rng, len) } : {}) }));
  return { ...(rng.uniform() < 0.5 ? { metric: pick(rng, ['logit_diff', 'logprob', 'prob', 'kl']) } : {}), prompts };
}

/** One to three mutations of a valid task: a field removed, replaced by something odd, a list emptied or resized. */
function mutate(rng: Rng, task: Record<string, unknown>): unknown {
  if (rng.uniform() < 0.05) return pick(rng, WEIRD);
  const prompts = task['prompts'] as Record<string, unknown>[];
  for (let k = 1 + int(rng, 3); k > 0; k--) {
    const r = rng.uniform();
    if (r < 0.1) task[pick(rng, ['metric', 'prompts'])] = pick(rng, WEIRD);
    else if (r < 0.15) delete task[pick(rng, ['metric', 'prompts'])];
    else if (!Array.isArray(task['prompts']) || prompts.length === 0) continue;
    else if (r < 0.25) prompts[int(rng, prompts.length)] = pick(rng, WEIRD) as Record<string, unknown>;
    else {
      const p = prompts[int(rng, prompts.length)];
      if (typeof p !== 'object' || p === null) continue;
      const field = pick(rng, ['clean', 'corrupt', 'answer', 'wrong', 'position']);
      const v = p[field];
      const s = rng.uniform();
      if (s < 0.2) delete p[field];
      else if (s < 0.6 || !Array.isArray(v)) p[field] = pick(rng, WEIRD);
      else if (s < 0.75) (v as unknown[])[int(rng, v.length)] = pick(rng, WEIRD);
      else if (s < 0.9) (v as unknown[]).push(int(rng, 45));
      else (v as unknown[]).pop();
    }
  }
  return task;
}

const okId = (t: unknown) => Number.isInteger(t) && (t as number) >= 0 && (t as number) < cfg.d_vocab;

test(`discovery task files: ${N} seeded cases, each parsed into a runnable task or refused in one line naming the file and field`, () => {
  const rng = new Rng(SEED);
  let refused = 0;
  for (let i = 0; i < N; i++) {
    const json = mutate(rng, validTask(rng));
    const withText = rng.uniform() < 0.5;
    const what = `case ${i} (seed ${SEED}${withText ? ', tokenizer' : ''}): ${JSON.stringify(json)?.slice(0, 300)}`;
    let task;
    try {
      task = parseTask(json, FILE, cfg, withText ? tokenize : undefined);
    } catch (e) {
      if (!(e instanceof InputError)) throw new Error(`${what}: threw ${(e as Error).name}: ${(e as Error).message}`, { cause: e });
      assert.ok(!e.message.includes('\n'), `${what}: one line, got ${JSON.stringify(e.message)}`);
      assert.match(e.message, /^task\.json: (the task|metric|prompts)\b/, what);
      refused++;
      continue;
    }
    const len = task.clean[0]!.length;
    assert.ok(len >= 1 && len <= cfg.n_ctx, `${what}: prompt length ${len}`);
    for (const seq of [...task.clean, ...task.corrupt]) {
      assert.equal(seq.length, len, `${what}: one length for every prompt`);
      assert.ok(seq.every(okId), `${what}: ids in the vocabulary`);
    }
    for (const t of task.targets) {
      assert.ok(Number.isInteger(t.pos) && t.pos >= 0 && t.pos < len, `${what}: target position ${t.pos}`);
      assert.ok(okId(t.answer) && (t.wrong === undefined || okId(t.wrong)), `${what}: answer and wrong in the vocabulary`);
      if (task.metric === 'logit_diff') assert.notEqual(t.wrong, undefined, `${what}: logit_diff needs wrong`);
    }
  }
  // The mutations are not all harmless, nor all fatal: both outcomes are exercised.
  assert.ok(refused > N / 4 && refused < N, `refused ${refused} of ${N}`);
});

test('an empty text prompt is refused, not run as a prompt of no tokens', () => {
  assert.throws(() => parseTask({ metric: 'logprob', prompts: [{ clean: '', corrupt: '', answer: 1 }] }, FILE, cfg, tokenize),
    (e: unknown) => e instanceof InputError && /^task\.json: prompts\[0\]\.clean is empty text/.test(e.message));
});

test('discover --task FILE: bad task files exit 2 with one line naming the file and the field, no stack trace', { timeout: 300_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cs-task-'));
  const model = join(ROOT, 'test', 'fixtures', 'attn-only-2l'); // d_vocab 37, n_ctx 12, no tokenizer
  const cases: [string, string | Uint8Array, RegExp][] = [
    ['binary.json', Uint8Array.from({ length: 300 }, (_, i) => (i * 37 + 11) % 256), /not valid JSON/],
    ['vocab.json', '{"prompts": [{"clean": [1, 2, 37], "corrupt": [1, 2, 3], "answer": 4, "wrong": 5}]}', /prompts\[0\]\.clean\[2\] must be a token id in 0\.\.36/],
    ['lengths.json', '{"prompts": [{"clean": [1, 2, 3], "corrupt": [1, 2], "answer": 4, "wrong": 5}]}', /prompts\[0\]\.corrupt has 2 tokens, clean has 3/],
    ['huge.json', '{"prompts": [{"clean": [1, 2], "corrupt": [1, 2], "answer": 1e400, "wrong": 5}]}', /prompts\[0\]\.answer must be a token id/],
  ];
  try {
    for (const [name, body, re] of cases) {
      const file = join(dir, name);
      await writeFile(file, body);
      const r = await cli(['discover', model, '--task', file, '--method', 'attribution']);
      const what = `${name}: ${r.stderr}`;
      assert.equal(r.code, 2, what);
      assert.equal(r.stderr.trim().split('\n').length, 1, `${what}: one line`);
      assert.ok(r.stderr.includes(file), `${what}: names the file`);
      assert.match(r.stderr, re, what);
      assert.doesNotMatch(r.stderr, /\n\s+at /, `${what}: a stack trace`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
