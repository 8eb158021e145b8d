// The architecture the README promises, checked on the sources themselves:
// (a) no file under src/ imports itself through a cycle of imports. Only imports that load a module at run time
//     count: `import type` / `export type`, and imports whose every name is marked `type`, vanish when compiled
//     and cannot make a module run before its dependencies, so a cycle through them is allowed (a type
//     naturally refers back to the module that uses it). Dynamic `import()` runs later, when every static import
//     has loaded, so it does not count either.
// (b) the core (engine, linalg, model, tokenize, data, train, analysis) runs in the browser: it imports no Node
//     built-in (node:*, fs, path, ...) and no onnxruntime-node, nothing from src/io, src/cli, src/ui or
//     src/browser, and never reads Math.random or process. The browser entry and the UI (src/browser, src/ui)
//     import no Node built-in either. A folder that does not exist yet is checked as soon as it does.
// (c) a command (src/cli/commands/*) imports no other command: what two commands share lives in the library or
//     in src/cli beside them.
// (d) no source file under src/ is longer than 400 lines: past that it is probably two files.
// Sources are src/**/*.ts(x) but declaration files and tests kept beside their code (*.test.ts).
// This replaces test/data/browserSafe.test.ts, which covered data and tokenize only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const SRC = join(ROOT, 'src');
const EXTENSIONS = ['.ts', '.tsx', '.mts'];

/** The core: pure TypeScript that runs in Node and in the browser alike. `linalg` may not exist yet. */
const CORE = ['engine', 'linalg', 'model', 'tokenize', 'data', 'train', 'analysis'];
/** Core folders that exist today (their absence would mean the check silently covers nothing). */
const CORE_REQUIRED = ['engine', 'model', 'tokenize', 'data', 'train', 'analysis'];
/** Folders the core must not import from: Node's side and the front ends. */
const EDGES = ['io', 'cli', 'ui', 'browser'];
/** Front ends that run in the page: no Node built-ins. Either may not exist yet. */
const BROWSER_SIDE = ['browser', 'ui'];
const MAX_LINES = 400;

interface Import {
  specifier: string;
  /** Erased by the compiler (`import type`, or every imported name marked `type`). */
  typeOnly: boolean;
  /** `import('...')`: evaluated when called, not when the module loads. */
  dynamic: boolean;
  line: number;
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return walk(p);
    // Tests kept beside their component (src/ui/**/*.test.ts) run in Node and ship nowhere: not sources.
    return EXTENSIONS.some((e) => f.endsWith(e)) && !f.endsWith('.d.ts') && !/\.(test|spec)\.tsx?$/.test(f) ? [p] : [];
  });
}

/** The source without comments (string contents kept), so a comment that mentions `process.` does not count. */
function stripComments(src: string): string {
  let out = '';
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    const next = src[i + 1];
    if (c === '/' && next === '/') {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (c === '/' && next === '*') {
      const end = src.indexOf('*/', i + 2);
      const stop = end < 0 ? src.length : end + 2;
      out += src.slice(i, stop).replace(/[^\n]/g, ' ');
      i = stop;
    } else if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < src.length && src[j] !== c) j += src[j] === '\\' ? 2 : 1;
      out += src.slice(i, j + 1);
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

const lineOf = (src: string, index: number) => src.slice(0, index).split('\n').length;

function parseImports(raw: string): Import[] {
  const src = stripComments(raw);
  const out: Import[] = [];
  const staticRe = /(?:^|[;\n])\s*(import|export)\s+(type\s+)?([^;'"]*?)\s*from\s*['"]([^'"]+)['"]/g;
  for (const m of src.matchAll(staticRe)) {
    const clause = m[3]!.trim();
    const names = /^\{([\s\S]*)\}$/.exec(clause)?.[1]?.split(',').map((s) => s.trim()).filter(Boolean);
    const allTypes = !!names && names.length > 0 && names.every((n) => n.startsWith('type '));
    out.push({ specifier: m[4]!, typeOnly: !!m[2] || allTypes, dynamic: false, line: lineOf(src, m.index) });
  }
  for (const m of src.matchAll(/(?:^|[;\n])\s*import\s*['"]([^'"]+)['"]/g)) {
    out.push({ specifier: m[1]!, typeOnly: false, dynamic: false, line: lineOf(src, m.index) });
  }
  for (const m of src.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    out.push({ specifier: m[1]!, typeOnly: false, dynamic: true, line: lineOf(src, m.index) });
  }
  return out;
}

/** The file a relative specifier names (`./x.js` is `./x.ts` in the sources), or null outside the sources. */
function resolveRelative(from: string, specifier: string): string | null {
  const base = resolve(dirname(from), specifier);
  const stem = base.replace(/\.(m?js|jsx)$/, '');
  for (const cand of [base, ...EXTENSIONS.map((e) => stem + e), ...EXTENSIONS.map((e) => join(base, `index${e}`))]) {
    if (existsSync(cand) && statSync(cand).isFile()) return cand;
  }
  return null;
}

const NODE_BUILTINS = new Set(builtinModules);
const isNodeBuiltin = (s: string) => s.startsWith('node:') || NODE_BUILTINS.has(s) || NODE_BUILTINS.has(s.split('/')[0]!);
const rel = (p: string) => relative(ROOT, p).split(sep).join('/');
const folderOf = (p: string) => relative(SRC, p).split(sep)[0]!;

const files = walk(SRC);
const sources = new Map(files.map((f) => [f, readFileSync(f, 'utf8')]));
const imports = new Map(files.map((f) => [f, parseImports(sources.get(f)!)]));

test('the import parser sees static, side-effect, type-only and dynamic imports', () => {
  const parsed = parseImports([
    "import { a, type B } from './a.js';",
    "import type { C } from './c.js';",
    "import {\n  type D,\n  type E,\n} from './d.js';",
    "export * from './e.js';",
    "export type { F } from './f.js';",
    "import './g.js';",
    "// import { h } from './h.js';",
    "const i = await import('./i.js');",
  ].join('\n'));
  assert.deepEqual(parsed.map((i) => [i.specifier, i.typeOnly, i.dynamic]), [
    ['./a.js', false, false], ['./c.js', true, false], ['./d.js', true, false], ['./e.js', false, false],
    ['./f.js', true, false], ['./g.js', false, false], ['./i.js', false, true],
  ]);
});

test('every relative import under src/ names a source file', () => {
  const bad: string[] = [];
  for (const [f, list] of imports) {
    for (const i of list) if (i.specifier.startsWith('.') && !resolveRelative(f, i.specifier)) bad.push(`${rel(f)}:${i.line} ${i.specifier}`);
  }
  assert.deepEqual(bad, [], 'unresolved imports (the cycle check would miss their edges)');
});

/** Strongly connected components of more than one file, or a file importing itself (Tarjan): the cycles. */
function findCycles(edges: ReadonlyMap<string, readonly string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || (edges.get(v) ?? []).includes(v)) cycles.push(comp.sort());
    }
  };
  for (const v of edges.keys()) if (!idx.has(v)) visit(v);
  return cycles;
}

test('the cycle finder finds cycles and only cycles', () => {
  const g = new Map([['a', ['b']], ['b', ['c']], ['c', ['a', 'd']], ['d', []], ['e', ['e']], ['f', ['d']]]);
  assert.deepEqual(findCycles(g), [['a', 'b', 'c'], ['e']]);
});

test('no import cycles between files under src/ (imports that load modules at run time)', () => {
  const edges = new Map<string, string[]>();
  for (const [f, list] of imports) {
    edges.set(rel(f), list.filter((i) => !i.typeOnly && !i.dynamic && i.specifier.startsWith('.'))
      .map((i) => resolveRelative(f, i.specifier)).filter((t): t is string => t !== null && sources.has(t)).map(rel));
  }
  assert.deepEqual(findCycles(edges), [], 'files that import each other in a cycle');
});

for (const folder of CORE) {
  test(`src/${folder} (core) imports no Node built-in and nothing from ${EDGES.map((e) => `src/${e}`).join(', ')}`, (t) => {
    const dir = join(SRC, folder);
    const mine = files.filter((f) => folderOf(f) === folder);
    if (CORE_REQUIRED.includes(folder)) assert.ok(mine.length > 0, `src/${folder} has source files`);
    else if (mine.length === 0) return t.skip(`src/${folder} does not exist yet`);
    const bad: string[] = [];
    for (const f of mine) {
      for (const i of imports.get(f)!) {
        const where = `${rel(f)}:${i.line} imports ${i.specifier}`;
        if (isNodeBuiltin(i.specifier) || i.specifier === 'onnxruntime-node') bad.push(where);
        else if (i.specifier.startsWith('.')) {
          const target = resolveRelative(f, i.specifier);
          if (target && !relative(SRC, target).startsWith('..') && EDGES.includes(folderOf(target))) bad.push(where);
        }
      }
    }
    assert.deepEqual(bad, [], `${dir}: the core must run in the browser`);
  });

  test(`src/${folder} (core) never reads Math.random or process`, (t) => {
    const mine = files.filter((f) => folderOf(f) === folder);
    if (mine.length === 0) return t.skip(`src/${folder} does not exist yet`);
    const bad: string[] = [];
    for (const f of mine) {
      const code = stripComments(sources.get(f)!);
      for (const m of code.matchAll(/Math\.random\b|(?<![.\w])process\./g)) bad.push(`${rel(f)}:${lineOf(code, m.index)} ${m[0]}`);
    }
    // Randomness comes from the seeded Rng (runs reproduce and resume exactly); the environment from the caller.
    assert.deepEqual(bad, []);
  });
}

for (const folder of BROWSER_SIDE) {
  test(`src/${folder} (in the page) imports no Node built-in`, (t) => {
    const mine = files.filter((f) => folderOf(f) === folder);
    if (mine.length === 0) return t.skip(`src/${folder} does not exist yet`);
    const bad = mine.flatMap((f) => imports.get(f)!.filter((i) => isNodeBuiltin(i.specifier) || i.specifier === 'onnxruntime-node')
      .map((i) => `${rel(f)}:${i.line} imports ${i.specifier}`));
    assert.deepEqual(bad, []);
  });
}

test('no command imports another command', () => {
  const commands = join(SRC, 'cli', 'commands');
  const bad: string[] = [];
  for (const f of files.filter((g) => dirname(g) === commands)) {
    for (const i of imports.get(f)!) {
      const target = i.specifier.startsWith('.') ? resolveRelative(f, i.specifier) : null;
      if (target && dirname(target) === commands) bad.push(`${rel(f)}:${i.line} imports ${i.specifier}`);
    }
  }
  assert.deepEqual(bad, []);
});

test(`no source file under src/ is longer than ${MAX_LINES} lines`, () => {
  const long = files.map((f) => [rel(f), sources.get(f)!.split('\n').length - (sources.get(f)!.endsWith('\n') ? 1 : 0)] as const)
    .filter(([, n]) => n > MAX_LINES).map(([f, n]) => `${f}: ${n} lines`);
  assert.deepEqual(long, []);
});
