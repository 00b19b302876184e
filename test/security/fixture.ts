/**
 * A throw-away rootfs for security tests: the host image (hard links, so it
 * costs nothing and the image is never written: containers write into their
 * own overlay layer) plus static helper programs compiled now.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { HOST_ROOTFS, ROOT, tempRoot } from '../helpers.ts';

export interface TestRootfs {
  dir: string;
  remove(): void;
}

/** programs: name → C source path (relative to the repo); installed in /usr/local/bin. */
export function rootfsWithPrograms(programs: Record<string, string>): TestRootfs {
  const base = tempRoot('secfs');
  const dir = path.join(base, 'rootfs');
  execFileSync('cp', ['-al', HOST_ROOTFS, dir]);
  const bin = path.join(dir, 'usr', 'local', 'bin');
  fs.mkdirSync(bin, { recursive: true });
  for (const [name, src] of Object.entries(programs)) {
    execFileSync('cc', ['-static', '-Os', '-o', path.join(bin, name), path.join(ROOT, src)]);
  }
  return { dir, remove: () => fs.rmSync(base, { recursive: true, force: true }) };
}
