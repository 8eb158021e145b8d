import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeModelDir } from '../../src/io/modelDir.js';
import { parseReferenceCircuit } from '../../src/analysis/discovery/index.js';
import { handBuiltInduction } from '../analysis/discovery/handBuilt.js';
import { cli } from './run.js';

const FIRST_HALF = ['embed->L0H0.v', 'L0H0->L1H0.k', 'embed->L1H0.v', 'L1H0->logits'];

async function handBuiltDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cs-discover-'));
  const m = handBuiltInduction();
  await writeModelDir(join(dir, 'model'), m.cfg, m.weights);
  return dir;
}

test('discover --corrupt first-half --reference: the K-composition path ranked first, ROC AUC 1, Graphviz written', async () => {
  const dir = await handBuiltDir();
  const ref = join(dir, 'ref.json');
  await writeFile(ref, JSON.stringify(FIRST_HALF));
  const dot = join(dir, 'circuit.dot');
  const r = await cli(['discover', join(dir, 'model'), '--task', 'induction', '--corrupt', 'first-half', '--method', 'eap', '--top', '4', '--reference', ref, '--dot', dot, '--no-process']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /eap on induction \(logprob/);
  assert.match(r.stdout, /ROC AUC against .*ref\.json \(4 edges\): 1\.000/);
  const shown = r.stdout.split('\n').filter((l) => l.includes(' -> ')).map((l) => l.trim().split(/\s+/).slice(0, 3).join('').replace('->', '->'));
  assert.deepEqual(shown.sort(), [...FIRST_HALF].sort());
  assert.match(await readFile(dot, 'utf8'), /"L0H0" -> "L1H0\.k"/);
  const j = await cli(['discover', join(dir, 'model'), '--task', 'induction', '--corrupt', 'first-half', '--method', 'eap', '--reference', ref, '--json', '--no-process']);
  assert.equal((JSON.parse(j.stdout) as { reference: { rocAuc: number } }).reference.rocAuc, 1);
});

test('discover: a bad reference or corruption is one line and exit 2', async () => {
  const dir = await handBuiltDir();
  const ref = join(dir, 'bad.json');
  await writeFile(ref, JSON.stringify(['L0H0->L1H0.k', 'L5H0->logits']));
  const r = await cli(['discover', join(dir, 'model'), '--task', 'induction', '--method', 'eap', '--reference', ref]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /bad\.json: edges\[1\] "L5H0->logits" is not an edge of this model's graph/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  const c = await cli(['discover', join(dir, 'model'), '--task', 'induction', '--corrupt', 'half', '--method', 'eap']);
  assert.equal(c.code, 2);
  assert.match(c.stderr, /--corrupt must be one of resample, second-half, first-half \(got half\)/);
  const m = await cli(['discover', join(dir, 'model'), '--task', 'induction', '--method', 'eap', '--reference', join(dir, 'none.json')]);
  assert.equal(m.code, 2);
  assert.match(m.stderr, /--reference .*none\.json: no such file/);
});

test('parseReferenceCircuit reads edge lists and discover --json output (its kept edges)', () => {
  const known = new Set(['embed->L0H0.v', 'L0H0->L1H0.k', 'L1H0->logits']);
  assert.deepEqual([...parseReferenceCircuit(['L0H0 -> L1H0.k'], 'r.json', known)], ['L0H0->L1H0.k']);
  const fromDiscover = { nodes: [], edges: [{ from: 'L0H0', to: 'L1H0.k', score: 1, kept: true }, { from: 'L1H0', to: 'logits', score: 0.1, kept: false }] };
  assert.deepEqual([...parseReferenceCircuit(fromDiscover, 'r.json', known)], ['L0H0->L1H0.k']);
  assert.throws(() => parseReferenceCircuit({ edges: 3 }, 'r.json', known), /^InputError: r\.json: a reference circuit must be/);
  assert.throws(() => parseReferenceCircuit([], 'r.json', known), /r\.json: the reference circuit has no edges/);
  assert.throws(() => parseReferenceCircuit([7], 'r.json', known), /r\.json: edges\[0\] must be "from->to"/);
});
