import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// src/data and src/tokenize run in the browser too (DESIGN.md): file access belongs in src/io.
const NODE_BUILTINS = /from ['"](node:[a-z_/]+|fs|fs\/promises|path|os|process|child_process|url|module|crypto|buffer|stream)['"]/;

for (const dir of ['src/data', 'src/tokenize']) {
  test(`${dir} imports no Node built-in and never calls Math.random`, () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
    assert.ok(files.length > 0);
    for (const f of files) {
      const src = readFileSync(join(dir, f), 'utf8');
      assert.equal(NODE_BUILTINS.exec(src)?.[0] ?? null, null, `${dir}/${f}`);
      assert.equal(src.includes('Math.random'), false, `${dir}/${f}`);
      assert.equal(/\bprocess\./.test(src), false, `${dir}/${f}`);
    }
  });
}
