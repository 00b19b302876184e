/**
 * Import a rootfs tarball (e.g. `docker export` output) as a prepared image.
 * Entries that would land outside the target are refused, not skipped:
 * absolute paths, `..` components, and hard links that point out.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tar from 'tar';
import { buildAtomically, silent, type Progress } from './common.ts';

export class UnsafeArchiveError extends Error {
  override name = 'UnsafeArchiveError';
}

/** The reason an entry path is unsafe, or null. Pure, for tests. */
export function unsafeEntry(entryPath: string, type: string, linkpath?: string): string | null {
  const clean = (p: string) => p.replace(/^\.\//, '');
  const escapes = (p: string) => path.posix.isAbsolute(p) || clean(p).split('/').includes('..');
  if (escapes(entryPath)) return `entry ${JSON.stringify(entryPath)} escapes the target`;
  if (type === 'Link' && linkpath !== undefined && escapes(linkpath)) return `hard link ${JSON.stringify(entryPath)} points outside (${linkpath})`;
  return null;
}

export async function importTarball(file: string, dest: string, progress: Progress = silent): Promise<string> {
  const size = fs.statSync(file).size;
  // First pass: validate every entry before writing anything.
  let bad: string | null = null;
  let entries = 0;
  await tar.t({
    file,
    onReadEntry: (e) => {
      entries++;
      bad ??= unsafeEntry(e.path, e.type, e.linkpath);
    },
  });
  if (bad) throw new UnsafeArchiveError(`refusing ${path.basename(file)}: ${bad}`);
  return buildAtomically(dest, { kind: 'import', source: path.resolve(file), entries }, async (root) => {
    let done = 0;
    await tar.x({
      file,
      cwd: root,
      preserveOwner: true, // a rootfs needs its owners (root, nobody, …)
      strict: true,
      onReadEntry: () => {
        if (++done % 200 === 0) progress('extracting', done, entries);
      },
    });
    progress('extracting', entries, entries);
    void size;
  });
}
