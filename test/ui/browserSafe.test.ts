import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

// src/ui runs in the browser (and its bundle is inlined into reports): no Node built-ins, no process.
const NODE_BUILTINS = /from ['"](node:[a-z_/]+|fs|fs\/promises|path|os|process|child_process|url|module|crypto|buffer|stream)['"]/;

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return walk(p);
    return /\.tsx?$/.test(p) && !/\.test\.tsx?$/.test(p) ? [p] : [];
  });
}

test('src/ui imports no Node built-in', () => {
  const files = walk('src/ui');
  assert.ok(files.length > 10);
  for (const f of files) {
    const src = readFileSync(f, 'utf8');
    assert.equal(NODE_BUILTINS.exec(src)?.[0] ?? null, null, f);
    assert.equal(/\bprocess\.(env|argv|exit|cwd)/.test(src), false, f);
  }
});
