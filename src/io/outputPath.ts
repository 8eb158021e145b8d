import { randomBytes } from 'node:crypto';
import { mkdir, rmdir, stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { InputError } from '../engine/errors.js';

/**
 * Checks, before any work, that an output location can be written, without creating anything: the nearest
 * existing ancestor must be a folder in which a folder can be made (probed with a hidden one, removed at once).
 * Pseudo file systems (`/proc`, `/sys`), read-only mounts, a file in the path (`somefile/x`) and missing
 * permissions all fail here as one line naming the flag and the path. (Node's recursive mkdir never returns on
 * some of them: /proc/x hangs.)
 */
export async function checkOutputDir(path: string, flag: string): Promise<void> {
  const abs = resolve(path);
  const existing = await nearestExisting(abs, path, flag);
  if (existing.path === abs) {
    if (!existing.isDir) throw new InputError(`${flag} ${path}: is a file, not a folder`);
  } else if (!existing.isDir) {
    throw new InputError(`${flag} ${path}: ${existing.path} is a file, not a folder`);
  }
  await probeWritable(existing.path, path, flag);
}

/**
 * Checks an output file: not a folder, and its folder exists and is writable (`analyze --out report.json`).
 */
export async function checkOutputFile(path: string, flag: string): Promise<void> {
  const abs = resolve(path);
  const st = await stat(abs).catch(() => null);
  if (st?.isDirectory()) throw new InputError(`${flag} ${path}: is a folder; give a file name (for example ${path.replace(/\/$/, '')}/${basename(abs)}.json)`);
  const parent = dirname(abs);
  const pst = await stat(parent).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOTDIR' ? 'notdir' as const : null));
  if (pst === 'notdir' || (pst && !pst.isDirectory())) throw new InputError(`${flag} ${path}: a part of ${parent} is a file, not a folder`);
  if (!pst) throw new InputError(`${flag} ${path}: the folder ${parent} does not exist`);
  await probeWritable(parent, path, flag);
}

async function nearestExisting(abs: string, given: string, flag: string): Promise<{ path: string; isDir: boolean }> {
  let cur = abs;
  for (;;) {
    try {
      const st = await stat(cur);
      return { path: cur, isDir: st.isDirectory() };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw new InputError(`${flag} ${given}: cannot look at ${cur} (${describeCode(code)})`);
    }
    const up = dirname(cur);
    if (up === cur) throw new InputError(`${flag} ${given}: no part of the path exists`);
    cur = up;
  }
}

async function probeWritable(dir: string, given: string, flag: string): Promise<void> {
  const probe = resolve(dir, `.circuitscope-probe-${randomBytes(6).toString('hex')}`);
  try {
    await mkdir(probe);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(`${flag} ${given}: cannot create anything in ${dir} (${describeCode(code)}); choose another location`);
  }
  await rmdir(probe).catch(() => undefined);
}

/** An errno code in words, for one-line messages. */
export function describeCode(code: string | undefined): string {
  switch (code) {
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'EROFS': return 'read-only file system';
    case 'ENOENT': return 'not a real folder: a pseudo file system such as /proc';
    case 'ENOTDIR': return 'a part of the path is a file';
    case 'ENOSPC': return 'no space left on the device';
    case 'EDQUOT': return 'disk quota exceeded';
    case 'EISDIR': return 'is a folder';
    case 'ENAMETOOLONG': return 'the name is too long';
    default: return code ?? 'unknown error';
  }
}
