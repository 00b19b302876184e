/** What every suite needs: the budget, progress output, and where things are. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { projectRoot } from '../../runtime/init/binary.ts';
import { imagesDir } from '../../runtime/paths.ts';
import type { Budget, Progress } from './measure.ts';

export interface BenchContext {
  quick: boolean;
  budget: Budget;
  progress: Progress;
  /** The rootfs every row uses, so peers and tiny-docker start the same tree. */
  rootfs: string;
  /** The tiny-docker launcher (bin/tiny-docker). */
  bin: string;
  isRoot: boolean;
  /** A private scratch directory for state roots and bundles; removed at the end. */
  scratch: string;
  /** More private directories elsewhere (a tmpfs state root); removed at the end too. */
  extraScratch: string[];
}

export function makeContext(quick: boolean, budget: Budget, progress: Progress): BenchContext {
  return {
    quick,
    budget,
    progress,
    rootfs: path.join(imagesDir(), 'host'),
    bin: path.join(projectRoot(), 'bin', 'tiny-docker'),
    isRoot: process.getuid?.() === 0,
    scratch: fs.mkdtempSync(path.join(os.tmpdir(), 'tdk-bench-')),
    extraScratch: [],
  };
}

/** A fresh private directory under the scratch dir. */
export function scratchDir(ctx: BenchContext, name: string): string {
  const dir = path.join(ctx.scratch, name);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** A private directory on a tmpfs (/dev/shm), or null when there is none. */
export function tmpfsScratch(ctx: BenchContext): string | null {
  const isTmpfs = fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .some((l) => l.split(' ')[4] === '/dev/shm' && l.includes(' - tmpfs '));
  if (!isTmpfs) return null;
  const dir = fs.mkdtempSync('/dev/shm/tdk-bench-');
  ctx.extraScratch.push(dir);
  return dir;
}
